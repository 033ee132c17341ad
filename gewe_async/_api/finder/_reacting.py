"""Acting on a video, by its ids or by a shared link: views, likes, hearts, comments."""

from __future__ import annotations

from typing import Any, Final, Unpack

import attrs

from gewe_async._api import _feeds as f
from gewe_async._api.finder._fields import (
    _count,
    _cursor,
    _digits,
    _Me,
    _name,
    _OnObject,
    _ScanObject,
    _text,
    _to_delayed_operation,
    _to_finder_comment_operation,
    _to_heart,
    _to_thumbs_up,
    _uint64,
)
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint
from gewe_async.types.finder import (
    DelayedOperation,
    FinderComment,
    FinderCommentOperation,
    Heart,
    Role,
    ThumbsUp,
)

# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class BrowseRequest(_OnObject):
    session_buffer: str = _cursor()


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
class FinderOptRequest(_Me):
    """Body of ``finder/finderOpt``, as its schema and its (non-JSON) example agree.

    ``id`` goes out as a string of digits (an int is accepted), ``remain`` and ``opType`` as
    integers.
    """

    to_user_name: str = _name()
    op_type: DelayedOperation = attrs.field(converter=_to_delayed_operation)
    id: str = attrs.field(converter=_digits, validator=f.name)
    remain: int = _count()


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
class ScanCommentRequest(_ScanObject):
    comment_content: str = attrs.field(validator=f.non_empty_content)
    ref_comment_id: int = _uint64()
    root_comment_id: int = _uint64()
    reply_username: str = _cursor()


@attrs.frozen
class _CommentId:
    comment_id: int | None = None


# -- endpoints ----------------------------------------------------------------------------

# Views: a repeated view is harmless.
BROWSE: Final[Endpoint[None]] = Endpoint("finder/browse", BrowseRequest, None, retry_safe=True)
SCAN_BROWSE: Final[Endpoint[None]] = Endpoint(
    "finder/scanBrowse", _ScanObject, None, retry_safe=True
)
# Setters of a state (liked or not): a repeat leaves the same state.
ID_FAV: Final[Endpoint[None]] = Endpoint("finder/idFav", IdFavRequest, retry_safe=True)
ID_LIKE: Final[Endpoint[None]] = Endpoint("finder/idLike", IdLikeRequest, retry_safe=True)
SCAN_FAV: Final[Endpoint[None]] = Endpoint("finder/scanFav", _ScanObject, retry_safe=True)
SCAN_LIKE: Final[Endpoint[None]] = Endpoint("finder/scanLike", _ScanObject, retry_safe=True)
FINDER_OPT: Final[Endpoint[None]] = Endpoint("finder/finderOpt", FinderOptRequest, retry_safe=True)
# Creates a comment: a repeat comments twice, so these are not retried.
COMMENT: Final = Endpoint("finder/comment", CommentRequest, _CommentId)
SCAN_COMMENT: Final = Endpoint("finder/scanComment", ScanCommentRequest, FinderComment)


class ReactingCalls(APIGroup):
    """The ``client.finder`` methods that view, like and comment on videos."""

    __slots__ = ()

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
