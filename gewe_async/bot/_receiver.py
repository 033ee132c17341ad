"""The core shared by the ASGI and aiohttp receivers: check, store, answer; handle later."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from typing import TypedDict

import attrs

from gewe_async._validators import number
from gewe_async.bot._dispatcher import Dispatcher
from gewe_async.bot._journal import Entry, Journal, JournalFullError
from gewe_async.bot._memory import MemoryJournal
from gewe_async.bot._runner import Health
from gewe_async.bot._session import JournalSession, health_of
from gewe_async.callbacks import CallbackEvent
from gewe_async.exceptions import GeweCallbackError

__all__ = ["Answer", "Receiver"]

log = logging.getLogger("gewe_async.bot")

#: The header that may carry the secret, for proxies that add it (GeWe itself only has the URL).
SECRET_HEADER = "x-gewe-secret"  # noqa: S105 - a header name, not a secret


@attrs.frozen
class Answer:
    """What the receiver answers a push: an HTTP status and a short text."""

    status: int
    text: str = ""


OK = Answer(200)
FORBIDDEN = Answer(403, "forbidden")
TOO_LARGE = Answer(413, "body too large")
BUSY = Answer(503, "busy, retry later")
UNAVAILABLE = Answer(503, "journal unavailable, retry later")
BAD_KEY = Answer(400, "not a GeWe callback: its ids are not valid UTF-8")

#: The last path segment of the health check: ``GET <path>/healthz`` (pushes are POSTs).
HEALTH_SEGMENT = "healthz"

#: Seconds between two summaries of a repeated error (a flood of 503s logs a few lines).
LOG_EVERY = 10.0


class _Throttle:
    """Logs the first error of a kind at once, then at most one summary per `LOG_EVERY` s."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def error(self, kind: str, msg: str, *args: object, exc_info: bool = False) -> None:
        now = time.monotonic()
        last = self._last.get(kind)
        if last is not None and now - last < LOG_EVERY:
            self._suppressed[kind] = self._suppressed.get(kind, 0) + 1
            return
        self._last[kind] = now
        suppressed = self._suppressed.pop(kind, 0)
        if suppressed:
            msg += f" ({suppressed} more like it in the last {LOG_EVERY:g} s not logged)"
        log.error(msg, *args, exc_info=exc_info)


def _keys(event: CallbackEvent) -> tuple[str, str] | None:
    """The event's idempotency and chat keys, or `None` when they are not valid UTF-8.

    A lone surrogate (an escaped one in the JSON) makes a key that no journal stores and that
    the key's own hash cannot encode.
    """
    try:
        keys = (event.idempotency_key, event.chat_key)
        for key in keys:
            key.encode()
    except UnicodeEncodeError:
        return None
    return keys


class ReceiverOptions(TypedDict, total=False):
    """The keyword arguments of [`Receiver`][gewe_async.bot.Receiver], for its subclasses."""

    secret: str | None
    journal: Journal | None
    max_body: int
    drain_timeout: float
    run_handlers: bool
    metrics_interval: float | None


