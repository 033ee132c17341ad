"""The Channels module (``/finder/*``, 视频号): accounts, videos, comments, private letters.

Official pages: ``geweapi/视频号模块/``.

Thirty-one endpoints share a handful of request shapes: most act as the account's own
identity (``myUserName`` + ``myRoleType``), many on one video (``objectId`` +
``objectNonceId``). The request classes say that once (`_Me`, `_OnObject`, ...) and each
endpoint adds its own fields. Methods take keyword arguments after ``app_id``: the calls have
many fields of the same type, and names keep them apart.

Two pages contradict themselves; the docs (``moments.md``) say what we do:

- ``finder/finderOpt``: the request example is not JSON (it carries a ``//`` comment) and the
  page's prose is copied from ``publishFinderCdn``. The schema and the example agree on the
  fields and types, so we follow them: ``id`` is sent as a string of digits (we accept an
  int), ``remain`` and ``opType`` as integers.
- ``finder/publishFinderCdn`` documents only a failure (``ret`` 500, ``发布cdn视频失败``,
  ``data.code`` -4013). A failure raises ``GeweAPIError`` as everywhere; on success we return
  nothing (the success answer is undocumented), and the new video shows in ``user_page``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Final, TypeVar, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api import _feeds as f
from gewe_async._api._common import AppIdRequest
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, declared
from gewe_async._paging import Page, paginate
from gewe_async.types.finder import (
    ChannelsLogin,
    CommentPage,
    DelayedOperation,
    FinderComment,
    FinderCommentOperation,
    FinderContact,
    FinderMention,
    FinderObject,
    FinderProfile,
    FinderRole,
    FollowOperation,
    FollowPage,
    Heart,
    LetterContact,
    LikeFavFlag,
    MentionPage,
    MentionScene,
    ObjectDetails,
    ObjectPage,
    PrivateLetterSync,
    SearchCategory,
    SearchFilter,
    SearchInfo,
    SearchResult,
    ThumbsUp,
    UploadedFinderVideo,
    UserPage,
)

__all__ = ["FinderAPI"]

T = TypeVar("T")
A = TypeVar("A")


# -- fields -------------------------------------------------------------------------------
# kw_only classes: a field made by a helper is still required at runtime (no default).


def _name() -> Any:
    return attrs.field(validator=f.name)


def _text() -> Any:
    return attrs.field(validator=f.content)


def _cursor() -> Any:
    return attrs.field(validator=f.cursor)


def _url() -> Any:
    return attrs.field(validator=v.http_url)


def _count() -> Any:
    return attrs.field(validator=f.small_int)


def _uint64() -> Any:
    return attrs.field(validator=f.uint64)


# Named converters: mypy's attrs plugin then sees that a field takes the enum or its number.


def _to_finder_role(value: object) -> FinderRole:
    return v.to_int_enum(FinderRole, value)


def _to_delayed_operation(value: object) -> DelayedOperation:
    return v.to_int_enum(DelayedOperation, value)


def _to_finder_comment_operation(value: object) -> FinderCommentOperation:
    return v.to_int_enum(FinderCommentOperation, value)


def _to_follow_operation(value: object) -> FollowOperation:
    return v.to_int_enum(FollowOperation, value)


def _to_heart(value: object) -> Heart:
    return v.to_int_enum(Heart, value)


def _to_like_fav_flag(value: object) -> LikeFavFlag:
    return v.to_int_enum(LikeFavFlag, value)


def _to_mention_scene(value: object) -> MentionScene:
    return v.to_int_enum(MentionScene, value)


def _to_search_category(value: object) -> SearchCategory:
    return v.to_int_enum(SearchCategory, value)


def _to_search_filter(value: object) -> SearchFilter:
    return v.to_int_enum(SearchFilter, value)


def _to_thumbs_up(value: object) -> ThumbsUp:
    return v.to_int_enum(ThumbsUp, value)


def _digits(value: object) -> str:
    # Ids the pages type as strings ("14484855201138809377"): an int is as clear, and exact.
    return v.digits(value, empty=True)


def _optional(validator: Any) -> Any:
    return attrs.field(default=None, validator=attrs.validators.optional(validator))


# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Me(AppIdRequest):
    """Acting as one of the account's identities (``finder/getProfile`` lists them)."""

    my_user_name: str = _name()
    my_role_type: FinderRole = attrs.field(converter=_to_finder_role)


@attrs.frozen(kw_only=True)
class _OnObject(_Me):
    """Acting on one video."""

    object_id: int = attrs.field(validator=f.object_id)
    object_nonce_id: str = _name()


@attrs.frozen(kw_only=True)
class _Scan(_Me):
    """Acting on what a shared link or QR code names (官方视频号助手 -> 复制视频链接)."""

    qr_content: str = _name()


