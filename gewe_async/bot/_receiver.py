"""The core shared by the ASGI and aiohttp receivers: check, store, answer; handle later."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time

import attrs

from gewe_async._validators import number
from gewe_async.bot._dispatcher import Dispatcher
from gewe_async.bot._journal import Entry, Journal, JournalFullError
from gewe_async.bot._memory import MemoryJournal
from gewe_async.bot._session import JournalSession
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


class Receiver:
    """Takes GeWe's pushes: stores each in a journal, answers at once, handles it later.

    The answer never waits for a handler, so a slow handler cannot make GeWe give a push
    up after its 3 s. The same options serve [`ASGIReceiver`][gewe_async.bot.ASGIReceiver]
    and [`AiohttpReceiver`][gewe_async.bot.AiohttpReceiver]:

    - ``200``: stored (or a duplicate, acknowledged and not handled again);
    - ``403``: the secret is missing or wrong (last path segment or ``X-Gewe-Secret``);
    - ``413``: the body is over ``max_body`` bytes (reading stops at the cap);
    - ``400``: the body is not a GeWe callback (logged with the reason);
    - ``503``: the journal stayed full, failed, or the receiver is shutting down; logged as
      an error, GeWe may push again.
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
        if metrics_interval is not None:
            number("metrics_interval", metrics_interval, allow_inf=False)
        self.dispatcher = dispatcher
        self.journal: Journal = journal if journal is not None else MemoryJournal()
        self.max_body = max_body
        self.drain_timeout = drain_timeout
        self.run_handlers = run_handlers
        self.metrics_interval = metrics_interval
        self._secret = secret.encode() if secret is not None else None
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

    async def stop(self) -> None:
        """Let running handlers finish (up to ``drain_timeout``), then close the journal."""
        async with self._starting:
            self._stopped = True
            session, self._session = self._session, None
            if session is not None:
                await session.close(self.drain_timeout)

    def authorized(self, path: str, header: str | bytes | None) -> bool:
        """Whether the push carries the secret (compared in constant time)."""
        secret = self._secret
        if secret is None:
            return True
        if header is not None:
            given = header.encode() if isinstance(header, str) else header
            if hmac.compare_digest(given, secret):
                return True
        last = path.rstrip("/").rpartition("/")[2]
        return hmac.compare_digest(last.encode(), secret)

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
        entry = Entry(event.idempotency_key, event.chat_key, body, time.time())
        try:
            stored = await self.journal.append(entry)
        except JournalFullError as exc:
            log.error(
                "JOURNAL FULL: answered 503 to a push of %s; handlers do not keep up (%s)",
                event.app_id,
                exc,
            )
            return BUSY
        except Exception:
            log.exception("the journal failed to store a push of %s: answered 503", event.app_id)
            return BUSY
        if not stored:
            log.debug("duplicate push %s acknowledged, not handled again", entry.key)
        return OK
