"""The Moments module (``/sns/*``): posting, listing, liking and commenting on Moments.

Official documentation (doc.geweapi.com): the 朋友圈模块 section; ``sns/sendFinderSns`` is
documented under 视频号模块.

Two pages contradict themselves; we follow their examples, as the Moments guide
(``docs/moments.md``) says:

- ``sns/uploadSnsImage``: the schema puts ``minLength: 1, maxLength: 9`` on each URL (no URL
  is 9 characters long; it meant the list) while the example sends ten URLs. We send any
  number of URLs from one up (the documented failure is ``imgUrls不可为空``), each an http(s)
  URL, and leave the count to the server.
- ``sns/commentSns``: the schema types ``commentId`` as a string; the example sends the
  integer ``0``, and every comment id the API returns (``commentList[].commentId``) is an
  integer. We send an integer, ``0`` for a new comment, and always send ``commentId`` and
  ``content`` (``""`` when deleting), as the example does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any, Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api import _feeds as f
from gewe_async._api._common import AppIdRequest
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, declared
from gewe_async._paging import Page
from gewe_async.exceptions import GeweError, GeweResponseError, MomentPostError
from gewe_async.types.message import FileUrl
from gewe_async.types.sns import (
    CommentOperation,
    LikeOperation,
    Moment,
    MomentComment,
    MomentOptions,
    MomentPage,
    PostedMoment,
    UploadedImage,
    UploadedVideo,
    VisibleScope,
)

__all__ = ["SnsAPI"]


# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SnsIdRequest(AppIdRequest):
    """Body of ``sns/snsDetails`` and ``sns/delSns``."""

    sns_id: int = attrs.field(validator=f.object_id)


@attrs.frozen(kw_only=True)
class SnsListRequest(AppIdRequest):
    """Body of ``sns/snsList``; every field is sent, as in the example (``maxId`` 0 first)."""

    max_id: int = attrs.field(validator=f.uint64)
    first_page_md5: str = attrs.field(validator=f.cursor)
    decrypt: bool = attrs.field(validator=v.boolean)


@attrs.frozen(kw_only=True)
class ContactsSnsListRequest(SnsListRequest):
    """Body of ``sns/contactsSnsList``: ``sns/snsList``'s and the friend's wxid."""

    wxid: str = attrs.field(kw_only=True, validator=f.name)


@attrs.frozen(kw_only=True)
class SnsSetPrivacyRequest(AppIdRequest):
    """Body of ``sns/snsSetPrivacy``."""

    sns_id: int = attrs.field(validator=f.object_id)
    open: bool = attrs.field(validator=v.boolean)


def _to_scope(value: object) -> VisibleScope:
    return v.to_int_enum(VisibleScope, value)


@attrs.frozen(kw_only=True)
class SnsVisibleScopeRequest(AppIdRequest):
    """Body of ``sns/snsVisibleScope``."""

    option: VisibleScope = attrs.field(converter=_to_scope)


@attrs.frozen(kw_only=True)
class StrangerVisibilityRequest(AppIdRequest):
    """Body of ``sns/strangerVisibilityEnabled``."""

    enabled: bool = attrs.field(validator=v.boolean)


def _to_like(value: object) -> LikeOperation:
    return v.to_int_enum(LikeOperation, value)


def _to_comment(value: object) -> CommentOperation:
    return v.to_int_enum(CommentOperation, value)


@attrs.frozen(kw_only=True)
class LikeSnsRequest(AppIdRequest):
    """Body of ``sns/likeSns``: ``wxid`` is the Moment's author."""

    sns_id: int = attrs.field(validator=f.object_id)
    oper_type: LikeOperation = attrs.field(converter=_to_like)
    wxid: str = attrs.field(validator=f.name)


@attrs.frozen(kw_only=True)
class CommentSnsRequest(AppIdRequest):
    """Body of ``sns/commentSns`` (see the module's note on ``commentId``)."""

    sns_id: int = attrs.field(validator=f.object_id)
    oper_type: CommentOperation = attrs.field(converter=_to_comment)
    wxid: str = attrs.field(validator=f.name)
    comment_id: int = attrs.field(validator=f.uint64)
    content: str = attrs.field(validator=f.content)

    def __attrs_post_init__(self) -> None:
        if self.oper_type is CommentOperation.COMMENT and not self.content.strip():
            raise ValueError("a comment needs content")
        if self.oper_type is CommentOperation.DELETE and self.comment_id == 0:
            raise ValueError("deleting a comment needs its comment_id")


