"""The request pieces the Channels endpoints share: field kinds, enum converters, identities.

Most endpoints act as the account's own identity (``myUserName`` + ``myRoleType``), many on
one video (``objectId`` + ``objectNonceId``): the base classes here say that once, and each
endpoint's request adds its own fields.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Protocol, TypeVar

import attrs

from gewe_async import _validators as v
from gewe_async._api import _feeds as f
from gewe_async._api._common import AppIdRequest
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint
from gewe_async._paging import Page
from gewe_async.types.finder import (
    DelayedOperation,
    FinderCommentOperation,
    FinderRole,
    FollowOperation,
    Heart,
    LikeFavFlag,
    MentionScene,
    SearchCategory,
    SearchFilter,
    SearchInfo,
    ThumbsUp,
)

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


def _object_id() -> Any:
    return attrs.field(validator=f.object_id)


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


# -- the identities a request acts as --------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Me(AppIdRequest):
    """Acting as one of the account's identities (``finder/getProfile`` lists them)."""

    my_user_name: str = _name()
    my_role_type: FinderRole = attrs.field(converter=_to_finder_role)


@attrs.frozen(kw_only=True)
class _OnObject(_Me):
    """Acting on one video."""

    object_id: int = _object_id()
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


def _next(flag: int, buffer: str) -> str | None:
    # Channels lists continue while continueFlag is 1 and a buffer came back.
    return buffer if flag == 1 and buffer else None


class _BufferedPage(Protocol):
    # A page of the lists that continue by lastBuffer while continueFlag is 1.
    @property
    def continue_flag(self) -> int: ...
    @property
    def last_buffer(self) -> str: ...


P = TypeVar("P", bound=_BufferedPage)
T = TypeVar("T")


class _FinderCalls(APIGroup):
    """Base of the ``client.finder`` method groups: the paging they share."""

    __slots__ = ()

    def _buffered(
        self,
        endpoint: Endpoint[P],
        first: Any,
        items: Callable[[P], Sequence[T] | None],
        limit: int | None,
        options: RequestOptions,
    ) -> AsyncIterator[T]:
        # The iter_* body of the lists paged by lastBuffer: the first page's request (built,
        # so checked, by the caller) with each next page's buffer in it.
        return self._paged(
            endpoint,
            lambda buffer: attrs.evolve(first, last_buffer=buffer),
            "",
            lambda page: Page(items(page) or (), _next(page.continue_flag, page.last_buffer)),
            limit,
            options,
        )