@attrs.frozen(kw_only=True)
class _ScanObject(_Scan):
    # scanLike's example sends objectId 0: any id, 0 included.
    object_id: int = _uint64()


def _search_info(value: object) -> SearchInfo | None:
    if value is None:
        return None
    if not isinstance(value, SearchInfo):
        raise TypeError(f"search_info must be a SearchInfo or None, got {value!r:.40}")
    for field in attrs.fields(SearchInfo):
        if getattr(value, field.name) is not None:
            f.cursor(value, field, getattr(value, field.name))
    return value


def _follow_search_info(value: object) -> SearchInfo | None:
    # follow's page marks docId required where userPage has none: "" when the caller has none.
    info = _search_info(value)
    if info is not None and info.doc_id is None:
        info = attrs.evolve(info, doc_id="")
    return info


@attrs.frozen(kw_only=True)
class BrowseRequest(_OnObject):
    session_buffer: str = _cursor()


@attrs.frozen(kw_only=True)
class CommentRequest(_OnObject):
    op_type: FinderCommentOperation = attrs.field(converter=_to_finder_comment_operation)
    content: str = _text()
    comment_id: str = attrs.field(converter=_digits)
    ref_comment_id: int = _uint64()
    root_comment_id: int = _uint64()
    reply_user_name: str = _cursor()
    session_buffer: str = _cursor()
    # The schema marks proxyIp required here (and in scanFollow); "" means none.
    proxy_ip: str = _cursor()


@attrs.frozen(kw_only=True)
class CommentListRequest(AppIdRequest):
    object_id: int = attrs.field(validator=f.object_id)
    object_nonce_id: str = _cursor()
    session_buffer: str = _cursor()
    last_buffer: str = _cursor()
    ref_comment_id: int = _uint64()
    root_comment_id: int = _uint64()


@attrs.frozen(kw_only=True)
class ContactListRequest(_Me):
    query_info: str = _name()


@attrs.frozen(kw_only=True)
class CreateFinderRequest(AppIdRequest):
    nick_name: str = attrs.field(validator=f.non_empty_content)
    head_img: str = _url()
    sex: int | None = _optional(f.small_int)
    signature: str | None = _optional(f.content)


@attrs.frozen(kw_only=True)
class FinderOptRequest(_Me):
    """Body of ``finder/finderOpt``, as its schema and its (non-JSON) example agree.

    ``id`` goes out as a string of digits (see the module's note).
    """

    to_user_name: str = _name()
    op_type: DelayedOperation = attrs.field(converter=_to_delayed_operation)
    id: str = attrs.field(converter=_digits, validator=f.name)
    remain: int = _count()


@attrs.frozen(kw_only=True)
class FollowRequest(_Me):
    to_user_name: str = _name()
    op_type: FollowOperation = attrs.field(converter=_to_follow_operation)
    search_info: SearchInfo | None = attrs.field(default=None, converter=_follow_search_info)


@attrs.frozen(kw_only=True)
class MeListRequest(_Me):
    last_buffer: str = _cursor()


@attrs.frozen(kw_only=True)
class IdFavRequest(_OnObject):
    to_user_name: str = _name()
    op_type: ThumbsUp = attrs.field(converter=_to_thumbs_up)
    session_buffer: str = _cursor()


@attrs.frozen(kw_only=True)
class IdLikeRequest(_OnObject):
    to_user_name: str = _name()
    op_type: Heart = attrs.field(converter=_to_heart)
    session_buffer: str = _cursor()


@attrs.frozen(kw_only=True)
class LikeFavListRequest(MeListRequest):
    flag: LikeFavFlag = attrs.field(converter=_to_like_fav_flag)


@attrs.frozen(kw_only=True)
class MentionListRequest(_Me):
    last_buff: str = _cursor()
    req_scene: MentionScene = attrs.field(converter=_to_mention_scene)


@attrs.frozen(kw_only=True)
class PrivateLetterRequest(AppIdRequest):
    my_user_name: str = _name()
    to_user_name: str = _name()
    msg_session_id: str = _name()
    content: str = attrs.field(validator=f.non_empty_content)


@attrs.frozen(kw_only=True)
class PrivateLetterImgRequest(AppIdRequest):
    my_user_name: str = _name()
    to_user_name: str = _name()
    msg_session_id: str = _name()
    img_url: str = _url()


def _topics(value: Any) -> tuple[str, ...]:
    return f.names(value)


@attrs.frozen(kw_only=True)
class PublishFinderCdnRequest(_Me):
    description: str = _text()
    topic: tuple[str, ...] = attrs.field(converter=_topics, validator=f.each_name)
    video_cdn: UploadedFinderVideo = attrs.field(
        validator=attrs.validators.instance_of(UploadedFinderVideo)
    )