@attrs.frozen(kw_only=True)
class UploadSnsImageRequest(AppIdRequest):
    """Body of ``sns/uploadSnsImage`` (see the module's note on the number of URLs)."""

    img_urls: tuple[str, ...] = attrs.field(converter=f.names, validator=f.url_list)


@attrs.frozen(kw_only=True)
class UploadSnsVideoRequest(AppIdRequest):
    """Body of ``sns/uploadSnsVideo``."""

    thumb_url: str = attrs.field(validator=v.http_url)
    video_url: str = attrs.field(validator=v.http_url)


@attrs.frozen(kw_only=True)
class SnsXmlRequest(AppIdRequest):
    """Body of ``sns/downloadSnsVideo``."""

    sns_xml: str = attrs.field(validator=f.non_empty_content)


@attrs.frozen(kw_only=True)
class _WxAudience(AppIdRequest):
    allow_wx_ids: tuple[str, ...] = attrs.field(converter=f.names, validator=f.each_name)
    at_wx_ids: tuple[str, ...] = attrs.field(converter=f.names, validator=f.each_name)
    disable_wx_ids: tuple[str, ...] = attrs.field(converter=f.names, validator=f.each_name)


@attrs.frozen(kw_only=True)
class _Audience(_WxAudience):
    """Who sees a new Moment: sent in full (empty lists included), as every example does."""

    allow_tag_ids: tuple[str, ...] = attrs.field(converter=f.names, validator=f.each_name)
    disable_tag_ids: tuple[str, ...] = attrs.field(converter=f.names, validator=f.each_name)
    privacy: bool = attrs.field(validator=v.boolean)


@attrs.frozen(kw_only=True)
class SendTextSnsRequest(_Audience):
    """Body of ``sns/sendTextSns``."""

    content: str = attrs.field(validator=f.non_empty_content)


def _images(value: Any) -> tuple[UploadedImage, ...]:
    images = f.names(value)
    if not images or not all(isinstance(i, UploadedImage) for i in images):
        raise TypeError("img_infos must be a non-empty list of UploadedImage (upload_sns_image)")
    return images  # type: ignore[return-value]


@attrs.frozen(kw_only=True)
class SendImgSnsRequest(_Audience):
    """Body of ``sns/sendImgSns``: the images as ``upload_sns_image`` returned them."""

    img_infos: tuple[UploadedImage, ...] = attrs.field(converter=_images)
    content: str = attrs.field(validator=f.content)


@attrs.frozen(kw_only=True)
class SendVideoSnsRequest(_Audience):
    """Body of ``sns/sendVideoSns``: the video as ``upload_sns_video`` returned it."""

    video_info: UploadedVideo = attrs.field(validator=attrs.validators.instance_of(UploadedVideo))
    content: str = attrs.field(validator=f.content)


@attrs.frozen(kw_only=True)
class SendUrlSnsRequest(_Audience):
    """Body of ``sns/sendUrlSns``."""

    title: str = attrs.field(validator=f.non_empty_content)
    description: str = attrs.field(validator=f.content)
    link_url: str = attrs.field(validator=v.http_url)
    thumb_url: str = attrs.field(validator=v.http_url)
    content: str = attrs.field(validator=f.content)


@attrs.frozen(kw_only=True)
class ForwardSnsRequest(_Audience):
    """Body of ``sns/forwardSns``."""

    sns_xml: str = attrs.field(validator=f.non_empty_content)


def _digits(value: object) -> str:
    # The page types sizes and the media type as strings ("2000", "4"); an int is as clear.
    return v.digits(value)


@attrs.frozen(kw_only=True)
class SendFinderSnsRequest(_WxAudience):
    """Body of ``sns/sendFinderSns``: a Channels video shared to Moments (all fields required)."""

    id: int = attrs.field(validator=f.object_id)
    username: str = attrs.field(validator=f.name)
    nickname: str = attrs.field(validator=f.content)
    head_url: str = attrs.field(validator=v.http_url)
    nonce_id: str = attrs.field(validator=f.name)
    media_type: str = attrs.field(converter=_digits)
    url: str = attrs.field(validator=v.http_url)
    thumb_url: str = attrs.field(validator=v.http_url)
    thumb_url_token: str = attrs.field(validator=f.cursor)
    width: str = attrs.field(converter=_digits)
    height: str = attrs.field(converter=_digits)
    video_play_len: str = attrs.field(converter=_digits)
    description: str = attrs.field(validator=f.content)


