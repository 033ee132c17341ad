"""``AsyncGeweClient``: configuration, lifecycle and the API groups."""

from __future__ import annotations

import functools
import ipaddress
import os
import warnings
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Final, Literal, Self, TypeVar
from urllib.parse import urlsplit

import attrs
import httpx

from gewe_async import _pipeline
from gewe_async._config import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    RequestOptions,
    as_max_retries,
    as_timeout,
    as_total_timeout,
)
from gewe_async._endpoint import Endpoint
from gewe_async._events import EventHook
from gewe_async._limits import Limiter, Limits
from gewe_async._redact import REDACTED, Redactor, Secret
from gewe_async._retry import Retries
from gewe_async._send_pacing import DEFAULT_SEND_INTERVAL, SendPacer, as_send_interval
from gewe_async._transport import (
    DEFAULT_MAX_ANSWER_SIZE,
    AiohttpTransport,
    Answer,
    read_capped,
)
from gewe_async.exceptions import (
    GeweClientClosedError,
    GeweConfigError,
    GeweResponseTooLargeError,
)
from gewe_async.media._resolve import check_media

if TYPE_CHECKING:
    from gewe_async._api.contacts import ContactsAPI
    from gewe_async._api.favor import FavorAPI
    from gewe_async._api.finder import FinderAPI
    from gewe_async._api.group import GroupAPI
    from gewe_async._api.im import ImAPI
    from gewe_async._api.label import LabelAPI
    from gewe_async._api.login import LoginAPI
    from gewe_async._api.message import MessageAPI
    from gewe_async._api.personal import PersonalAPI
    from gewe_async._api.sns import SnsAPI
    from gewe_async.fleet._budget import Budgets
    from gewe_async.media import MediaHost

__all__ = ["AsyncGeweClient", "GeweInsecureTransportWarning"]

T = TypeVar("T")

_OFFICIAL_HOST: Final = urlsplit(DEFAULT_BASE_URL).hostname
_OPTIONS: Final = frozenset(RequestOptions.__annotations__)


class _Keep(Enum):
    KEEP = "keep"


_KEEP: Final = _Keep.KEEP


class GeweInsecureTransportWarning(UserWarning):
    """The token is about to travel in clear text (plain ``http://``) to a non-local host."""


@attrs.define(eq=False, repr=False)
class _Core:
    """What a client and all its ``with_options()`` views share: the pool, the token, the state."""

    http: httpx.AsyncClient
    owns_http: bool
    send: _pipeline.Sender
    base_url: str
    redactor: Redactor
    limiter: Limiter
    hooks: tuple[EventHook, ...] = ()
    send_pacer: SendPacer = attrs.Factory(SendPacer)
    budgets: Budgets | None = None  # gewe_async.fleet: checked before the pipeline
    #: Whether `send` ends each attempt within its pool + connect + read timeouts by itself.
    bounds_attempts: bool = False
    closed: bool = False
    urls: dict[str, httpx.URL] = attrs.Factory(dict)
    media: MediaHost | None = None

    def url(self, path: str) -> httpx.URL:
        """The endpoint's full URL, parsed once: httpx re-parses a string on every request."""
        url = self.urls.get(path)
        if url is None:
            url = self.urls[path] = httpx.URL(self.base_url + path)
        return url

    def __del__(self) -> None:
        # Warn, never clean up: closing needs the event loop, which may be gone by now.
        if self.owns_http and not self.closed:
            warnings.warn(
                "AsyncGeweClient was never closed: use `async with AsyncGeweClient(...)` or "
                "`await client.aclose()`",
                ResourceWarning,
                stacklevel=1,
                source=self,
            )


