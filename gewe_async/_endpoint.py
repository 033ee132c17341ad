"""One endpoint is one declaration: its path, request class, response class and retry safety.

Adding an endpoint to a group takes an `Endpoint` and a short typed method:

```python
GET_PROFILE = Endpoint("personal/getProfile", AppIdRequest, Profile, retry_safe=True)

class PersonalAPI(APIGroup):
    async def get_profile(self, app_id: str, **options: Unpack[RequestOptions]) -> Profile:
        \"\"\"Fetch the profile of the account logged in on ``app_id``.\"\"\"
        return await self._call(GET_PROFILE, AppIdRequest(app_id=app_id), options)
```

Requests are attrs classes built by keyword (``kw_only``): a field the method forgets fails
type checking, not a call at run time. Everything else (encoding, sending, decoding the
envelope, errors) is in ``_pipeline``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from gewe_async._batch import BatchOptions, BatchResult, run_batch
from gewe_async._config import RequestOptions
from gewe_async._paging import Page, paginate

if TYPE_CHECKING:
    from gewe_async._client import AsyncGeweClient

T = TypeVar("T")
A = TypeVar("A")
C = TypeVar("C", bound=Hashable)


@attrs.frozen
class Endpoint(Generic[T]):
    """The declaration of one GeWe endpoint.

    Attributes:
        path: The path under the base URL, ``"<group>/<name>"``.
        request: The attrs class of the request body.
        response: The attrs class that ``data`` is structured into, or ``None`` when the answer
            carries no data.
        retry_safe: Whether sending the request twice is harmless (reads and idempotent setters).
        sends: Whether the call sends a message to a chat, so that the account's send pacing
            applies (see ``_send_pacing``).
    """

    path: str
    request: type[Any]
    response: type[T] | None = None
    retry_safe: bool = False
    sends: bool = False
    _hooks: tuple[Any, Any] | None = attrs.field(default=None, init=False, repr=False, eq=False)

    def _load(self) -> tuple[Any, Any]:
        # Made on first use rather than at import: generating cattrs code for every endpoint
        # would make `import gewe_async` pay for all of them (~2 ms each).
        # cattrs itself loads here too: it is a third of what ``import gewe_async`` costs.
        from gewe_async import _converter

        encode = _converter.unstructurer(self.request)
        decode = None if self.response is None else _converter.structurer(self.response)
        object.__setattr__(self, "_hooks", (encode, decode))
        return encode, decode

    @property
    def encode(self) -> Callable[[Any], dict[str, Any]]:
        """Turn a request object into the JSON-ready dict of its body."""
        hooks = self._hooks or self._load()
        return hooks[0]  # type: ignore[no-any-return]

    @property
    def decode(self) -> Callable[[Any], T] | None:
        """Turn the envelope's ``data`` into the response class (``None``: no data)."""
        hooks = self._hooks or self._load()
        return hooks[1]  # type: ignore[no-any-return]

    @property
    def group(self) -> str:
        """The path's group segment (``personal``, ``login``, ...)."""
        return self.path.partition("/")[0]

    @property
    def name(self) -> str:
        """The path's endpoint name (``getProfile``, ...)."""
        return self.path.partition("/")[2]


def call_options(batch: BatchOptions) -> RequestOptions:
    """The options of each call of a batch: its ``timeout``, if the batch was given one."""
    return {"timeout": batch["timeout"]} if "timeout" in batch else {}


def declared(namespace: Mapping[str, object]) -> tuple[Endpoint[Any], ...]:
    """Return the endpoints a module declares, in order (its ``ENDPOINTS`` tuple).

    Read from the declarations themselves, so that a new `Endpoint` is listed without a second,
    hand-kept tuple to forget; a name bound twice to one endpoint lists it once.
    """
    found: dict[int, Endpoint[Any]] = {}
    for value in namespace.values():
        if isinstance(value, Endpoint):
            found.setdefault(id(value), value)
    return tuple(found.values())


class APIGroup:
    """Base of the ``client.<group>`` objects: holds the client and forwards calls to it."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncGeweClient) -> None:
        self._client = client

    async def _call(self, endpoint: Endpoint[T], request: Any, options: RequestOptions) -> T:
        return await self._client._send(endpoint, request, options)

    def _paged(
        self,
        endpoint: Endpoint[A],
        request_at: Callable[[C], Any],
        start: C,
        read: Callable[[A], Page[T, C]],
        limit: int | None,
        options: RequestOptions,
        keep: Callable[[T], bool] | None = None,
    ) -> AsyncIterator[T]:
        # The iter_* methods' body. The first request is built now, so that bad input fails
        # at the call rather than at the first step of the ``async for``.
        first = request_at(start)

        async def fetch(cursor: C) -> Page[T, C]:
            request = first if cursor == start else request_at(cursor)
            return read(await self._call(endpoint, request, options))

        return paginate(fetch, start, limit, keep)

    async def _fan_out(
        self, endpoint: Endpoint[T], requests: Iterable[Any], batch: BatchOptions
    ) -> BatchResult[T]:
        # The batch helpers' body: requests are built (and so validated) before any is sent;
        # run_batch refuses a duplicate appId before its first call.
        requests = list(requests)
        ids = [request.app_id for request in requests]
        by_id: dict[str, Any] = dict(zip(ids, requests, strict=True))
        options = call_options(batch)

        async def call(app_id: str) -> T:
            return await self._client._send(endpoint, by_id[app_id], options)

        return await self._run_batch(ids, call, batch)

    async def _run_batch(
        self,
        keys: Iterable[str],
        call: Callable[[str], Awaitable[T]],
        batch: BatchOptions,
        *,
        concurrency: int | None = None,
    ) -> BatchResult[T]:
        # run_batch with a method's batch keywords; ``concurrency`` is the method's default when
        # the caller gives none (else the client's in-flight limit).
        default = self._client.limits.max_in_flight if concurrency is None else concurrency
        return await run_batch(
            keys,
            call,
            concurrency=batch.get("concurrency", default),
            on_progress=batch.get("on_progress"),
            fail_fast=batch.get("fail_fast", False),
            deadline=batch.get("deadline"),
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"