@attrs.frozen(kw_only=True)
class PublishFinderWebRequest(AppIdRequest):
    title: str = attrs.field(validator=f.non_empty_content)
    description: str = _text()
    video_url: str = _url()
    thumb_url: str = _url()


@attrs.frozen(kw_only=True)
class ScanCommentRequest(_ScanObject):
    comment_content: str = attrs.field(validator=f.non_empty_content)
    ref_comment_id: int = _uint64()
    root_comment_id: int = _uint64()
    reply_username: str = _cursor()


@attrs.frozen(kw_only=True)
class ScanFollowRequest(_Scan):
    # The schema and example send objectId as a string here (an int elsewhere): we follow.
    object_id: str = attrs.field(converter=_digits)
    object_nonce_id: str = _cursor()
    proxy_ip: str = _cursor()


@attrs.frozen(kw_only=True)
class QrContentRequest(AppIdRequest):
    qr_content: str = _name()


@attrs.frozen(kw_only=True)
class SearchRequest(AppIdRequest):
    content: str = attrs.field(validator=f.non_empty_content)
    category: SearchCategory = attrs.field(converter=_to_search_category)
    filter: SearchFilter = attrs.field(converter=_to_search_filter)
    page: int = _count()
    offset: int = _count()
    cookie: str = _cursor()
    search_id: str = _cursor()


@attrs.frozen(kw_only=True)
class SearchFollowRequest(_Me):
    to_user_name: str = _name()
    keyword: str = attrs.field(validator=f.non_empty_content)


@attrs.frozen(kw_only=True)
class KeyBuffRequest(AppIdRequest):
    key_buff: str = _cursor()


@attrs.frozen(kw_only=True)
class UpdateProfileRequest(_Me):
    nick_name: str | None = _optional(f.non_empty_content)
    head_img: str | None = _optional(v.http_url)
    signature: str | None = _optional(f.content)
    sex: int | None = _optional(f.small_int)
    country: str | None = _optional(f.content)
    province: str | None = _optional(f.content)
    city: str | None = _optional(f.content)

    def __attrs_post_init__(self) -> None:
        changes = (self.nick_name, self.head_img, self.signature, self.sex, self.country)
        if all(x is None for x in (*changes, self.province, self.city)):
            raise ValueError("update_profile needs a field to change")


@attrs.frozen(kw_only=True)
class UploadFinderVideoRequest(AppIdRequest):
    video_url: str = _url()
    cover_img_url: str = _url()


@attrs.frozen(kw_only=True)
class UserPageRequest(AppIdRequest):
    to_user_name: str = _name()
    last_buffer: str = _cursor()
    max_id: int = _uint64()
    search_info: SearchInfo | None = attrs.field(default=None, converter=_search_info)


# -- answers only these endpoints use -----------------------------------------------------


@attrs.frozen
class _QrCode:
    qrcode_url: str


@attrs.frozen
class _CommentId:
    comment_id: int | None = None


@attrs.frozen
class _NewMsgId:
    new_msg_id: int


@attrs.frozen
class _ObjectId:
    id: int


# -- endpoints ----------------------------------------------------------------------------