class AsyncGeweClient:
    """An async client for the GeWe API.

    Use it as an async context manager, so that its connection pool is closed:

    ```python
    async with AsyncGeweClient(token="...") as client:
        profile = await client.personal.get_profile("wx_123")
    ```

    Calls for different appIds may run concurrently (``asyncio.gather``).

    Args:
        token: The ``X-GEWE-TOKEN``. Defaults to the ``GEWE_TOKEN`` environment variable.
        base_url: The API root, up to and including ``/v2/api``. Defaults to ``GEWE_BASE_URL``,
            else the hosted ``http://api.geweapi.com/gewe/v2/api``.
        timeout: Seconds, or an `httpx.Timeout`, for each call. The default is 5 s to
            connect and 30 s per read, write and pool wait; with ``http_client`` it is that
            client's own timeout. Each call may override it with ``timeout=``.
        http_client: An `httpx.AsyncClient` to send requests with (for proxies, custom
            transports, tests). It is used as given and never closed by this client.
        transport: An httpx transport for the client's own pool (for example
            ``httpx.ASGITransport`` to call an ASGI app in-process). Not with ``http_client``.
        limits: How many calls run at once and how fast ([`Limits`][gewe_async.Limits]). By default
            64 calls
            are in flight at once, one at a time per appId, with no pacing.
        retries: Which failures are retried and how ([`Retries`][gewe_async.Retries]). By default 2
            retries
            with jittered backoff, and only where repeating the request is safe.
        total_timeout: Seconds for a whole call: waiting its turn, every attempt, every
            backoff (default 120; ``None`` for no limit beyond the per-attempt ``timeout``).
        event_hooks: Functions called with a [`CallEvent`][gewe_async.CallEvent] after every
            attempt, for metrics. A hook that raises is logged (rate-limited) and never changes
            the call's outcome.
        send_interval: Seconds between the starts of two message sends of one appId (default
            1.5: at most 40 a minute, as GeWe's account guides advise); ``0`` or ``None`` for
            no pacing. Other calls and other appIds are not slowed. Each send may override it
            with ``send_interval=``.
        max_answer_size: The largest answer read, in bytes after decompression (default
            32 MiB, far above GeWe's largest answers); a larger one raises
            [`GeweResponseTooLargeError`][gewe_async.exceptions.GeweResponseTooLargeError].
        media: Where local files and bytes given to the media sends are published
            ([`MediaHost`][gewe_async.media.MediaHost]); without one they take URLs only.
        budgets: Per-account risk budgets checked before each call that spends one
            ([`Budgets`][gewe_async.fleet.Budgets]: friend requests, new friends, chats a
            minute); `None` (the default) for none.

    Raises:
        GeweConfigError: No token was given, or the token or base URL is malformed.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        limits: Limits | None = None,
        retries: Retries | None = None,
        total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        event_hooks: Sequence[EventHook] = (),
        send_interval: float | None = DEFAULT_SEND_INTERVAL,
        max_answer_size: int = DEFAULT_MAX_ANSWER_SIZE,
        media: MediaHost | None = None,
        budgets: Budgets | None = None,
    ) -> None:
        secret = Secret(_check_token(token if token is not None else os.environ.get("GEWE_TOKEN")))
        base = _check_base_url(base_url or os.environ.get("GEWE_BASE_URL") or DEFAULT_BASE_URL)
        media = check_media(media, secret.value)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError(f"http_client must be an httpx.AsyncClient, got {http_client!r}")
        if http_client is not None and transport is not None:
            raise GeweConfigError("pass either http_client or transport, not both")
        if timeout is None:
            given = http_client.timeout if http_client is not None else None
            timeout = given if given is not None and None not in _phases(given) else DEFAULT_TIMEOUT
        self._set_timeout(as_timeout(timeout))
        self._retries = _check_retries(Retries() if retries is None else retries)
        self._total_timeout = as_total_timeout(total_timeout)
        self._send_interval = as_send_interval(send_interval)
        if not all(callable(hook) for hook in event_hooks):
            raise TypeError("event_hooks must be callables taking a CallEvent")
        if isinstance(max_answer_size, bool) or not isinstance(max_answer_size, int):
            raise TypeError(f"max_answer_size must be an int of bytes, got {max_answer_size!r}")
        if max_answer_size < 1:
            raise ValueError(f"max_answer_size must be at least 1, got {max_answer_size}")
        limits = Limits() if limits is None else limits
        if not isinstance(limits, Limits):
            raise TypeError(f"limits must be a gewe_async.Limits, got {limits!r}")
        if budgets is not None:
            from gewe_async.fleet._budget import Budgets

            if not isinstance(budgets, Budgets):
                raise TypeError(f"budgets must be a gewe_async.fleet.Budgets, got {budgets!r}")
        owns = http_client is None
        if http_client is None:
            # One connection per call in flight: requests never wait inside the pool.
            pool = httpx.Limits(
                max_connections=limits.max_in_flight,
                max_keepalive_connections=limits.max_in_flight,
            )
            if transport is None:
                transport = AiohttpTransport(limits=pool)
            http_client = httpx.AsyncClient(timeout=timeout, transport=transport, limits=pool)
        headers = httpx.Headers(http_client.headers)
        headers.update({**_pipeline.JSON_HEADERS, "X-GEWE-TOKEN": secret.value})
        self._core = _Core(
            http=http_client,
            owns_http=owns,
            send=_sender(http_client, transport if owns else None, headers, max_answer_size),
            base_url=base,
            redactor=Redactor(secret),
            limiter=Limiter(limits),
            hooks=tuple(event_hooks),
            bounds_attempts=owns and isinstance(transport, AiohttpTransport),
            media=media,
            budgets=budgets,
        )

    def _set_timeout(self, timeout: httpx.Timeout) -> None:
        self._timeout = timeout
        self._phases = timeout.as_dict()

    # -- the API groups --------------------------------------------------------------------
    # Each group's module builds hundreds of attrs models when imported: loading all ten made
    # ``import gewe_async`` cost twice ``import httpx``, so a group's module loads on first use.

    @functools.cached_property
    def personal(self) -> PersonalAPI:
        """The personal module: the account's own profile, QR code, devices and privacy."""
        from gewe_async._api.personal import PersonalAPI

        return PersonalAPI(self)

    @functools.cached_property
    def login(self) -> LoginAPI:
        """The login module: devices, logging accounts in and out, the message callback."""
        from gewe_async._api.login import LoginAPI

        return LoginAPI(self)

    @functools.cached_property
    def message(self) -> MessageAPI:
        """The message module: sending messages (never repeated by retries once sent)."""
        from gewe_async._api.message import MessageAPI

        return MessageAPI(self)

    @functools.cached_property
    def contacts(self) -> ContactsAPI:
        """The contacts module: friends, look-ups, remarks and the phone address book."""
        from gewe_async._api.contacts import ContactsAPI

        return ContactsAPI(self)

    @functools.cached_property
    def im(self) -> ImAPI:
        """The WeCom module: WeCom (企业微信) contacts."""
        from gewe_async._api.im import ImAPI

        return ImAPI(self)

    @functools.cached_property
    def group(self) -> GroupAPI:
        """The group module: group chats, members, admins and announcements."""
        from gewe_async._api.group import GroupAPI

        return GroupAPI(self)

    @functools.cached_property
    def label(self) -> LabelAPI:
        """The label module: contact labels (tags)."""
        from gewe_async._api.label import LabelAPI

        return LabelAPI(self)

    @functools.cached_property
    def sns(self) -> SnsAPI:
        """The Moments module: posting, listing, liking and commenting on Moments."""
        from gewe_async._api.sns import SnsAPI

        return SnsAPI(self)

    @functools.cached_property
    def favor(self) -> FavorAPI:
        """The favorites module: the account's saved items."""
        from gewe_async._api.favor import FavorAPI

        return FavorAPI(self)

    @functools.cached_property
    def finder(self) -> FinderAPI:
        """The Channels module: WeChat Channels (视频号)."""
        from gewe_async._api.finder import FinderAPI

        return FinderAPI(self)

    # -- configuration ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root that endpoint paths are appended to."""
        return self._core.base_url.rstrip("/")

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeout applied to each call unless the call overrides it."""
        return self._timeout

    @property
    def limits(self) -> Limits:
        """The concurrency and pacing limits shared by this client and its views."""
        return self._core.limiter.limits

    @property
    def media(self) -> MediaHost | None:
        """Where local files and bytes of the media sends are published (``None``: URLs only)."""
        return self._core.media

    @property
    def is_closed(self) -> bool:
        """Whether `aclose()` was called (on this client or any view sharing its pool)."""
        return self._core.closed

    @property
    def retries(self) -> Retries:
        """The retry policy of this client (or view)."""
        return self._retries

    @property
    def send_interval(self) -> float | None:
        """Seconds between two sends of one appId (``None``: no pacing)."""
        return self._send_interval

    @property
    def budgets(self) -> Budgets | None:
        """The risk budgets checked before sends (``None``: none); shared with views."""
        return self._core.budgets

    @property
    def total_timeout(self) -> float | None:
        """The limit on a whole call, retries included (``None``: none)."""
        return self._total_timeout

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        retries: Retries | None = None,
        total_timeout: float | Literal[_Keep.KEEP] | None = _KEEP,
    ) -> AsyncGeweClient:
        """Return a view of this client with other defaults, sharing its connection pool.

        The original is not changed, and the view costs no new connections, limits or hooks:

        ```python
        patient = client.with_options(timeout=120, max_retries=5)
        await patient.personal.get_qr_code("wx_123")
        ```

        Closing either closes the shared pool.
        """
        view = object.__new__(AsyncGeweClient)
        view._core = self._core
        view._set_timeout(self._timeout if timeout is None else as_timeout(timeout))
        policy = self._retries if retries is None else _check_retries(retries)
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=as_max_retries(max_retries))
        view._retries = policy
        view._send_interval = self._send_interval
        view._total_timeout = (
            self._total_timeout if total_timeout is _KEEP else as_total_timeout(total_timeout)
        )
        return view

    def __repr__(self) -> str:
        state = " closed" if self._core.closed else ""
        return (
            f"<AsyncGeweClient{state} base_url={_without_password(self.base_url)!r} "
            f"token={REDACTED!r} "
            f"timeout={self._timeout!r}>"
        )

    # -- lifecycle --------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the connection pool, unless it belongs to a user-supplied ``http_client``.

        Calls made afterwards raise
        [`GeweClientClosedError`][gewe_async.exceptions.GeweClientClosedError]. Closing twice
        is harmless.
        """
        core = self._core
        if core.closed:
            return
        core.closed = True
        if core.owns_http:
            await core.http.aclose()

    async def __aenter__(self) -> Self:
        if self._core.closed:
            raise GeweClientClosedError("this client is closed; create a new one")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- the call path ----------------------------------------------------------------------

    async def _send(self, endpoint: Endpoint[T], request: Any, options: RequestOptions) -> T:
        core = self._core
        if core.closed:
            raise GeweClientClosedError(
                "this client is closed; create a new one",
                endpoint=endpoint.path,
                app_id=getattr(request, "app_id", None),
            )
        phases, max_retries, total = self._phases, self._retries.max_retries, self._total_timeout
        send_interval = self._send_interval
        if options:
            unknown = options.keys() - _OPTIONS
            if unknown:
                raise TypeError(f"unexpected keyword argument(s): {', '.join(sorted(unknown))}")
            if "timeout" in options:
                phases = as_timeout(options["timeout"]).as_dict()
            if "max_retries" in options:
                max_retries = as_max_retries(options["max_retries"])
            if "total_timeout" in options:
                total = as_total_timeout(options["total_timeout"])
            if "send_interval" in options:
                send_interval = as_send_interval(options["send_interval"])
        budgets = core.budgets
        # Budgets wait outside the total timeout: a "wait" policy may hold a call for minutes.
        ticket = None if budgets is None else await budgets.charge(endpoint, request)
        try:
            return await _pipeline.run(
                core,
                endpoint,
                request,
                timeout=phases,
                retries=self._retries,
                max_retries=max_retries,
                total_timeout=total,
                hooks=core.hooks,
                send_interval=send_interval,
            )
        except BaseException as exc:
            if ticket is not None and budgets is not None:
                budgets.refund(ticket, exc)  # what GeWe refused or never got is not spent
            raise


