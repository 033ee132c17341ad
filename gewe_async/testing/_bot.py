"""``BotHarness``: a fake, a client and a receiver wired together, for testing a bot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from gewe_async._client import AsyncGeweClient
from gewe_async._validators import number
from gewe_async.bot import (
    ASGIReceiver,
    Context,
    DeadLetter,
    Delivery,
    Dispatcher,
    Entry,
    Journal,
    JournalStats,
    MemoryJournal,
    Router,
)
from gewe_async.bot._journal import Selection
from gewe_async.callbacks import CallbackEvent
from gewe_async.testing._fake import FakeGewe
from gewe_async.testing._outbox import Outbox

__all__ = ["BotHarness"]

log = logging.getLogger("gewe_async.testing")

#: How long a harness waits for handlers by default: generous, so a loaded CI machine passes.
DEFAULT_TIMEOUT = 30.0


class _WatchedJournal:
    """A journal that says when something was stored or acknowledged, so waits need no polling."""

    def __init__(self, inner: Journal) -> None:
        self.inner = inner
        self.changed = asyncio.Condition()

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def open(self) -> None:
        await self.inner.open()

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def append(self, entry: Entry) -> bool:
        stored = await self.inner.append(entry)
        await self._notify()
        return stored

    def consume(self) -> AsyncIterator[Delivery]:
        return self.inner.consume()

    async def ack(self, delivery: Delivery) -> None:
        await self.inner.ack(delivery)
        await self._notify()

    async def dead_letter(self, delivery: Delivery, **failure: Any) -> None:
        await self.inner.dead_letter(delivery, **failure)
        await self._notify()

    async def dead_letters(self) -> list[DeadLetter]:
        return await self.inner.dead_letters()

    async def replay(self, ids: Selection) -> int:
        replayed = await self.inner.replay(ids)
        await self._notify()
        return replayed

    async def purge(self, ids: Selection) -> int:
        return await self.inner.purge(ids)

    async def stats(self) -> JournalStats:
        return await self.inner.stats()

    @property
    def unavailable_since(self) -> float | None:
        return self.inner.unavailable_since

    async def depth(self) -> int:
        return (await self.inner.stats()).depth


class BotHarness:
    """A bot under test, fed the way production feeds it.

    The fake pushes over ASGI to a real [`ASGIReceiver`][gewe_async.bot.ASGIReceiver], which
    stores each push in a [`MemoryJournal`][gewe_async.bot.MemoryJournal] (so a push delivered
    twice is handled once, as in production) and runs the handlers from it; the handlers'
    calls go to the fake, which records what the bot sent. The ``gewe_bot`` pytest fixture
    makes one with the device ``wx_bot`` logged in:

    ```python
    async def test_ping(gewe_bot):
        @gewe_bot.dispatcher.on(TextMessage, f.text_equals("ping"))
        async def ping(event, ctx):
            await ctx.reply("pong")

        assert await gewe_bot.say("ping") == ["pong"]          # one line per step
        await gewe_bot.fake.receive_text(gewe_bot.app_id, "wxid_friend", "ping")
        await gewe_bot.wait_until_handled()                     # any push, then wait
        assert gewe_bot.sent() == [("wxid_friend", "pong"), ("wxid_friend", "pong")]
    ```

    An exception a handler raised, and that no error handler of yours took (see
    [`Dispatcher.error_handler`][gewe_async.bot.Dispatcher.error_handler]), is raised again by
    the next [`wait_until_handled`][gewe_async.testing.BotHarness.wait_until_handled] (and so
    by `deliver` and `say`), so a failing handler fails the test where it was fed.
    """

    def __init__(
        self,
        fake: FakeGewe,
        dispatcher: Dispatcher,
        app_id: str = "wx_bot",
        *,
        journal: Journal | None = None,
    ) -> None:
        """Wire ``fake`` to a receiver running ``dispatcher``; prefer `create()`.

        Args:
            fake: The fake server the bot talks to (its device ``app_id`` must exist).
            dispatcher: The bot's dispatcher; its client should be the fake's.
            app_id: The device the bot runs on.
            journal: Where the receiver stores pushes (default: a new
                [`MemoryJournal`][gewe_async.bot.MemoryJournal]).
        """
        self.fake = fake
        """The fake server: push with its ``receive_*`` methods, inspect its devices."""
        self.dispatcher = dispatcher
        """The dispatcher the receiver runs, whose client calls the fake."""
        self.app_id = app_id
        """The device the bot runs on."""
        self.errors: list[Exception] = []
        """Exceptions of handlers not raised yet by a wait (no error handler of yours took
        them); the next wait raises and clears them."""
        self._journal = _WatchedJournal(journal if journal is not None else MemoryJournal())
        self.receiver = ASGIReceiver(dispatcher, journal=self._journal)
        """The receiver the fake pushes to, in-process over ASGI."""
        dispatcher.error_handler(self._record_error)
        fake.connect(self.receiver)

    def __repr__(self) -> str:
        return f"<BotHarness {self.app_id} errors={len(self.errors)}>"

    async def _record_error(self, error: Exception, event: CallbackEvent, ctx: Context) -> None:
        log.error(
            "handler failed on %s %s", type(event).__name__, event.idempotency_key, exc_info=error
        )
        self.errors.append(error)

    @property
    def client(self) -> AsyncGeweClient:
        """The client handlers call (the fake's)."""
        return self.dispatcher.client

    @property
    def wxid(self) -> str:
        """The wxid of the bot's account."""
        return self.fake.devices[self.app_id].wxid

    @property
    def outbox(self) -> Outbox:
        """Everything the bot's device sent (texts, images, links, ...), in order."""
        return self.fake.devices[self.app_id].outbox

    def include(self, router: Router) -> Router:
        """Add the handlers of ``router`` (your bot's) to the dispatcher."""
        return self.dispatcher.include_router(router)

    async def start(self) -> None:
        """Start the receiver (idempotent; `deliver`, `say` and ``async with`` do it)."""
        await self.receiver.start()

    async def deliver(
        self, payload: Mapping[str, Any], *, timeout: float = DEFAULT_TIMEOUT
    ) -> int | None:
        """Push ``payload`` as GeWe would, wait until it is handled; return the status answered.

        A second push of the same message is answered 200 and not handled again.

        Raises:
            TimeoutError: Handlers still ran after ``timeout`` seconds.
            Exception: What a handler raised (see the class).
        """
        await self.start()
        status = await self.fake.deliver(payload)
        await self.wait_until_handled(timeout=timeout)
        return status

    async def say(
        self,
        text: str,
        *,
        sender: str = "wxid_friend",
        group: str | None = None,
        mentions: Sequence[str] = (),
        timeout: float = DEFAULT_TIMEOUT,
    ) -> list[str]:
        """Send the bot a text from ``sender``; return what the bot sent in answer.

        Each reply is the content of one message the bot's device sent while this text was
        handled: a text, a media URL or an app message's XML; `outbox` has the details.

        ```python
        assert await bot.say("ping") == ["pong"]
        assert await bot.say("hi all", group="123@chatroom", mentions=[bot.wxid]) == ["hi"]
        ```

        Args:
            text: What the person writes.
            sender: Who writes it (in a group: the member).
            group: The group (``...@chatroom``) it is posted in; ``None`` for a private chat.
            mentions: The wxids mentioned (``bot.wxid`` to mention the bot).
            timeout: Seconds to wait for the handlers.

        Raises:
            TimeoutError: Handlers still ran after ``timeout`` seconds.
            Exception: What a handler raised (see the class).
        """
        await self.start()
        before = len(self.outbox.messages)
        await self.fake.receive_text(
            self.app_id, sender, text, group=group, mentions=list(mentions)
        )
        await self.wait_until_handled(timeout=timeout)
        return [m.content for m in self.outbox.messages[before:]]

    async def wait_until_handled(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until every push made so far is handled and acknowledged.

        Pushes the fake still has under way (delayed duplicates, the test push of
        ``setCallback``) are waited for too.

        Raises:
            TimeoutError: Something was still being handled after ``timeout`` seconds.
            Exception: What a handler raised since the last wait, when no error handler of
                yours took it (an ``ExceptionGroup`` when several did).
        """
        number("timeout", timeout, allow_inf=False)
        try:
            async with asyncio.timeout(timeout):
                await self._quiet()
        except TimeoutError:
            depth = await self._journal.depth()
            raise TimeoutError(
                f"{depth} push(es) still not handled after {timeout:g} s: a handler hangs?"
            ) from None
        errors, self.errors = self.errors, []
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise ExceptionGroup(f"{len(errors)} handlers raised", errors)

    async def _quiet(self) -> None:
        while True:
            await self.fake.settle()
            changed = self._journal.changed
            async with changed:
                while await self._journal.depth():
                    await changed.wait()
            # A handler may have made the fake push again (setCallback's test push).
            if not self.fake._in_flight:  # same package; no public count
                return

    def sent(self, app_id: str | None = None) -> list[tuple[str, str]]:
        """``(to_wxid, text)`` of every text the bot sent from ``app_id`` (default: its own)."""
        return self.fake.devices[app_id or self.app_id].outbox.text_pairs()

    async def aclose(self) -> None:
        """Wait for pushes under way, stop the receiver (draining handlers), close the client."""
        await self.fake.settle()
        await self.receiver.stop()
        await self.dispatcher.client.aclose()

    async def __aenter__(self) -> BotHarness:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @classmethod
    def create(
        cls, fake: FakeGewe | None = None, app_id: str = "wx_bot", *, journal: Journal | None = None
    ) -> BotHarness:
        """A harness on ``fake`` (a new one by default) with the device ``app_id`` added.

        Close it when done (``async with BotHarness.create() as bot:``): it owns a client and
        a receiver.
        """
        fake = fake if fake is not None else FakeGewe()
        if app_id not in fake.devices:
            fake.add_device(app_id, nick_name="Bot")
        return cls(fake, Dispatcher(fake.client()), app_id, journal=journal)