# sns/downloadSnsVideo answers like message/downloadVideo: the one model is in types.message.
DownloadedVideo = FileUrl


# -- endpoints ----------------------------------------------------------------------------

# Reads: repeating one changes nothing.
SNS_LIST: Final = Endpoint("sns/snsList", SnsListRequest, MomentPage, retry_safe=True)
CONTACTS_SNS_LIST: Final = Endpoint(
    "sns/contactsSnsList", ContactsSnsListRequest, MomentPage, retry_safe=True
)
SNS_DETAILS: Final = Endpoint("sns/snsDetails", SnsIdRequest, Moment, retry_safe=True)
DOWNLOAD_SNS_VIDEO: Final = Endpoint(
    "sns/downloadSnsVideo", SnsXmlRequest, FileUrl, retry_safe=True
)
# Uploads only put a file on WeChat's CDN; a repeat makes a second copy nobody refers to.
UPLOAD_SNS_IMAGE: Final = Endpoint(
    "sns/uploadSnsImage", UploadSnsImageRequest, list[UploadedImage], retry_safe=True
)
UPLOAD_SNS_VIDEO: Final = Endpoint(
    "sns/uploadSnsVideo", UploadSnsVideoRequest, UploadedVideo, retry_safe=True
)
# Setters of an absolute value (a like is a state: liked or not): a repeat is harmless.
SNS_SET_PRIVACY: Final[Endpoint[None]] = Endpoint(
    "sns/snsSetPrivacy", SnsSetPrivacyRequest, None, retry_safe=True
)
SNS_VISIBLE_SCOPE: Final[Endpoint[None]] = Endpoint(
    "sns/snsVisibleScope", SnsVisibleScopeRequest, None, retry_safe=True
)
STRANGER_VISIBILITY_ENABLED: Final[Endpoint[None]] = Endpoint(
    "sns/strangerVisibilityEnabled", StrangerVisibilityRequest, None, retry_safe=True
)
LIKE_SNS: Final[Endpoint[None]] = Endpoint("sns/likeSns", LikeSnsRequest, None, retry_safe=True)
# Posting and commenting twice would post twice.
COMMENT_SNS: Final[Endpoint[None]] = Endpoint(
    "sns/commentSns", CommentSnsRequest, None, retry_safe=False
)
SEND_TEXT_SNS: Final = Endpoint("sns/sendTextSns", SendTextSnsRequest, PostedMoment)
SEND_IMG_SNS: Final = Endpoint("sns/sendImgSns", SendImgSnsRequest, PostedMoment)
SEND_VIDEO_SNS: Final = Endpoint("sns/sendVideoSns", SendVideoSnsRequest, PostedMoment)
SEND_URL_SNS: Final = Endpoint("sns/sendUrlSns", SendUrlSnsRequest, PostedMoment)
FORWARD_SNS: Final = Endpoint("sns/forwardSns", ForwardSnsRequest, PostedMoment)
SEND_FINDER_SNS: Final[Endpoint[None]] = Endpoint("sns/sendFinderSns", SendFinderSnsRequest, None)
# A repeat after a lost answer would be refused (the Moment is gone) and report a deletion
# that worked as failed.
DEL_SNS: Final[Endpoint[None]] = Endpoint("sns/delSns", SnsIdRequest, None, retry_safe=False)

ENDPOINTS: Final = declared(globals())

_AUDIENCE: Final = (
    "allow_wx_ids",
    "at_wx_ids",
    "disable_wx_ids",
    "allow_tag_ids",
    "disable_tag_ids",
    "privacy",
)


def _audience(app_id: str, kwargs: dict[str, Any]) -> tuple[dict[str, Any], RequestOptions]:
    """Split a posting method's keyword arguments into the audience fields and call options.

    The audience is checked here, so that a helper refuses it before its first request.
    """
    given: dict[str, Any] = {k: kwargs.pop(k) for k in _AUDIENCE if k in kwargs}
    fields: dict[str, Any] = {**dict.fromkeys(_AUDIENCE[:-1], ()), "privacy": False, **given}
    _Audience(app_id=app_id, **fields)
    options: RequestOptions = kwargs  # type: ignore[assignment]  # what is left is options
    return fields, options