def _sender(
    http: httpx.AsyncClient,
    transport: httpx.AsyncBaseTransport | None,
    headers: httpx.Headers,
    max_size: int,
) -> _pipeline.Sender:
    """How this client POSTs: the fastest way that keeps the semantics of its httpx client.

    A client we built ourselves (``transport`` given) has no auth, cookies, redirects or event
    hooks, so ``httpx.AsyncClient.send`` would only add its bookkeeping (about 40 us a call, a
    fifth of a call's CPU at high concurrency); we hand requests to its transport directly.
    A user's ``http_client`` gets the full ``send``, with its hooks, auth and mounts.
    Either way the answer is read through `read_capped`, so ``max_size`` holds on every path.
    """
    if isinstance(transport, AiohttpTransport):
        pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers.raw]
        answer = transport.answer

        async def send(url: httpx.URL, body: bytes, timeout: dict[str, float | None]) -> Answer:
            return await answer(url, pairs, body, timeout, max_size)

        return send

    async def send_request(url: httpx.URL, body: bytes, timeout: dict[str, float | None]) -> Answer:
        request = httpx.Request(
            "POST", url, headers=headers, content=body, extensions={"timeout": timeout}
        )
        if transport is None:
            response = await http.send(request, stream=True)
        else:
            response = await transport.handle_async_request(request)
        try:
            if response.is_stream_consumed:  # a transport that read it already (mocks)
                content = response.content
                if len(content) > max_size:
                    raise GeweResponseTooLargeError(limit=max_size)
            else:
                encoding = response.headers.get("Content-Encoding", "")
                content = await read_capped(response.aiter_raw(), encoding, max_size)
        finally:
            await response.aclose()
        return Answer(response.status_code, response.headers.raw, content)

    return send_request