# Reads (repeating one changes nothing), and views (browse): a repeated view is harmless.
GET_PROFILE: Final = Endpoint("finder/getProfile", AppIdRequest, FinderProfile, retry_safe=True)
GET_QR_CODE: Final = Endpoint("finder/getQrCode", _Me, _QrCode, retry_safe=True)
FOLLOW_LIST: Final = Endpoint("finder/followList", MeListRequest, FollowPage, retry_safe=True)
LIKE_FAV_LIST: Final = Endpoint(
    "finder/likeFavList", LikeFavListRequest, ObjectPage, retry_safe=True
)
MENTION_LIST: Final = Endpoint(
    "finder/mentionList", MentionListRequest, MentionPage, retry_safe=True
)
COMMENT_LIST: Final = Endpoint(
    "finder/commentList", CommentListRequest, CommentPage, retry_safe=True
)
USER_PAGE: Final = Endpoint("finder/userPage", UserPageRequest, UserPage, retry_safe=True)
SEARCH: Final = Endpoint("finder/search", SearchRequest, SearchResult, retry_safe=True)
CONTACT_LIST: Final = Endpoint(
    "finder/contactList", ContactListRequest, list[LetterContact], retry_safe=True
)
SYNC_PRIVATE_LETTER_MSG: Final = Endpoint(
    "finder/syncPrivateLetterMsg", KeyBuffRequest, PrivateLetterSync, retry_safe=True
)
SCAN_QR_CODE: Final = Endpoint("finder/scanQrCode", _Scan, ObjectDetails, retry_safe=True)
BROWSE: Final[Endpoint[None]] = Endpoint("finder/browse", BrowseRequest, None, retry_safe=True)
SCAN_BROWSE: Final[Endpoint[None]] = Endpoint(
    "finder/scanBrowse", _ScanObject, None, retry_safe=True
)
# Uploading puts a file on the CDN; a repeat makes a copy nobody refers to.
UPLOAD_FINDER_VIDEO: Final = Endpoint(
    "finder/uploadFinderVideo", UploadFinderVideoRequest, UploadedFinderVideo, retry_safe=True
)
# Setters of a state (followed or not, liked or not, the profile's values): a repeat
# leaves the same state.
FOLLOW: Final = Endpoint("finder/follow", FollowRequest, FinderContact, retry_safe=True)
SCAN_FOLLOW: Final = Endpoint(
    "finder/scanFollow", ScanFollowRequest, FinderContact, retry_safe=True
)
SEARCH_FOLLOW: Final[Endpoint[None]] = Endpoint(
    "finder/searchFollow", SearchFollowRequest, retry_safe=True
)
ID_FAV: Final[Endpoint[None]] = Endpoint("finder/idFav", IdFavRequest, retry_safe=True)
ID_LIKE: Final[Endpoint[None]] = Endpoint("finder/idLike", IdLikeRequest, retry_safe=True)
SCAN_FAV: Final[Endpoint[None]] = Endpoint("finder/scanFav", _ScanObject, retry_safe=True)
SCAN_LIKE: Final[Endpoint[None]] = Endpoint("finder/scanLike", _ScanObject, retry_safe=True)
FINDER_OPT: Final[Endpoint[None]] = Endpoint("finder/finderOpt", FinderOptRequest, retry_safe=True)
UPDATE_PROFILE: Final[Endpoint[None]] = Endpoint(
    "finder/updateProfile", UpdateProfileRequest, retry_safe=True
)
# Creates something (a comment, a letter, a video, an account): a repeat creates it twice,
# so these are not retried. A QR code's login is used once: a repeat would be refused.
SCAN_LOGIN_CHANNELS: Final = Endpoint("finder/scanLoginChannels", QrContentRequest, ChannelsLogin)
COMMENT: Final = Endpoint("finder/comment", CommentRequest, _CommentId)
SCAN_COMMENT: Final = Endpoint("finder/scanComment", ScanCommentRequest, FinderComment)
POST_PRIVATE_LETTER: Final = Endpoint("finder/postPrivateLetter", PrivateLetterRequest, _NewMsgId)
POST_PRIVATE_LETTER_IMG: Final = Endpoint(
    "finder/postPrivateLetterImg", PrivateLetterImgRequest, _NewMsgId
)
# Only its failure answer is documented: no model for a success we have never seen.
PUBLISH_FINDER_CDN: Final[Endpoint[None]] = Endpoint(
    "finder/publishFinderCdn", PublishFinderCdnRequest
)
PUBLISH_FINDER_WEB: Final = Endpoint("finder/publishFinderWeb", PublishFinderWebRequest, _ObjectId)
CREATE_FINDER: Final = Endpoint("finder/createFinder", CreateFinderRequest, FinderContact)

ENDPOINTS: Final = declared(globals())


def _next(flag: int, buffer: str) -> str | None:
    # Channels lists continue while continueFlag is 1 and a buffer came back.
    return buffer if flag == 1 and buffer else None


Role = FinderRole | int


