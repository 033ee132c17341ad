"""Liking and commenting on Moments (``sns/likeSns``, ``sns/commentSns``)."""

from __future__ import annotations

from typing import Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api import _feeds as f
from gewe_async._api._common import AppIdRequest
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint
from gewe_async.types.sns import (
    CommentOperation,
    LikeOperation,
    Moment,
    MomentComment,
    PostedMoment,
)

# -- requests -----------------------------------------------------------------------------


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
    """Body of ``sns/commentSns``: ``commentId`` an int, as its example sends it."""

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


# -- endpoints ----------------------------------------------------------------------------

# A like is a state (liked or not): a repeat is harmless.
LIKE_SNS: Final[Endpoint[None]] = Endpoint("sns/likeSns", LikeSnsRequest, None, retry_safe=True)
# Commenting twice would comment twice.
COMMENT_SNS: Final[Endpoint[None]] = Endpoint(
    "sns/commentSns", CommentSnsRequest, None, retry_safe=False
)


class ReactingCalls(APIGroup):
    """The ``client.sns`` methods that like and comment on Moments."""

    __slots__ = ()

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