def _without_password(url: str) -> str:
    """The URL with the password of any ``user:password@`` hidden."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{parts.username}:{REDACTED}@{host}").geturl()


def _phases(timeout: httpx.Timeout) -> tuple[float | None, ...]:
    return (timeout.connect, timeout.read, timeout.write, timeout.pool)


def _check_retries(retries: object) -> Retries:
    if not isinstance(retries, Retries):
        raise TypeError(f"retries must be a gewe_async.Retries, got {retries!r}")
    return retries


def _check_token(token: object) -> str:
    if token is None:
        raise GeweConfigError(
            "no GeWe token: pass AsyncGeweClient(token=...) or set the GEWE_TOKEN environment "
            "variable"
        )
    if not isinstance(token, str):
        raise GeweConfigError(f"token must be a str, got {type(token).__name__}")
    if not token or not token.isascii() or not token.isprintable() or token.strip() != token:
        # Never echo the token itself, even a malformed one.
        raise GeweConfigError(
            "token must be a non-empty string of printable ASCII characters without spaces"
        )
    return token


def _check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GeweConfigError(f"base_url must be an http(s) URL with a host, got {url!r}")
    host = parts.hostname
    if parts.scheme == "http" and host != _OFFICIAL_HOST and not is_loopback(host):
        warnings.warn(
            f"the GeWe token will be sent in clear text over plain http to {host}; "
            "use https for anything but the official API and loopback",
            GeweInsecureTransportWarning,
            stacklevel=3,
        )
    return url.rstrip("/") + "/"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: ``localhost``, ``127.0.0.0/8`` or ``::1``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