class FinderAPI(APIGroup):
    """``client.finder``: WeChat Channels (视频号).

    Most calls act as one of the account's identities: pass ``my_user_name`` (the
    ``main_finder_username`` of [`get_profile()`][gewe_async.FinderAPI.get_profile]) and
    ``my_role_type`` (a [`FinderRole`][gewe_async.types.finder.FinderRole]). Arguments after
    ``app_id`` are keywords; every method accepts ``timeout=``.
    """

    def _by_buffer(
        self,
        endpoint: Endpoint[A],
        first: Any,
        field: str,
        read: Callable[[A], Page[T, str]],
        limit: int | None,
        options: RequestOptions,
    ) -> AsyncIterator[T]:
        # The lists continued by a buffer. The first request is built, so checked, by the
        # caller before iterating: bad input fails at the call, not at the first page. Each
        # later page changes only the buffer field.
        async def fetch(buffer: str) -> Page[T, str]:
            request = attrs.evolve(first, **{field: buffer})
            return read(await self._call(endpoint, request, options))

        return paginate(fetch, "", limit)

    __slots__ = ()

    # -- the account -----------------------------------------------------------------------

    async def get_profile(self, app_id: str, **options: Unpack[RequestOptions]) -> FinderProfile:
        """The account's Channels identities and limits (``finder/getProfile``)."""
        return await self._call(GET_PROFILE, AppIdRequest(app_id=app_id), options)

    async def create_finder(
        self,
        app_id: str,
        *,
        nick_name: str,
        head_img: str,
        sex: int | None = None,
        signature: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> FinderContact:
        """Create the account's Channels identity (``finder/createFinder``)."""
        return await self._call(
            CREATE_FINDER,
            CreateFinderRequest(
                app_id=app_id, nick_name=nick_name, head_img=head_img, sex=sex, signature=signature
            ),
            options,
        )

    async def update_profile(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        nick_name: str | None = None,
        head_img: str | None = None,
        signature: str | None = None,
        sex: int | None = None,
        country: str | None = None,
        province: str | None = None,
        city: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Change the Channels profile; only the fields given are sent."""
        await self._call(
            UPDATE_PROFILE,
            UpdateProfileRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                nick_name=nick_name,
                head_img=head_img,
                signature=signature,
                sex=sex,
                country=country,
                province=province,
                city=city,
            ),
            options,
        )

    async def get_qr_code(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        **options: Unpack[RequestOptions],
    ) -> str:
        """The text of the account's Channels QR code (a ``weixin.qq.com`` URL)."""
        request = _Me(app_id=app_id, my_user_name=my_user_name, my_role_type=my_role_type)
        answer: _QrCode = await self._call(GET_QR_CODE, request, options)
        return answer.qrcode_url

    async def scan_login_channels(
        self, app_id: str, *, qr_content: str, **options: Unpack[RequestOptions]
    ) -> ChannelsLogin:
        """Log in to 视频号助手 with the content of its QR code (``finder/scanLoginChannels``)."""
        return await self._call(
            SCAN_LOGIN_CHANNELS, QrContentRequest(app_id=app_id, qr_content=qr_content), options
        )

    # -- following -------------------------------------------------------------------------

    async def follow(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        to_user_name: str,
        op_type: FollowOperation | int = FollowOperation.FOLLOW,
        search_info: SearchInfo | None = None,
        **options: Unpack[RequestOptions],
    ) -> FinderContact:
        """Follow (or, with ``op_type`` 2, unfollow) a Channels account (``finder/follow``).

        ``search_info``: when the account was found by ``search``, its ``cookies``,
        ``search_id`` and the result's ``doc_id``.
        """
        return await self._call(
            FOLLOW,
            FollowRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                to_user_name=to_user_name,
                op_type=op_type,
                search_info=search_info,
            ),
            options,
        )

    async def follow_list(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        last_buffer: str = "",
        **options: Unpack[RequestOptions],
    ) -> FollowPage:
        """One page of the accounts followed (``finder/followList``); see ``iter_follow_list``."""
        return await self._call(
            FOLLOW_LIST,
            MeListRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                last_buffer=last_buffer,
            ),
            options,
        )

    def iter_follow_list(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[FinderContact]:
        """Iterate over the accounts followed, page after page, up to ``limit``.

        ```python
        async for account in client.finder.iter_follow_list(
            "wx_123", my_user_name=me, my_role_type=FinderRole.FINDER
        ):
            print(account.nickname)
        ```
        """
        first = MeListRequest(
            app_id=app_id, my_user_name=my_user_name, my_role_type=my_role_type, last_buffer=""
        )
        return self._by_buffer(
            FOLLOW_LIST,
            first,
            "last_buffer",
            lambda page: Page(page.contact_list or (), _next(page.continue_flag, page.last_buffer)),
            limit,
            options,
        )

    async def search_follow(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        to_user_name: str,
        keyword: str,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Search for ``keyword`` and follow ``to_user_name`` from the results."""
        await self._call(
            SEARCH_FOLLOW,
            SearchFollowRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                to_user_name=to_user_name,
                keyword=keyword,
            ),
            options,
        )

    async def scan_follow(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        qr_content: str,
        object_id: int | str = "",
        object_nonce_id: str = "",
        proxy_ip: str = "",
        **options: Unpack[RequestOptions],
    ) -> FinderContact:
        """Follow the account of a QR code or a username (``finder/scanFollow``).

        For a username, also give one of its videos' ``object_id`` and ``object_nonce_id``.
        """
        return await self._call(
            SCAN_FOLLOW,
            ScanFollowRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                qr_content=qr_content,
                object_id=object_id,
                object_nonce_id=object_nonce_id,
                proxy_ip=proxy_ip,
            ),
            options,
        )

    # -- finding ---------------------------------------------------------------------------

    async def search(
        self,
        app_id: str,
        *,
        content: str,
        category: SearchCategory | int = SearchCategory.ALL,
        filter: SearchFilter | int = SearchFilter.ANY,
        page: int = 0,
        offset: int = 0,
        cookie: str = "",
        search_id: str = "",
        **options: Unpack[RequestOptions],
    ) -> SearchResult:
        """Search Channels (``finder/search``).

        For the next page send the result's ``cookies``, ``offset`` and ``search_id`` with
        ``page + 1``.
        """
        return await self._call(
            SEARCH,
            SearchRequest(
                app_id=app_id,
                content=content,
                category=category,
                filter=filter,
                page=page,
                offset=offset,
                cookie=cookie,
                search_id=search_id,
            ),
            options,
        )

    async def user_page(
        self,
        app_id: str,
        *,
        to_user_name: str,
        last_buffer: str = "",
        max_id: int = 0,
        search_info: SearchInfo | None = None,
        **options: Unpack[RequestOptions],
    ) -> UserPage:
        """An account's page and one page of its videos (``finder/userPage``)."""
        return await self._call(
            USER_PAGE,
            UserPageRequest(
                app_id=app_id,
                to_user_name=to_user_name,
                last_buffer=last_buffer,
                max_id=max_id,
                search_info=search_info,
            ),
            options,
        )

    def iter_user_page(
        self,
        app_id: str,
        *,
        to_user_name: str,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[FinderObject]:
        """Iterate over an account's videos, page after page, up to ``limit``.

        Each page after the first sends the ``lastBuffer`` it got and the last video's id as
        ``maxId``, as the page says.
        """
        UserPageRequest(app_id=app_id, to_user_name=to_user_name, last_buffer="", max_id=0)

        async def fetch(cursor: tuple[str, int]) -> Page[FinderObject, tuple[str, int]]:
            request = UserPageRequest(
                app_id=app_id, to_user_name=to_user_name, last_buffer=cursor[0], max_id=cursor[1]
            )
            page = await self._call(USER_PAGE, request, options)
            items = page.objects or []
            buffer = _next(page.continue_flag, page.last_buffer)
            return Page(items, None if buffer is None or not items else (buffer, items[-1].id))

        return paginate(fetch, ("", 0), limit)

    async def scan_qr_code(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        qr_content: str,
        **options: Unpack[RequestOptions],
    ) -> ObjectDetails:
        """The video a shared link names (``finder/scanQrCode``)."""
        return await self._call(
            SCAN_QR_CODE,
            _Scan(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                qr_content=qr_content,
            ),
            options,
        )

    async def like_fav_list(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        flag: LikeFavFlag | int = LikeFavFlag.ALL,
        last_buffer: str = "",
        **options: Unpack[RequestOptions],
    ) -> ObjectPage:
        """One page of the videos the account liked or saved (``finder/likeFavList``)."""
        return await self._call(
            LIKE_FAV_LIST,
            LikeFavListRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                last_buffer=last_buffer,
                flag=flag,
            ),
            options,
        )

    def iter_like_fav_list(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        flag: LikeFavFlag | int = LikeFavFlag.ALL,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[FinderObject]:
        """Iterate over the videos the account liked or saved, up to ``limit``."""
        first = LikeFavListRequest(
            app_id=app_id,
            my_user_name=my_user_name,
            my_role_type=my_role_type,
            flag=flag,
            last_buffer="",
        )
        return self._by_buffer(
            LIKE_FAV_LIST,
            first,
            "last_buffer",
            lambda page: Page(page.objects or (), _next(page.continue_flag, page.last_buffer)),
            limit,
            options,
        )

    async def mention_list(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        req_scene: MentionScene | int,
        last_buff: str = "",
        **options: Unpack[RequestOptions],
    ) -> MentionPage:
        """One page of notifications of a kind (``finder/mentionList``)."""
        return await self._call(
            MENTION_LIST,
            MentionListRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                last_buff=last_buff,
                req_scene=req_scene,
            ),
            options,
        )

    def iter_mention_list(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        req_scene: MentionScene | int,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[FinderMention]:
        """Iterate over notifications of a kind, up to ``limit``; ends at an empty page."""
        first = MentionListRequest(
            app_id=app_id,
            my_user_name=my_user_name,
            my_role_type=my_role_type,
            req_scene=req_scene,
            last_buff="",
        )
        # No continueFlag here: the list ends with an empty page or a repeated buffer.
        return self._by_buffer(
            MENTION_LIST,
            first,
            "last_buff",
            lambda page: Page(page.mentions, page.last_buff or None),
            limit,
            options,
        )

    # -- acting on a video -----------------------------------------------------------------

    async def browse(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        object_id: int,
        object_nonce_id: str,
        session_buffer: str = "",
        **options: Unpack[RequestOptions],
    ) -> None:
        """Count a view of a video (``finder/browse``)."""
        await self._call(
            BROWSE,
            BrowseRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                object_id=object_id,
                object_nonce_id=object_nonce_id,
                session_buffer=session_buffer,
            ),
            options,
        )

    async def id_fav(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        object_id: int,
        object_nonce_id: str,
        to_user_name: str,
        session_buffer: str,
        op_type: ThumbsUp | int = ThumbsUp.ON,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Give (or take back) a thumbs-up to a video (``finder/idFav``)."""
        await self._call(
            ID_FAV,
            IdFavRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                object_id=object_id,
                object_nonce_id=object_nonce_id,
                to_user_name=to_user_name,
                op_type=op_type,
                session_buffer=session_buffer,
            ),
            options,
        )

    async def id_like(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        object_id: int,
        object_nonce_id: str,
        to_user_name: str,
        session_buffer: str = "",
        op_type: Heart | int = Heart.ON,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Give (or take back) a heart to a video (``finder/idLike``)."""
        await self._call(
            ID_LIKE,
            IdLikeRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                object_id=object_id,
                object_nonce_id=object_nonce_id,
                to_user_name=to_user_name,
                op_type=op_type,
                session_buffer=session_buffer,
            ),
            options,
        )

    async def finder_opt(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        to_user_name: str,
        id: int | str,
        op_type: DelayedOperation | int,
        remain: int,
        **options: Unpack[RequestOptions],
    ) -> None:
        """A thumbs-up or heart given after a delay (``finder/finderOpt``, 延迟点赞、小红心).

        ``id`` is sent as a string of digits, as the page's schema and example do.
        """
        await self._call(
            FINDER_OPT,
            FinderOptRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                to_user_name=to_user_name,
                op_type=op_type,
                id=id,
                remain=remain,
            ),
            options,
        )

    async def comment(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        object_id: int,
        object_nonce_id: str,
        content: str,
        session_buffer: str = "",
        op_type: FinderCommentOperation | int = FinderCommentOperation.COMMENT,
        comment_id: int | str = "",
        ref_comment_id: int = 0,
        root_comment_id: int = 0,
        reply_user_name: str = "",
        proxy_ip: str = "",
        **options: Unpack[RequestOptions],
    ) -> int | None:
        """Comment on a video, or delete a comment (``op_type`` 1 and ``comment_id``).

        Returns the new comment's id when the server gives one (its example gives ``null``).
        """
        request = CommentRequest(
            app_id=app_id,
            my_user_name=my_user_name,
            my_role_type=my_role_type,
            object_id=object_id,
            object_nonce_id=object_nonce_id,
            op_type=op_type,
            content=content,
            comment_id=comment_id,
            ref_comment_id=ref_comment_id,
            root_comment_id=root_comment_id,
            reply_user_name=reply_user_name,
            session_buffer=session_buffer,
            proxy_ip=proxy_ip,
        )
        answer: _CommentId = await self._call(COMMENT, request, options)
        return answer.comment_id

    async def comment_list(
        self,
        app_id: str,
        *,
        object_id: int,
        session_buffer: str,
        object_nonce_id: str = "",
        last_buffer: str = "",
        ref_comment_id: int = 0,
        root_comment_id: int = 0,
        **options: Unpack[RequestOptions],
    ) -> CommentPage:
        """One page of a video's comments (``finder/commentList``); see ``iter_comment_list``."""
        return await self._call(
            COMMENT_LIST,
            CommentListRequest(
                app_id=app_id,
                object_id=object_id,
                object_nonce_id=object_nonce_id,
                session_buffer=session_buffer,
                last_buffer=last_buffer,
                ref_comment_id=ref_comment_id,
                root_comment_id=root_comment_id,
            ),
            options,
        )

    def iter_comment_list(
        self,
        app_id: str,
        *,
        video: FinderObject,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[FinderComment]:
        """Iterate over the comments of a video that a list or scan returned, up to ``limit``."""
        first = CommentListRequest(
            app_id=app_id,
            object_id=video.id,
            object_nonce_id=video.object_nonce_id,
            session_buffer=video.session_buffer,
            ref_comment_id=0,
            root_comment_id=0,
            last_buffer="",
        )
        return self._by_buffer(
            COMMENT_LIST,
            first,
            "last_buffer",
            lambda page: Page(
                page.comment_info or (), _next(page.down_continue_flag, page.last_buffer)
            ),
            limit,
            options,
        )

    # -- acting on a shared link -----------------------------------------------------------

    async def _scan(
        self,
        endpoint: Endpoint[Any],
        app_id: str,
        my_user_name: str,
        my_role_type: Role,
        qr_content: str,
        object_id: int,
        options: RequestOptions,
    ) -> None:
        await self._call(
            endpoint,
            _ScanObject(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                qr_content=qr_content,
                object_id=object_id,
            ),
            options,
        )

    async def scan_browse(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        qr_content: str,
        object_id: int,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Count a view of the video of a shared link (``finder/scanBrowse``)."""
        await self._scan(
            SCAN_BROWSE, app_id, my_user_name, my_role_type, qr_content, object_id, options
        )

    async def scan_fav(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        qr_content: str,
        object_id: int,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Thumbs-up the video of a shared link (``finder/scanFav``)."""
        await self._scan(
            SCAN_FAV, app_id, my_user_name, my_role_type, qr_content, object_id, options
        )

    async def scan_like(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        qr_content: str,
        object_id: int = 0,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Heart the video of a shared link (``finder/scanLike``; its example sends id 0)."""
        await self._scan(
            SCAN_LIKE, app_id, my_user_name, my_role_type, qr_content, object_id, options
        )

    async def scan_comment(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        qr_content: str,
        object_id: int,
        comment_content: str,
        ref_comment_id: int = 0,
        root_comment_id: int = 0,
        reply_username: str = "",
        **options: Unpack[RequestOptions],
    ) -> FinderComment:
        """Comment on the video of a shared link (``finder/scanComment``)."""
        return await self._call(
            SCAN_COMMENT,
            ScanCommentRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                qr_content=qr_content,
                object_id=object_id,
                comment_content=comment_content,
                ref_comment_id=ref_comment_id,
                root_comment_id=root_comment_id,
                reply_username=reply_username,
            ),
            options,
        )

    # -- publishing ------------------------------------------------------------------------

    async def publish_finder_web(
        self,
        app_id: str,
        *,
        title: str,
        description: str,
        video_url: str,
        thumb_url: str,
        **options: Unpack[RequestOptions],
    ) -> int:
        """Publish a video from its URL; returns the new video's id (``publishFinderWeb``)."""
        request = PublishFinderWebRequest(
            app_id=app_id,
            title=title,
            description=description,
            video_url=video_url,
            thumb_url=thumb_url,
        )
        published: _ObjectId = await self._call(PUBLISH_FINDER_WEB, request, options)
        return published.id

    async def upload_finder_video(
        self, app_id: str, *, video_url: str, cover_img_url: str, **options: Unpack[RequestOptions]
    ) -> UploadedFinderVideo:
        """Upload a video to the Channels CDN once, to publish it from many accounts."""
        return await self._call(
            UPLOAD_FINDER_VIDEO,
            UploadFinderVideoRequest(
                app_id=app_id, video_url=video_url, cover_img_url=cover_img_url
            ),
            options,
        )

    async def publish_finder_cdn(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        video_cdn: UploadedFinderVideo,
        description: str,
        topic: Sequence[str] = (),
        **options: Unpack[RequestOptions],
    ) -> None:
        """Publish a video that ``upload_finder_video`` uploaded (``finder/publishFinderCdn``).

        The page documents only the failure (``发布cdn视频失败``, raised as `GeweAPIError`);
        the success answer is undocumented, so nothing is returned: find the new video with
        ``user_page``.
        """
        await self._call(
            PUBLISH_FINDER_CDN,
            PublishFinderCdnRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                description=description,
                topic=topic,
                video_cdn=video_cdn,
            ),
            options,
        )

    # -- private letters -------------------------------------------------------------------

    async def contact_list(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        query_info: str,
        **options: Unpack[RequestOptions],
    ) -> list[LetterContact]:
        """Who a private-letter username is, and its ``session_id`` (``finder/contactList``)."""
        request = ContactListRequest(
            app_id=app_id,
            my_user_name=my_user_name,
            my_role_type=my_role_type,
            query_info=query_info,
        )
        contacts: list[LetterContact] = await self._call(CONTACT_LIST, request, options)
        return contacts

    async def post_private_letter(
        self,
        app_id: str,
        *,
        my_user_name: str,
        to_user_name: str,
        msg_session_id: str,
        content: str,
        **options: Unpack[RequestOptions],
    ) -> int:
        """Send a text private letter; returns its newMsgId (``finder/postPrivateLetter``)."""
        request = PrivateLetterRequest(
            app_id=app_id,
            my_user_name=my_user_name,
            to_user_name=to_user_name,
            msg_session_id=msg_session_id,
            content=content,
        )
        sent: _NewMsgId = await self._call(POST_PRIVATE_LETTER, request, options)
        return sent.new_msg_id

    async def post_private_letter_img(
        self,
        app_id: str,
        *,
        my_user_name: str,
        to_user_name: str,
        msg_session_id: str,
        img_url: str,
        **options: Unpack[RequestOptions],
    ) -> int:
        """Send an image private letter; returns its newMsgId."""
        request = PrivateLetterImgRequest(
            app_id=app_id,
            my_user_name=my_user_name,
            to_user_name=to_user_name,
            msg_session_id=msg_session_id,
            img_url=img_url,
        )
        sent: _NewMsgId = await self._call(POST_PRIVATE_LETTER_IMG, request, options)
        return sent.new_msg_id

    async def sync_private_letter_msg(
        self, app_id: str, *, key_buff: str = "", **options: Unpack[RequestOptions]
    ) -> PrivateLetterSync:
        """Fetch new private letters; pass the ``key_buff`` of the answer before."""
        return await self._call(
            SYNC_PRIVATE_LETTER_MSG, KeyBuffRequest(app_id=app_id, key_buff=key_buff), options
        )
