"""``FakeGewe``: an in-memory GeWe server, as an ASGI app, that answers as the official pages do."""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import math
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, MutableMapping
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any, Final

import attrs
import httpx

from gewe_async._client import AsyncGeweClient
from gewe_async.testing._delivery import CallbackDelivery, CallbackFaults, Push, PushTarget
from gewe_async.testing._fleet import FleetControls, zombie_refusal
from gewe_async.testing._graph import FriendRequest, Group, Person
from gewe_async.testing._graph_callbacks import callback_envelope
from gewe_async.testing._media import fetch_media
from gewe_async.testing._push import CallbackBuilders
from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes import ROUTES, FakeRoute
from gewe_async.testing._state import FakeDevice, PendingLogin, RecordedRequest

__all__ = ["FakeGewe", "Faults"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

#: The in-process base URL of `FakeGewe.client()`: loopback, so no insecure-http warning.
IN_PROCESS_BASE_URL: Final = "http://127.0.0.1/v2/api"

_PROXY_PAGE: Final = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def _check_rate(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


def _check_seconds(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    # NaN compares false with everything, so `value < 0` alone let it through, and a NaN
    # latency then made every request of the fake fail inside asyncio.sleep.
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a finite number of seconds >= 0, got {value}")


@attrs.frozen
class Faults:
    """Seeded fault injection: what share of requests fail, and how.

    Rates are independent shares of all requests, drawn in this order:

    - ``error_rate``: a proxy's HTML 502 or 503 page with ``Retry-After`` (not processed);
    - ``drop_rate``: processed, then headers and the connection is closed;
    - ``truncate_rate``: processed, then half the body and the connection is closed;
    - ``stall_rate``: processed, then the answer waits ``stall`` seconds (past a client timeout);
    - ``garbage_rate``: HTTP 200 with an HTML body, as a captive proxy sends (not processed);
    - ``bad_data_rate``: processed, then ``ret: 200`` with ``data`` that fits no schema.

    Drops and truncations need a real connection, so they apply only when the fake is served
    over TCP.
    """

    latency: float = attrs.field(default=0.0, validator=_check_seconds)
    """Seconds added before every answer."""
    error_rate: float = attrs.field(default=0.0, validator=_check_rate)
    drop_rate: float = attrs.field(default=0.0, validator=_check_rate)
    truncate_rate: float = attrs.field(default=0.0, validator=_check_rate)
    stall_rate: float = attrs.field(default=0.0, validator=_check_rate)
    garbage_rate: float = attrs.field(default=0.0, validator=_check_rate)
    bad_data_rate: float = attrs.field(default=0.0, validator=_check_rate)
    stall: float = attrs.field(default=5.0, validator=_check_seconds)
    """How long a stalled answer waits, in seconds."""
    retry_after: float = attrs.field(default=1.0, validator=_check_seconds)
    """The ``Retry-After`` the 502/503 pages carry, in seconds."""
    seed: int = 0
    """Seed of the fault draws, so that runs repeat."""

    def __attrs_post_init__(self) -> None:
        total = (
            self.error_rate
            + self.drop_rate
            + self.truncate_rate
            + self.stall_rate
            + self.garbage_rate
            + self.bad_data_rate
        )
        if total > 1:
            raise ValueError(f"the fault rates add up to {total:g}, more than 1")

    @classmethod
    def spread(cls, rate: float, *, latency: float = 0.0, seed: int = 0) -> Faults:
        """Split ``rate`` evenly between the transient faults: 50x pages, drops, truncations."""
        return cls(
            latency=latency,
            error_rate=rate / 3,
            drop_rate=rate / 3,
            truncate_rate=rate / 3,
            seed=seed,
        )


@attrs.define
class FakeGewe(CallbackBuilders):
    """An in-memory GeWe server for tests, demos and benchmarks.

    It answers like the official pages document: the ``{ret, msg, data}`` envelope with HTTP
    200, the documented ``ret: 500`` refusals for a missing or wrong token, an unknown appId, an
    offline account or a missing field, and state that calls change:

    ```python
    fake = FakeGewe(token="t")
    fake.add_device("wx_1", nick_name="Alice")
    async with fake.client() as client:
        await client.personal.update_head_img("wx_1", "https://example.com/a.png")
        assert (await client.personal.get_profile("wx_1")).big_head_img_url.endswith("a.png")
    ```

    It is composed of parts that each hold what they need: the routes (``_routes``, one
    handler per endpoint), the devices and their state, the pushing part
    (`delivery`), and the ``receive_<kind>`` methods of
    [`CallbackBuilders`][gewe_async.testing.CallbackBuilders], whose push is `deliver`.
    """

    token: str = "fake-gewe-token"  # noqa: S105 - the fake's own, public by design
    """The token the fake accepts."""
    faults: Faults = attrs.field(factory=Faults)
    """Latency and failures to inject (none by default)."""
    devices: dict[str, FakeDevice] = attrs.field(factory=dict, init=False)
    """Every device, by appId: inspect or change them in tests."""
    requests: list[RecordedRequest] = attrs.field(factory=list, init=False)
    """Every request received, in order of arrival."""
    record_requests: bool = True
    """Set to ``False`` for long benchmark runs, so that memory stays flat."""
    qr_lifetime: float = 150.0
    """Seconds a login QR code lasts (about 150 s on the real server)."""
    auto_login: bool = False
    """Logins advance on their own: scanned at the first ``checkLogin``, confirmed at the
    second (for demos and for testing programs that cannot call
    [`scan()`][gewe_async.testing.FakeGewe.scan])."""
    fetched_media: dict[str, bytes] = attrs.field(factory=dict, init=False)
    """What media sends' loopback URLs served, by URL: the fake downloads them as GeWe does
    (a [`MediaHost`][gewe_async.media.MediaHost] under test); other hosts are never fetched."""
    delivery: CallbackDelivery = attrs.field(init=False, repr=False)
    """The pushing part: where callbacks go, their faults, the pushes made."""
    fleet: FleetControls = attrs.field(init=False, repr=False)
    """Fleet troubles: accounts offline, silent or zombie, a graph that churns."""
    _created: int = attrs.field(default=0, init=False)
    _notices_pushed: dict[str, int] = attrs.field(factory=dict, init=False)
    # NewMsgIds of the fake's own pushes: unique, and above 2**53 like the real ones.
    _push_ids: Iterator[int] = attrs.field(
        factory=lambda: itertools.count(7_100_000_000_000_000_000), init=False
    )
    _rng: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._rng = random.Random(self.faults.seed)  # noqa: S311 - fault draws, not secrets
        self.delivery = CallbackDelivery(self.devices)
        self.fleet = FleetControls(self.devices, self.delivery)
        CallbackBuilders.__init__(self, self.devices, self.deliver)

    def __repr__(self) -> str:
        return f"<FakeGewe devices={len(self.devices)} requests={len(self.requests)}>"

    # -- state --------------------------------------------------------------------------------

    def add_device(self, app_id: str, **profile: Any) -> FakeDevice:
        """Add a logged-in device; profile fields not given get sensible defaults."""
        if app_id in self.devices:
            raise ValueError(f"device {app_id!r} exists already")
        device = FakeDevice(app_id, **profile)
        self.devices[app_id] = device
        return device

    def set_offline(self, app_id: str) -> None:
        """Log the device's account out: its calls are refused with 微信已离线."""
        self.devices[app_id].online = False

    def set_online(self, app_id: str) -> None:
        """Bring the device's account back online."""
        self.devices[app_id].online = True

    # -- seeding the social graph (each on the device's `SocialGraph`) ------------------------

    def add_friend(self, app_id: str, wxid: str, **fields: Any) -> Person:
        """Make ``wxid`` a friend of the device (fields as `Person`: ``nick_name=``, ...)."""
        return self.devices[app_id].graph.add_friend(wxid, **fields)

    def add_group(
        self,
        app_id: str,
        members: list[str],
        *,
        owner: str | None = None,
        **fields: Any,
    ) -> Group:
        """Put the device in a group with ``members`` (the device owns it unless ``owner``)."""
        device = self.devices[app_id]
        me = device.wxid
        return device.graph.add_group(owner or me, [me, *members], **fields)

    def add_friend_request(self, app_id: str, wxid: str, **fields: Any) -> FriendRequest:
        """Have ``wxid`` send the device a friend request; returns its tickets."""
        return self.devices[app_id].graph.add_friend_request(wxid, **fields)

    def add_label(self, app_id: str, name: str) -> int:
        """Create a label on the device; returns its id."""
        graph = self.devices[app_id].graph
        label_id = max(graph.labels, default=0) + 1
        graph.labels[label_id] = name
        return label_id

    # -- pushing callbacks (delegated to `delivery`) ------------------------------------------

    @property
    def pushes(self) -> list[Push]:
        """Every push made, in order."""
        return self.delivery.pushes

    @property
    def callback_faults(self) -> CallbackFaults:
        """Duplicates and delays of pushes (none by default); set with `set_callback_faults`."""
        return self.delivery.callback_faults

    @property
    def callback_url(self) -> str | None:
        """The URL ``login/setCallback`` last set: where pushes go."""
        return self.delivery.callback_url

    @callback_url.setter
    def callback_url(self, url: str | None) -> None:
        self.delivery.callback_url = url

    @property
    def _in_flight(self) -> int:
        # For BotHarness, which waits until no push is under way.
        return self.delivery.in_flight

    def connect(self, target: PushTarget | None, *, path: str = "/") -> None:
        """Push in-process to ``target`` instead of the callback URL (``None`` undoes it).

        ``target`` is a [`Dispatcher`][gewe_async.bot.Dispatcher] (its handlers run before
        ``deliver`` returns) or an ASGI app such as
        [`ASGIReceiver`][gewe_async.bot.ASGIReceiver] (pushed to ``path``).

        ```python
        fake.connect(dp)                      # in-process: handlers run before deliver returns
        await fake.deliver(payload)
        # or over HTTP to what login/setCallback set:
        await client.login.set_callback(fake.token, "http://127.0.0.1:8000/gewe/s3cret")
        await fake.deliver(payload)           # POSTed there; returns the status answered
        ```
        """
        self.delivery.connect(target, path=path)

    def set_callback_faults(self, faults: CallbackFaults) -> None:
        """Replace the push faults (and reseed their draws)."""
        self.delivery.set_callback_faults(faults)

    async def deliver(self, payload: Mapping[str, Any]) -> int | None:
        """Push ``payload`` as GeWe would; return the status answered (``None``: given up).

        Pushes go to the connected dispatcher or app, else to the callback URL. With
        [`CallbackFaults`][gewe_async.testing.CallbackFaults] some are pushed again later.

        Raises:
            ValueError: Nothing is connected and no callback URL was set.
        """
        return await self.delivery.deliver(payload)

    async def settle(self) -> None:
        """Wait for the pushes still under way (delayed duplicates, the test push)."""
        await self.delivery.settle()

    def push_test_callback(self) -> None:
        """Send the test push to the callback URL in the background (as ``setCallback`` does)."""
        self.delivery.push_test_callback()

    def push_soon(self, payload: Mapping[str, Any]) -> None:
        """Push ``payload`` in the background, as the server does after answering a call.

        [`settle()`][gewe_async.testing.FakeGewe.settle] waits for it.
        """
        self.delivery.push_soon(payload)

    # -- fleet troubles (delegated to `fleet`) -----------------------------------------------

    async def take_offline(
        self, app_id: str, *, push: bool = True, reconnection_cures: bool = False
    ) -> None:
        """Log the account out as the server does: ``checkOnline`` false, calls refused.

        Args:
            app_id: The device.
            push: Push the ``Offline`` callback, as GeWe does (when there is something to
                push to: `connect()` or a callback URL).
            reconnection_cures: The phone still shows the iPad online, and
                ``login/reconnection`` brings the account back.
        """
        await self.fleet.take_offline(app_id, push=push, reconnection_cures=reconnection_cures)

    def make_silent(self, app_id: str) -> None:
        """Keep the account online but push nothing for it (a stuck callback)."""
        self.fleet.make_silent(app_id)

    def make_zombie(self, app_id: str, *, reconnection_cures: bool = False) -> None:
        """``checkOnline`` true, every other call refused with ``微信已离线``.

        With ``reconnection_cures``, a ``login/reconnection`` ends it.
        """
        self.fleet.make_zombie(app_id, reconnection_cures=reconnection_cures)

    def make_healthy(self, app_id: str) -> None:
        """Online, pushed for, answering: undo the troubles above."""
        self.fleet.make_healthy(app_id)

    def churn(self, app_id: str, *, changes: int = 10, seed: int = 0) -> list[str]:
        """Change the device's contacts and groups behind the bot's back (no push).

        What a periodic sync must catch; returns one line per change.
        """
        return self.fleet.churn(app_id, changes=changes, seed=seed)

    # -- logins -----------------------------------------------------------------------------

    def scan(self, app_id: str, *, needs_verification: bool = False) -> None:
        """Scan the device's login QR code with the phone (``checkLogin`` then says scanned).

        Args:
            app_id: The device logging in.
            needs_verification: The phone asks to verify the new device, and ``checkLogin``
                refuses with that request until
                [`verify()`][gewe_async.testing.FakeGewe.verify] is called.
        """
        pending = self._pending(app_id)
        pending.status = 1
        pending.needs_verification = needs_verification

    def verify(self, app_id: str) -> None:
        """Complete the new-device verification the phone asked for."""
        self._pending(app_id).needs_verification = False

    def confirm(self, app_id: str) -> None:
        """Confirm the login on the phone: the next ``checkLogin`` reports it logged in."""
        pending = self._pending(app_id)
        if pending.status < 1:
            raise ValueError(f"scan the QR code of {app_id!r} before confirming")
        pending.status = 2
        self.devices[app_id].online = True

    def expire_login(self, app_id: str) -> None:
        """Let the device's login QR code expire now."""
        self._pending(app_id).expires_at = 0.0

    def new_uuid(self) -> str:
        """A fresh QR code uuid (20 characters, like the real ones)."""
        return uuid.uuid4().hex[:20]

    def _pending(self, app_id: str) -> PendingLogin:
        pending = self.devices[app_id].pending_login
        if pending is None:
            raise ValueError(f"no login in progress on {app_id!r}: get a QR code first")
        return pending

    def set_faults(self, faults: Faults) -> None:
        """Replace the fault plan (and reseed the draws)."""
        self.faults = faults
        self._rng = random.Random(faults.seed)  # noqa: S311

    @property
    def qr_code_base64(self) -> str:
        """The QR code image every device returns (the official example's JPEG)."""
        return _qr_code()

    # -- serving ------------------------------------------------------------------------------

    @property
    def app(self) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        """The ASGI application."""
        return self._asgi

    def client(self, **client_options: Any) -> AsyncGeweClient:
        """An `AsyncGeweClient` wired to this fake in-process (no port, no thread).

        ``client_options`` are passed to the client (``timeout``, ...). Send pacing is off
        unless given (``send_interval=1.5``): tests should not wait on the wall clock.
        """
        client_options.setdefault("send_interval", 0)
        client_options.setdefault("token", self.token)
        client_options.setdefault("base_url", IN_PROCESS_BASE_URL)
        return AsyncGeweClient(transport=httpx.ASGITransport(app=self.app), **client_options)

    @asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the fake over real HTTP with uvicorn while the block runs; yields the base URL.

        Port 0 picks a free port. Needs the ``server`` extra (``pip install gewe-async[server]``).
        """
        from gewe_async.testing._server import running_server

        async with running_server(self._asgi_over_tcp, host, port) as base_url:
            yield base_url

    async def _asgi_over_tcp(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._handle(scope, receive, send, over_tcp=True)

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._handle(scope, receive, send, over_tcp=False)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, *, over_tcp: bool) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        raw = await _read_body(receive)
        if raw is None:
            await _send_proxy_page(send, 413, None)
            return
        if scope["method"] != "POST":
            await _send_text(send, 405, "Method Not Allowed")
            return
        segments = [s for s in scope["path"].split("/") if s]
        path = "/".join(segments[-2:])
        route = ROUTES.get(path)
        if route is None:
            await _send_text(send, 404, "Not Found")
            return

        faults = self.faults
        if faults.latency:
            await asyncio.sleep(faults.latency)
        fault = self._draw_fault(over_tcp)
        if fault in ("502", "503"):
            await _send_proxy_page(send, int(fault), faults.retry_after)
            return
        if fault == "garbage":
            await _send_text(send, 200, "<html><body>Please log in to the Wi-Fi</body></html>")
            return

        headers = dict(scope["headers"])
        token = headers.get(b"x-gewe-token", b"").decode("latin-1")
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, RecursionError):  # not JSON, or nested past what json can read
            body = None  # answered as the server answers any body that is not a JSON object
        if self.record_requests:
            self.requests.append(RecordedRequest(path, body, token == self.token))
        answer = await fetch_media(self, path, token, body) or self._answer(route, token, body)
        if fault == "bad_data" and answer["ret"] == 200:
            answer["data"] = ["not", "what", "the", "schema", "says"]
        payload = json.dumps(answer, ensure_ascii=False).encode()
        if fault == "stall":
            await asyncio.sleep(faults.stall)

        if fault == "drop":
            await _send_json_start(send, len(payload))
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        elif fault == "truncate":
            await _send_json_start(send, len(payload))
            cut = payload[: max(1, len(payload) // 2)]
            await send({"type": "http.response.body", "body": cut, "more_body": False})
        else:
            await _send_json_start(send, len(payload))
            await send({"type": "http.response.body", "body": payload})

    def _push_notices(self, device: FakeDevice) -> None:
        # The real server pushes a callback for some actions (a removal, a rename, an
        # announcement): the graph records them as notices; push the new ones, after the answer.
        notices = device.graph.notices
        sent = self._notices_pushed.get(device.app_id, 0)
        self._notices_pushed[device.app_id] = len(notices)
        if not self.delivery.has_target:
            return
        for notice in notices[sent:]:
            envelope = callback_envelope(device, notice, next(self._push_ids))
            if envelope is not None:
                self.push_soon(envelope)

    def _draw_fault(self, over_tcp: bool) -> str | None:
        faults = self.faults
        draw = self._rng.random()
        if draw < faults.error_rate:
            return self._rng.choice(("502", "503"))
        draw -= faults.error_rate
        for name, rate, needs_tcp in (
            ("drop", faults.drop_rate, True),
            ("truncate", faults.truncate_rate, True),
            ("stall", faults.stall_rate, False),
            ("garbage", faults.garbage_rate, False),
            ("bad_data", faults.bad_data_rate, False),
        ):
            if draw < rate:
                return name if over_tcp or not needs_tcp else None
            draw -= rate
        return None

    def _device_for(self, route: FakeRoute, app_id: Any) -> FakeDevice | None:
        if route.device == "none":
            return _no_device()
        if route.device == "new_if_empty" and app_id in ("", None):
            self._created += 1
            device = FakeDevice(f"wx_new_{self._created}", online=False)
            self.devices[device.app_id] = device
            return device
        return self.devices.get(app_id) if isinstance(app_id, str) else None

    def _answer(self, route: FakeRoute, token: str, body: Any) -> dict[str, Any]:
        # The order of checks follows the real server: token, then body, then device.
        if not token:
            return _refusal("HTTP HEADER: X-GEWE-TOKEN 不可为空")
        if token != self.token:
            # The real server echoes the token it got; clients must redact it.
            return _refusal(f"HTTP HEADER: X-GEWE-TOKEN={token} 不可用或已过期")
        if not isinstance(body, dict):
            return _refusal("参数错误", {"code": "-1", "msg": "请求体必须是JSON对象"})
        for name in route.required:
            if body.get(name) in (None, ""):
                return _refusal("参数错误", {"code": "-1", "msg": f"{name} 不可为空"})
        device = self._device_for(route, body.get("appId"))
        if device is None:
            return _refusal("操作失败", {"code": "-1", "msg": "设备不存在"})
        if route.needs_online and not device.online:
            return _refusal("操作失败", {"code": "-1", "msg": "微信已离线"})
        if (zombie := zombie_refusal(route.path, device)) is not None:
            return zombie
        try:
            data = route.handler(self, device, body)
        except FakeRefusal as refusal:
            return _refusal(refusal.msg, refusal.data)
        self._push_notices(device)
        answer: dict[str, Any] = {"ret": 200, "msg": "操作成功"}
        if data is not None:
            answer["data"] = data
        return answer


def _no_device() -> FakeDevice:
    # What setCallback's handler gets: it concerns the token, not a device.
    return FakeDevice("")


def _refusal(msg: str, data: Any = None) -> dict[str, Any]:
    return {"ret": 500, "msg": msg, "data": data}


@functools.cache
def _qr_code() -> str:
    return resources.files(__package__).joinpath("qr.b64").read_text().strip()


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


#: The largest request body the fake reads, as the nginx in front of a real server limits it;
#: GeWe's requests are small JSON documents (base64 images included).
MAX_REQUEST_BODY: Final = 16 * 1024 * 1024


async def _read_body(receive: Receive) -> bytes | None:
    """The request body, or ``None`` once it passes `MAX_REQUEST_BODY` (it is not read on)."""
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_REQUEST_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _send_json_start(send: Send, length: int) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json;charset=UTF-8"),
                (b"content-length", str(length).encode()),
            ],
        }
    )


async def _send_text(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_proxy_page(send: Send, status: int, retry_after: float | None) -> None:
    reason = {
        413: "Request Entity Too Large",
        502: "Bad Gateway",
        503: "Service Temporarily Unavailable",
    }[status]
    body = _PROXY_PAGE.format(status=status, reason=reason).encode()
    headers = [(b"content-type", b"text/html"), (b"content-length", b"%d" % len(body))]
    if retry_after is not None:
        headers.append((b"retry-after", b"%g" % retry_after))
    if status == 413:
        headers.append((b"connection", b"close"))  # the rest of the body is not read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