class SnsAPI(APIGroup):
    """``client.sns``: posting, listing, liking and commenting on Moments.

    Every method takes the device's ``app_id`` first, and accepts ``timeout=`` to override the
    client's timeout for that call. WeChat refuses posting, liking and commenting for the
    first one to three days after a new device logs in.
    """

    __slots__ = ()

    # -- lists -----------------------------------------------------------------------------

    async def sns_list(
        self,
        app_id: str,
        max_id: int = 0,
        first_page_md5: str = "",
        decrypt: bool = True,
        **options: Unpack[RequestOptions],
    ) -> MomentPage:
        """Fetch one page of the account's own Moments (``sns/snsList``).

        Pass ``max_id`` 0 and ``first_page_md5`` ``""`` for the first page, then the values
        of the page before. [`iter_sns_list()`][gewe_async.resources.SnsAPI.iter_sns_list] does it.
        """
        request = SnsListRequest(
            app_id=app_id, max_id=max_id, first_page_md5=first_page_md5, decrypt=decrypt
        )
        return await self._call(SNS_LIST, request, options)

    async def contacts_sns_list(
        self,
        app_id: str,
        wxid: str,
        max_id: int = 0,
        first_page_md5: str = "",
        decrypt: bool = True,
        **options: Unpack[RequestOptions],
    ) -> MomentPage:
        """Fetch one page of a friend's Moments (``sns/contactsSnsList``)."""
        request = ContactsSnsListRequest(
            app_id=app_id, max_id=max_id, first_page_md5=first_page_md5, decrypt=decrypt, wxid=wxid
        )
        return await self._call(CONTACTS_SNS_LIST, request, options)

    def iter_sns_list(
        self,
        app_id: str,
        *,
        limit: int | None = None,
        decrypt: bool = True,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Moment]:
        """Iterate over the account's own Moments, newest first, page after page.

        ```python
        async for moment in client.sns.iter_sns_list("wx_123", limit=30):
            print(moment.id, moment.like_count)
        ```

        Stops at the end of the list or after ``limit`` Moments, without fetching a page it
        would not use. An error while fetching a page is raised from the ``async for``.

        Raises:
            ValueError: ``limit`` is negative.
        """
        return self._paged(
            SNS_LIST,
            lambda cursor: SnsListRequest(
                app_id=app_id, max_id=cursor[0], first_page_md5=cursor[1], decrypt=decrypt
            ),
            (0, ""),
            _moment_page,
            limit,
            options,
        )

    def iter_contacts_sns_list(
        self,
        app_id: str,
        wxid: str,
        *,
        limit: int | None = None,
        decrypt: bool = True,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[Moment]:
        """Iterate over a friend's Moments, newest first (see ``iter_sns_list``)."""
        return self._paged(
            CONTACTS_SNS_LIST,
            lambda cursor: ContactsSnsListRequest(
                app_id=app_id,
                wxid=wxid,
                max_id=cursor[0],
                first_page_md5=cursor[1],
                decrypt=decrypt,
            ),
            (0, ""),
            _moment_page,
            limit,
            options,
        )

    async def sns_details(
        self, app_id: str, sns_id: int, **options: Unpack[RequestOptions]
    ) -> Moment:
        """Fetch one Moment with its likes and comments (``sns/snsDetails``)."""
        return await self._call(SNS_DETAILS, SnsIdRequest(app_id=app_id, sns_id=sns_id), options)

    async def download_sns_video(
        self, app_id: str, sns_xml: str, **options: Unpack[RequestOptions]
    ) -> str:
        """Get a download URL for the video of a Moment (``sns/downloadSnsVideo``).

        ``sns_xml`` is the Moment's [`sns_xml`][gewe_async.types.sns.Moment.sns_xml].
        """
        answer = await self._call(
            DOWNLOAD_SNS_VIDEO, SnsXmlRequest(app_id=app_id, sns_xml=sns_xml), options
        )
        return answer.file_url

    # -- settings --------------------------------------------------------------------------

    async def sns_set_privacy(
        self, app_id: str, sns_id: int, open: bool, **options: Unpack[RequestOptions]
    ) -> None:
        """Make one of the account's Moments public (``open=True``) or private."""
        await self._call(
            SNS_SET_PRIVACY, SnsSetPrivacyRequest(app_id=app_id, sns_id=sns_id, open=open), options
        )

    async def sns_visible_scope(
        self, app_id: str, option: VisibleScope | int, **options: Unpack[RequestOptions]
    ) -> None:
        """Set how far back friends may see the account's Moments (``sns/snsVisibleScope``).

        Raises:
            ValueError: ``option`` is not 1 to 4 (a
                [`VisibleScope`][gewe_async.types.sns.VisibleScope]).
        """
        await self._call(
            SNS_VISIBLE_SCOPE, SnsVisibleScopeRequest(app_id=app_id, option=option), options
        )

    async def stranger_visibility_enabled(
        self, app_id: str, enabled: bool, **options: Unpack[RequestOptions]
    ) -> None:
        """Let strangers see ten of the account's Moments, or not."""
        request = StrangerVisibilityRequest(app_id=app_id, enabled=enabled)
        await self._call(STRANGER_VISIBILITY_ENABLED, request, options)

    # -- likes and comments ----------------------------------------------------------------

    async def like_sns(
        self,
        app_id: str,
        sns_id: int,
        oper_type: LikeOperation | int,
        wxid: str,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Like (1) or unlike (2) the Moment ``sns_id`` of ``wxid`` (``sns/likeSns``).

        [`like()`][gewe_async.resources.SnsAPI.like] takes the Moment object instead.
        """
        request = LikeSnsRequest(app_id=app_id, sns_id=sns_id, oper_type=oper_type, wxid=wxid)
        await self._call(LIKE_SNS, request, options)

    async def comment_sns(
        self,
        app_id: str,
        sns_id: int,
        oper_type: CommentOperation | int,
        wxid: str,
        comment_id: int = 0,
        content: str = "",
        **options: Unpack[RequestOptions],
    ) -> None:
        """Comment on (1) a Moment of ``wxid``, or delete (2) comment ``comment_id``.

        To reply to a comment, give its ``comment_id`` with ``oper_type`` 1.
        [`comment()`][gewe_async.resources.SnsAPI.comment] takes the Moment object instead.

        Raises:
            ValueError: A comment without content, or a deletion without ``comment_id``.
        """
        request = CommentSnsRequest(
            app_id=app_id,
            sns_id=sns_id,
            oper_type=oper_type,
            wxid=wxid,
            comment_id=comment_id,
            content=content,
        )
        await self._call(COMMENT_SNS, request, options)

    async def like(
        self, app_id: str, moment: Moment | PostedMoment, **options: Unpack[RequestOptions]
    ) -> None:
        """Like a Moment that a list, ``sns_details`` or a posting method returned."""
        await self.like_sns(app_id, moment.id, LikeOperation.LIKE, moment.user_name, **options)

    async def unlike(
        self, app_id: str, moment: Moment | PostedMoment, **options: Unpack[RequestOptions]
    ) -> None:
        """Take back a like on a Moment that a list or ``sns_details`` returned."""
        await self.like_sns(app_id, moment.id, LikeOperation.UNLIKE, moment.user_name, **options)

    async def comment(
        self,
        app_id: str,
        moment: Moment | PostedMoment,
        content: str,
        *,
        reply_to: MomentComment | None = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Comment on a Moment, or reply to one of its comments.

        ```python
        async for moment in client.sns.iter_sns_list("wx_123", limit=1):
            await client.sns.comment("wx_123", moment, "nice")
        ```
        """
        reply_id = 0 if reply_to is None else reply_to.comment_id
        op = CommentOperation.COMMENT
        await self.comment_sns(
            app_id, moment.id, op, moment.user_name, reply_id, content, **options
        )

    async def delete_comment(
        self,
        app_id: str,
        moment: Moment,
        comment: MomentComment,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Delete one comment of a Moment (one of ``moment.comments``)."""
        op = CommentOperation.DELETE
        await self.comment_sns(
            app_id, moment.id, op, moment.user_name, comment.comment_id, "", **options
        )

    # -- posting ---------------------------------------------------------------------------

    async def upload_sns_image(
        self, app_id: str, img_urls: Sequence[str], **options: Unpack[RequestOptions]
    ) -> list[UploadedImage]:
        """Upload images for a Moment, from their URLs (``sns/uploadSnsImage``).

        Raises:
            ValueError: No URL, or one that is not an http(s) URL.
        """
        return await self._call(
            UPLOAD_SNS_IMAGE, UploadSnsImageRequest(app_id=app_id, img_urls=img_urls), options
        )

    async def upload_sns_video(
        self, app_id: str, thumb_url: str, video_url: str, **options: Unpack[RequestOptions]
    ) -> UploadedVideo:
        """Upload a video and its cover image for a Moment (``sns/uploadSnsVideo``)."""
        request = UploadSnsVideoRequest(app_id=app_id, thumb_url=thumb_url, video_url=video_url)
        return await self._call(UPLOAD_SNS_VIDEO, request, options)

    async def send_text_sns(
        self, app_id: str, content: str, **kwargs: Unpack[MomentOptions]
    ) -> PostedMoment:
        """Post a text Moment (``sns/sendTextSns``).

        The audience is given by the keyword arguments of
        [`MomentOptions`][gewe_async.types.sns.MomentOptions]:

        ```python
        await client.sns.send_text_sns("wx_123", "hello", disable_wx_ids=["wxid_boss"])
        ```
        """
        fields, options = _audience(app_id, dict(kwargs))
        request = SendTextSnsRequest(app_id=app_id, content=content, **fields)
        return await self._call(SEND_TEXT_SNS, request, options)

    async def send_img_sns(
        self,
        app_id: str,
        img_infos: Iterable[UploadedImage],
        content: str = "",
        **kwargs: Unpack[MomentOptions],
    ) -> PostedMoment:
        """Post images that ``upload_sns_image`` uploaded (``sns/sendImgSns``).

        [`post_images()`][gewe_async.resources.SnsAPI.post_images] does both steps.
        """
        fields, options = _audience(app_id, dict(kwargs))
        request = SendImgSnsRequest(app_id=app_id, img_infos=img_infos, content=content, **fields)
        return await self._call(SEND_IMG_SNS, request, options)

    async def send_video_sns(
        self,
        app_id: str,
        video_info: UploadedVideo,
        content: str = "",
        **kwargs: Unpack[MomentOptions],
    ) -> PostedMoment:
        """Post a video that ``upload_sns_video`` uploaded (``sns/sendVideoSns``).

        [`post_video()`][gewe_async.resources.SnsAPI.post_video] does both steps.
        """
        fields, options = _audience(app_id, dict(kwargs))
        request = SendVideoSnsRequest(
            app_id=app_id, video_info=video_info, content=content, **fields
        )
        return await self._call(SEND_VIDEO_SNS, request, options)

    async def send_url_sns(
        self,
        app_id: str,
        title: str,
        description: str,
        link_url: str,
        thumb_url: str,
        content: str = "",
        **kwargs: Unpack[MomentOptions],
    ) -> PostedMoment:
        """Post a link Moment (``sns/sendUrlSns``)."""
        fields, options = _audience(app_id, dict(kwargs))
        request = SendUrlSnsRequest(
            app_id=app_id,
            title=title,
            description=description,
            link_url=link_url,
            thumb_url=thumb_url,
            content=content,
            **fields,
        )
        return await self._call(SEND_URL_SNS, request, options)

    async def forward_sns(
        self, app_id: str, sns_xml: str, **kwargs: Unpack[MomentOptions]
    ) -> PostedMoment:
        """Repost a Moment from its ``sns_xml`` (``sns/forwardSns``)."""
        fields, options = _audience(app_id, dict(kwargs))
        request = ForwardSnsRequest(app_id=app_id, sns_xml=sns_xml, **fields)
        return await self._call(FORWARD_SNS, request, options)

    async def send_finder_sns(
        self,
        app_id: str,
        *,
        id: int,
        username: str,
        nickname: str,
        head_url: str,
        nonce_id: str,
        media_type: str | int,
        url: str,
        thumb_url: str,
        thumb_url_token: str,
        width: str | int,
        height: str | int,
        video_play_len: str | int,
        description: str,
        allow_wx_ids: Sequence[str] = (),
        at_wx_ids: Sequence[str] = (),
        disable_wx_ids: Sequence[str] = (),
        **options: Unpack[RequestOptions],
    ) -> None:
        """Share a Channels video to Moments (``sns/sendFinderSns``).

        The fields describe the video as the Channels lists return it (``id``, its author's
        ``username``, ``nonce_id`` ...); sizes may be given as ints, they are sent as strings.
        """
        request = SendFinderSnsRequest(
            app_id=app_id,
            allow_wx_ids=allow_wx_ids,
            at_wx_ids=at_wx_ids,
            disable_wx_ids=disable_wx_ids,
            id=id,
            username=username,
            nickname=nickname,
            head_url=head_url,
            nonce_id=nonce_id,
            media_type=media_type,
            url=url,
            thumb_url=thumb_url,
            thumb_url_token=thumb_url_token,
            width=width,
            height=height,
            video_play_len=video_play_len,
            description=description,
        )
        await self._call(SEND_FINDER_SNS, request, options)

    async def del_sns(self, app_id: str, sns_id: int, **options: Unpack[RequestOptions]) -> None:
        """Delete one of the account's Moments (``sns/delSns``)."""
        await self._call(DEL_SNS, SnsIdRequest(app_id=app_id, sns_id=sns_id), options)

    async def delete(
        self, app_id: str, moment: Moment | PostedMoment, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete a Moment that a list, ``sns_details`` or a posting method returned."""
        await self.del_sns(app_id, moment.id, **options)

    # -- flows -----------------------------------------------------------------------------

    async def post_images(
        self,
        app_id: str,
        image_urls: Sequence[str],
        content: str = "",
        **kwargs: Unpack[MomentOptions],
    ) -> PostedMoment:
        """Post a Moment of images from their URLs: upload them, then post them.

        ```python
        try:
            moment = await client.sns.post_images("wx_123", [url1, url2], "周末")
        except MomentPostError as exc:
            print(exc.step, exc.error)  # "upload" or "send", and why
        ```

        Every argument is checked before the first request.

        Raises:
            MomentPostError: A step failed: ``step`` says which, ``error`` why, and
                ``uploaded`` has the uploaded images when the send step failed.
            ValueError: Bad input (nothing was sent).
        """
        fields, options = _audience(app_id, dict(kwargs))
        upload = UploadSnsImageRequest(app_id=app_id, img_urls=image_urls)
        f.content(None, attrs.fields(SendImgSnsRequest).content, content)
        try:
            uploaded: list[UploadedImage] = await self._call(UPLOAD_SNS_IMAGE, upload, options)
            images = tuple(uploaded)
        except GeweError as exc:
            raise MomentPostError("upload", exc) from exc
        if len(images) != len(upload.img_urls):
            got = GeweResponseError(
                f"uploaded {len(images)} images for {len(upload.img_urls)} URLs",
                body="",
                endpoint=UPLOAD_SNS_IMAGE.path,
                app_id=app_id,
            )
            raise MomentPostError("upload", got, images)
        request = SendImgSnsRequest(app_id=app_id, img_infos=images, content=content, **fields)
        try:
            return await self._call(SEND_IMG_SNS, request, options)
        except GeweError as exc:
            raise MomentPostError("send", exc, images) from exc

    async def post_video(
        self,
        app_id: str,
        video_url: str,
        thumb_url: str,
        content: str = "",
        **kwargs: Unpack[MomentOptions],
    ) -> PostedMoment:
        """Post a video Moment from the URLs of the video and its cover: upload, then post.

        Raises:
            MomentPostError: A step failed, as for
            [`post_images()`][gewe_async.resources.SnsAPI.post_images]. ValueError: Bad input
            (nothing was sent).
        """
        fields, options = _audience(app_id, dict(kwargs))
        upload = UploadSnsVideoRequest(app_id=app_id, thumb_url=thumb_url, video_url=video_url)
        f.content(None, attrs.fields(SendVideoSnsRequest).content, content)
        try:
            video = await self._call(UPLOAD_SNS_VIDEO, upload, options)
        except GeweError as exc:
            raise MomentPostError("upload", exc) from exc
        request = SendVideoSnsRequest(app_id=app_id, video_info=video, content=content, **fields)
        try:
            return await self._call(SEND_VIDEO_SNS, request, options)
        except GeweError as exc:
            raise MomentPostError("send", exc, video) from exc


def _moment_page(page: MomentPage) -> Page[Moment, tuple[int, str]]:
    # The next page starts after the last Moment of this one: maxId is its id. No maxId
    # means the end.
    items = page.sns_list or []
    return Page(items, (page.max_id, page.first_page_md5) if page.max_id else None)
