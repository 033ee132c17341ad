"""Finding videos: search, an account's page, shared links, likes, notifications, comments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Final, Unpack

import attrs

from gewe_async._api import _feeds as f
from gewe_async._api._common import AppIdRequest
from gewe_async._api.finder._account import MeListRequest
from gewe_async._api.finder._fields import (
    _count,
    _cursor,
    _FinderCalls,
    _Me,
    _name,
    _next,
    _object_id,
    _Scan,
    _search_info,
    _to_like_fav_flag,
    _to_mention_scene,
    _to_search_category,
    _to_search_filter,
    _uint64,
)
from gewe_async._config import RequestOptions
from gewe_async._endpoint import Endpoint
from gewe_async._paging import Page
from gewe_async.types.finder import (
    CommentPage,
    FinderComment,
    FinderMention,
    FinderObject,
    LikeFavFlag,
    MentionPage,
    MentionScene,
    ObjectDetails,
    ObjectPage,
    Role,
    SearchCategory,
    SearchFilter,
    SearchInfo,
    SearchResult,
    UserPage,
)

# -- requests -----------------------------------------------------------------------------


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
class UserPageRequest(AppIdRequest):
    to_user_name: str = _name()
    last_buffer: str = _cursor()
    max_id: int = _uint64()
    search_info: SearchInfo | None = attrs.field(default=None, converter=_search_info)


@attrs.frozen(kw_only=True)
class LikeFavListRequest(MeListRequest):
    flag: LikeFavFlag = attrs.field(converter=_to_like_fav_flag)


@attrs.frozen(kw_only=True)
class MentionListRequest(_Me):
    last_buff: str = _cursor()
    req_scene: MentionScene = attrs.field(converter=_to_mention_scene)


@attrs.frozen(kw_only=True)
class CommentListRequest(AppIdRequest):
    object_id: int = _object_id()
    object_nonce_id: str = _cursor()
    session_buffer: str = _cursor()
    last_buffer: str = _cursor()
    ref_comment_id: int = _uint64()
    root_comment_id: int = _uint64()


# -- endpoints ----------------------------------------------------------------------------

# Reads: repeating one changes nothing.
SEARCH: Final = Endpoint("finder/search", SearchRequest, SearchResult, retry_safe=True)
USER_PAGE: Final = Endpoint("finder/userPage", UserPageRequest, UserPage, retry_safe=True)
SCAN_QR_CODE: Final = Endpoint("finder/scanQrCode", _Scan, ObjectDetails, retry_safe=True)
LIKE_FAV_LIST: Final = Endpoint(
    "finder/likeFavList", LikeFavListRequest, ObjectPage, retry_safe=True
)
MENTION_LIST: Final = Endpoint(
    "finder/mentionList", MentionListRequest, MentionPage, retry_safe=True
)
COMMENT_LIST: Final = Endpoint(
    "finder/commentList", CommentListRequest, CommentPage, retry_safe=True
)


class FindingCalls(_FinderCalls):
    """The ``client.finder`` methods that find videos and read their lists."""

    __slots__ = ()

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
        return self._paged(
            USER_PAGE,
            lambda cursor: UserPageRequest(
                app_id=app_id, to_user_name=to_user_name, last_buffer=cursor[0], max_id=cursor[1]
            ),
            ("", 0),
            _videos_after,
            limit,
            options,
        )

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
        return self._buffered(LIKE_FAV_LIST, first, lambda page: page.objects, limit, options)

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
        return self._paged(
            MENTION_LIST,
            lambda buffer: MentionListRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                req_scene=req_scene,
                last_buff=buffer,
            ),
            "",
            # No continueFlag here: the list ends with an empty page or a repeated buffer.
            lambda page: Page(page.mentions, page.last_buff or None),
            limit,
            options,
        )

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
        return self._paged(
            COMMENT_LIST,
            lambda buffer: CommentListRequest(
                app_id=app_id,
                object_id=video.id,
                object_nonce_id=video.object_nonce_id,
                session_buffer=video.session_buffer,
                ref_comment_id=0,
                root_comment_id=0,
                last_buffer=buffer,
            ),
            "",
            lambda page: Page(
                page.comment_info or (), _next(page.down_continue_flag, page.last_buffer)
            ),
            limit,
            options,
        )


def _videos_after(page: UserPage) -> Page[FinderObject, tuple[str, int]]:
    # Each page after the first sends the lastBuffer it got and the last video's id as maxId.
    items = page.objects or []
    buffer = _next(page.continue_flag, page.last_buffer)
    return Page(items, None if buffer is None or not items else (buffer, items[-1].id))
