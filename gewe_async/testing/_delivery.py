"""How the fake pushes callbacks: over real HTTP to the callback URL, or in-process.

GeWe posts every callback of a token to the one URL set with ``login/setCallback`` and gives a
push up after 3 s; it may push the same message again, sometimes much later. The fake does
the same, with seeded duplicates and delays for fault tests.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
import ssl
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs
import httpx

from gewe_async.testing._push import test_payload

if TYPE_CHECKING:
    from gewe_async.testing._state import FakeDevice

__all__ = ["CallbackDelivery", "CallbackFaults", "Push"]

log = logging.getLogger("gewe_async.testing")

#: GeWe gives a push up when the receiver has not answered within 3 s.
PUSH_TIMEOUT: Final = 3.0

_ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


class _Feedable(Protocol):
    async def feed(self, payload: Mapping[str, Any]) -> Any: ...


#: What pushes may go to in-process: a dispatcher (``feed``) or an ASGI app.
PushTarget = _Feedable | _ASGIApp


@attrs.frozen
class Push:
    """One push the fake made: what, where, and the receiver's answer."""

    payload: Mapping[str, Any] = attrs.field(repr=False)
    """The callback body."""
    target: str
    """The URL, or ``"dispatcher"`` / ``"app"`` for in-process pushes."""
    status: int | None
    """The HTTP status answered (200 for a dispatcher), ``None`` if the push was given up."""
    duplicate: bool = False
    """Whether this was a deliberate second push of the same callback."""


def _check_rate(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


@attrs.frozen
class CallbackFaults:
    """Seeded faults of the pushes, as GeWe has them: duplicates, some much later.

    A duplicate is pushed in the background ``duplicate_delay`` seconds (drawn up to that
    bound) after the first push; [`settle()`][gewe_async.testing.FakeGewe.settle] waits for
    them.
    """

    duplicate_rate: float = attrs.field(default=0.0, validator=_check_rate)
    """Share of pushes made twice."""
    duplicate_delay: float = 0.0
    """Upper bound of the delay before a duplicate, in seconds."""
    latency: float = 0.0
    """Seconds before every push is sent."""
    seed: int = 0
    """Seed of the draws, so that runs repeat."""


@functools.cache
def _tls() -> ssl.SSLContext:
    # Building a TLS context reads the CA store: do it once, not per push.
    return ssl.create_default_context()


@attrs.define
class CallbackDelivery:
    """The fake's pushing part: where pushes go, their faults, and the pushes made.

    A part of [`FakeGewe`][gewe_async.testing.FakeGewe], which delegates its ``deliver``,
    ``connect``, ``settle``... here; it needs nothing of the fake but its devices (pushes for
    a device made silent are not made), so it stands alone too.
    """

    devices: Mapping[str, FakeDevice] = attrs.field(factory=dict)
    """The devices pushed for: a silent one (``FakeGewe.make_silent``) gets no pushes."""

    pushes: list[Push] = attrs.field(factory=list, init=False)
    """Every push made, in order."""
    callback_faults: CallbackFaults = attrs.field(factory=CallbackFaults, init=False)
    """Duplicates and delays of pushes (none by default); set with ``set_callback_faults``."""
    _connected: Any = attrs.field(default=None, init=False)
    _connected_path: str = attrs.field(default="/", init=False)
    _push_rng: random.Random = attrs.field(factory=random.Random, init=False)
    _in_flight: set[asyncio.Task[Any]] = attrs.field(factory=set, init=False)
    callback_url: str | None = attrs.field(default=None, init=False)
    """The URL ``login/setCallback`` last set: where pushes go."""

    def connect(self, target: PushTarget | None, *, path: str = "/") -> None:
        """Push in-process to ``target`` (see `FakeGewe.connect`)."""
        self._connected = target
        self._connected_path = path

    def set_callback_faults(self, faults: CallbackFaults) -> None:
        """Replace the push faults (and reseed their draws)."""
        self.callback_faults = faults
        self._push_rng = random.Random(faults.seed)  # noqa: S311 - fault draws, not secrets

    async def deliver(self, payload: Mapping[str, Any]) -> int | None:
        """Push ``payload`` as GeWe would (see `FakeGewe.deliver`).

        Raises:
            ValueError: Nothing is connected and no callback URL was set.
        """
        faults = self.callback_faults
        status = await self._push(payload, duplicate=False)
        if faults.duplicate_rate and self._push_rng.random() < faults.duplicate_rate:
            delay = self._push_rng.uniform(0.0, faults.duplicate_delay)
            task = asyncio.create_task(self._push_later(payload, delay))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return status

    async def settle(self) -> None:
        """Wait for the pushes still under way."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    def push_test_callback(self) -> None:
        """Send the test push in the background."""
        self.push_soon(test_payload())

    @property
    def has_target(self) -> bool:
        """Whether a push would go somewhere (something connected, or a callback URL set)."""
        return self._connected is not None or self.callback_url is not None

    @property
    def in_flight(self) -> int:
        """How many pushes are under way (delayed duplicates, background pushes)."""
        return len(self._in_flight)

    def push_soon(self, payload: Mapping[str, Any]) -> None:
        """Push ``payload`` in the background; `settle` waits for it."""
        task = asyncio.get_running_loop().create_task(self._push(payload, duplicate=False))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _push_later(self, payload: Mapping[str, Any], delay: float) -> None:
        await asyncio.sleep(delay)
        await self._push(payload, duplicate=True)

    async def _push(self, payload: Mapping[str, Any], *, duplicate: bool) -> int | None:
        device = self.devices.get(payload.get("Appid"))  # type: ignore[arg-type]
        if device is not None and device.fleet.silent:  # FakeGewe.make_silent
            return None
        if self.callback_faults.latency:
            await asyncio.sleep(self.callback_faults.latency)
        target = self._connected
        status: int | None
        if target is not None and hasattr(target, "feed"):
            await target.feed(payload)
            where, status = "dispatcher", 200
        else:
            body = json.dumps(payload, ensure_ascii=False).encode()
            if target is not None:
                where = "app"
                transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=target)
                url = f"http://127.0.0.1{self._connected_path}"
            elif self.callback_url is not None:
                where = url = self.callback_url
                transport = httpx.AsyncHTTPTransport(verify=_tls())
            else:
                raise ValueError("no callback URL: call login/setCallback or connect() first")
            status = await _post(transport, url, body)
        self.pushes.append(Push(payload, where, status, duplicate))
        return status


async def _post(transport: httpx.AsyncBaseTransport, url: str, body: bytes) -> int | None:
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(transport=transport, timeout=PUSH_TIMEOUT) as http:
        try:
            answer = await http.post(url, content=body, headers=headers)
        except Exception as exc:  # GeWe gives a push up, whatever went wrong
            log.info("push to %s given up: %r", url, exc)
            return None
        return answer.status_code