class Receiver:
    """Takes GeWe's pushes: stores each in a journal, answers at once, handles it later.

    The answer never waits for a handler, so a slow handler cannot make GeWe give a push
    up after its 3 s. The same options serve [`ASGIReceiver`][gewe_async.bot.ASGIReceiver]
    and [`AiohttpReceiver`][gewe_async.bot.AiohttpReceiver]:

    - ``200``: stored (or a duplicate, acknowledged and not handled again);
    - ``403``: the secret is missing or wrong (last path segment or ``X-Gewe-Secret``);
    - ``413``: the body is over ``max_body`` bytes (reading stops at the cap);
    - ``400``: the body is not a GeWe callback (logged with the reason), or its ids are
      not valid UTF-8 (a lone surrogate);
    - ``503``: the journal stayed full, failed, reports its storage unreachable, or the
      receiver is shutting down; logged as an error (a repeated error at most once per
      10 s, with a count), GeWe may push again.

    [`health`][gewe_async.bot.Receiver.health] says whether pushes are being stored; the
    HTTP receivers answer it at ``GET <path>/healthz``.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        secret: str | None = None,
        journal: Journal | None = None,
        max_body: int = 1 << 20,
        drain_timeout: float = 10.0,
        run_handlers: bool = True,
        metrics_interval: float | None = None,
    ) -> None:
        """Make a receiver.

        Args:
            dispatcher: The dispatcher whose handlers run the events.
            secret: When set, a push must carry it as the last segment of the URL path
                (``https://bot.example.com/gewe/<secret>``) or in an ``X-Gewe-Secret`` header.
                `None` takes pushes from anyone (a WARNING is logged at start); an empty
                string is refused.
            journal: Where pushes are stored before the answer (default: a new
                [`MemoryJournal`][gewe_async.bot.MemoryJournal]).
            max_body: The largest body accepted, in bytes (1 MiB; GeWe's pushes are a few KiB).
            drain_timeout: Seconds shutdown waits for running handlers before cancelling them.
            run_handlers: `False` for a receiver that only stores and answers, while
                [`Worker`][gewe_async.bot.Worker]s in other processes run the handlers
                (a shared [`RedisJournal`][gewe_async.bot.RedisJournal]).
            metrics_interval: When set, log the journal's figures every so many seconds
                ([`JournalMetrics`][gewe_async.bot.JournalMetrics]).
        """
        if isinstance(max_body, bool) or not isinstance(max_body, int):
            raise TypeError(f"max_body must be an int, got {type(max_body).__name__}")
        if max_body < 1:
            raise ValueError(f"max_body must be at least 1, got {max_body}")
        number("drain_timeout", drain_timeout, allow_inf=False)
        if secret is not None and not isinstance(secret, str):
            raise TypeError(f"secret must be a str or None, got {type(secret).__name__}")
        if secret == "":
            raise ValueError("secret must not be empty: pass None for no secret")
        if metrics_interval is not None:
            number("metrics_interval", metrics_interval, allow_inf=False)
        self.dispatcher = dispatcher
        self.journal: Journal = journal if journal is not None else MemoryJournal()
        self.max_body = max_body
        self.drain_timeout = drain_timeout
        self.run_handlers = run_handlers
        self.metrics_interval = metrics_interval
        self._secret = secret.encode(errors="surrogateescape") if secret is not None else None
        self._store_failing_since: float | None = None
        self._throttle = _Throttle()
        self._session: JournalSession | None = None
        self._starting = asyncio.Lock()
        self._stopped = False

    def __repr__(self) -> str:
        state = "running" if self._session is not None else "stopped"
        return f"<{type(self).__name__} {state} secret={'set' if self._secret else 'none'}>"

    @property
    def started(self) -> bool:
        """Whether the journal is open and pushes are taken (and handled, with `run_handlers`)."""
        return self._session is not None

    async def start(self) -> None:
        """Open the journal and start running handlers (idempotent)."""
        async with self._starting:
            if self._session is not None:
                return
            self._stopped = False
            session = JournalSession(
                self.dispatcher,
                self.journal,
                run_handlers=self.run_handlers,
                metrics_interval=self.metrics_interval,
            )
            await session.open()
            self._session = session
            if self._secret is None:
                log.warning(
                    "RECEIVER WITHOUT A SECRET: anyone who can reach it can push events to "
                    "the bot; set a secret in production"
                )

    def health(self) -> Health:
        """Whether pushes are stored and handled now, and since when they are not."""
        return health_of(self._session, self.journal, self._store_failing_since)

    async def stop(self) -> None:
        """Let running handlers finish (up to ``drain_timeout``), then close the journal."""
        async with self._starting:
            self._stopped = True
            session, self._session = self._session, None
            if session is not None:
                await session.close(self.drain_timeout)

    def health_answer(self) -> Answer:
        """The answer of ``GET <path>/healthz``: 200 or 503, with the health as JSON."""
        health = self.health()
        return Answer(200 if health.ok else 503, json.dumps(health.as_json()))

    def authorized(self, path: str, header: str | bytes | None) -> bool:
        """Whether the push carries the secret (compared in constant time)."""
        secret = self._secret
        if secret is None:
            return True
        if header is not None:
            # aiohttp decodes header bytes that are not UTF-8 with surrogateescape.
            given = header.encode(errors="surrogateescape") if isinstance(header, str) else header
            if hmac.compare_digest(given, secret):
                return True
        last = path.rstrip("/").rpartition("/")[2]
        return hmac.compare_digest(last.encode(errors="surrogateescape"), secret)

    async def accept(self, body: bytes) -> Answer:
        """Validate ``body``, store it, and say what to answer."""
        try:
            event = self.dispatcher.parse(body)
        except GeweCallbackError as exc:
            log.warning("refused a push that is not a callback (400): %s", exc)
            return Answer(400, f"not a GeWe callback: {exc}")
        except Exception:
            # The parser promises GeweCallbackError; whatever else a hostile body provokes
            # is still the sender's fault, not a reason to answer 500.
            log.exception("refused a push the parser failed on (400)")
            return Answer(400, "not a GeWe callback")
        if self._stopped:
            return BUSY  # shutting down: GeWe may push it again to whoever takes over
        if self._session is None:
            log.warning(
                "receiver started by its first push: run its lifespan (or on_startup) so that "
                "shutdown drains the handlers"
            )
            await self.start()
        keys = _keys(event)
        if keys is None:
            log.warning("refused a push whose ids are not valid UTF-8 (400)")
            return BAD_KEY
        unavailable = getattr(self.journal, "unavailable_since", None)
        if unavailable is not None:
            self._throttle.error(
                "unavailable", "JOURNAL UNREACHABLE: answered 503 to a push of %s", event.app_id
            )
            return UNAVAILABLE
        entry = Entry(keys[0], keys[1], body, time.time(), event=event)
        try:
            stored = await self.journal.append(entry)
        except JournalFullError as exc:
            self._throttle.error(
                "full",
                "JOURNAL FULL: answered 503 to a push of %s; handlers do not keep up (%s)",
                event.app_id,
                exc,
            )
            return BUSY
        except Exception:
            if self._store_failing_since is None:
                self._store_failing_since = time.time()
            self._throttle.error(
                "store",
                "the journal failed to store a push of %s: answered 503",
                event.app_id,
                exc_info=True,
            )
            return BUSY
        self._store_failing_since = None
        if not stored:
            log.debug("duplicate push %s acknowledged, not handled again", entry.key)
        return OK
