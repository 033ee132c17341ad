"""Paging through a list endpoint as an async iterator: one mechanism for every list.

GeWe's lists continue in three styles: Moments by ``maxId`` + ``firstPageMd5``, Channels by
``lastBuffer`` + ``continueFlag``, favorites by ``syncKey``. Each list method only says how to
fetch one page from a cursor and what the next cursor is (``None`` at the end); `paginate`
does the rest, the same way for all of them:

- it stops at the end: no next cursor, an empty page, or a cursor it has already sent (a
  server that answers the same cursor again would otherwise loop forever);
- it honours ``limit`` without fetching a page it would not use;
- an error while fetching a page propagates out of the ``async for``, after the items of the
  pages before it were yielded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

import attrs

T = TypeVar("T")
C = TypeVar("C", bound=Hashable)


@attrs.frozen
class Page(Generic[T, C]):
    """One page of a list: its items and the cursor of the next page (``None``: the last)."""

    items: Sequence[T]
    next: C | None


def check_limit(limit: int | None) -> None:
    """Refuse a limit that is not ``None`` or a non-negative int (before anything is sent)."""
    if limit is None:
        return
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int or None, got {type(limit).__name__} {limit!r:.40}")
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")


def paginate(
    fetch: Callable[[C], Awaitable[Page[T, C]]],
    first: C,
    limit: int | None,
    keep: Callable[[T], bool] | None = None,
) -> AsyncIterator[T]:
    """Iterate over the items of every page, starting at cursor ``first``.

    ``keep`` filters items (a page whose items are all filtered out is not the end); ``limit``
    counts the items yielded. ``limit`` is checked now, so that a bad one fails at the call
    rather than at the first ``async for`` step.
    """
    check_limit(limit)
    return _items(fetch, first, limit, keep)


async def _items(
    fetch: Callable[[C], Awaitable[Page[T, C]]],
    first: C,
    limit: int | None,
    keep: Callable[[T], bool] | None,
) -> AsyncIterator[T]:
    if limit == 0:
        return
    cursor, sent, count = first, {first}, 0
    while True:
        page = await fetch(cursor)
        for item in page.items:
            if keep is not None and not keep(item):
                continue
            yield item
            count += 1
            if count == limit:
                return
        if page.next is None or not page.items or page.next in sent:
            return
        cursor = page.next
        sent.add(cursor)
