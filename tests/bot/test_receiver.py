"""The receivers over real HTTP: answers, secret, size cap, duplicates, order, shutdown."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import httpx
from aiohttp import web
from aiohttp.test_utils import TestServer

from gewe_async.bot import (
    AiohttpReceiver,
    ASGIReceiver,
    Context,
    Dispatcher,
    MemoryJournal,
)
from gewe_async.callbacks import TextMessage
from tests.bot_helpers import GROUP, drained, served, text_push, until

SECRET = "s3cret-path-token"


class Gate:
    """Handlers that block until released, recording what started and finished."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.finished: list[str] = []
        self.release: dict[str, asyncio.Event] = {}
        self.any_started = asyncio.Event()

    def event(self, text: str) -> asyncio.Event:
        return self.release.setdefault(text, asyncio.Event())

    async def wait_started(self, *texts: str) -> None:
        await until(lambda: set(texts) <= set(self.started))

    async def wait_finished(self, *texts: str) -> None:
        await until(lambda: set(texts) <= set(self.finished))

    def dispatcher(self, concurrency: int = 64) -> Dispatcher:
        dp = Dispatcher(concurrency=concurrency)

        @dp.on(TextMessage)
        async def blocked(event: TextMessage, ctx: Context) -> None:
            self.started.append(event.text)
            await self.event(event.text).wait()
            self.finished.append(event.text)

        return dp


def post(http: httpx.AsyncClient, url: str, payload: object, **kw: object) -> object:
    return http.post(url, content=json.dumps(payload), **kw)  # type: ignore[arg-type]


async def test_the_answer_arrives_while_the_handler_is_still_running(http):
    """A slow handler never delays the answer: 200 comes back while it is blocked."""
    gate = Gate()
    async with served(ASGIReceiver(gate.dispatcher())) as root:
        answer = await post(http, f"{root}/gewe", text_push("slow"))
        assert answer.status_code == 200
        await gate.wait_started("slow")
        assert gate.finished == []
        gate.event("slow").set()
        await gate.wait_finished("slow")


async def test_a_wrong_or_missing_secret_is_refused_with_403(http):
    """The secret is taken from the last path segment or the X-Gewe-Secret header."""
    dp = Dispatcher()
    got: list[str] = []

    @dp.on(TextMessage)
    async def record(event: TextMessage, ctx: Context) -> None:
        got.append(event.text)

    async with served(ASGIReceiver(dp, secret=SECRET, path="/gewe")) as root:
        assert (await post(http, f"{root}/gewe/wrong", text_push("a"))).status_code == 403
        assert (await post(http, f"{root}/gewe", text_push("b"))).status_code == 403
        bad = {"X-Gewe-Secret": "nope"}
        assert (await post(http, f"{root}/gewe", text_push("c"), headers=bad)).status_code == 403
        assert (await post(http, f"{root}/gewe/{SECRET}", text_push("d"))).status_code == 200
        good = {"X-Gewe-Secret": SECRET}
        assert (await post(http, f"{root}/gewe", text_push("e"), headers=good)).status_code == 200
        assert (await post(http, f"{root}/other/{SECRET}", text_push("f"))).status_code == 404
        assert (await http.get(f"{root}/gewe/{SECRET}")).status_code == 405
    assert sorted(got) == ["d", "e"]


async def test_a_body_over_the_cap_is_refused_with_413_declared_or_streamed(http):
    """Over `max_body` gives 413, whether announced by Content-Length or streamed in chunks."""
    dp = Dispatcher()
    push = json.dumps(text_push("x" * 2000)).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(push), 100):
            yield push[i : i + 100]

    async with served(ASGIReceiver(dp, max_body=1000)) as root:
        assert (await http.post(f"{root}/", content=push)).status_code == 413
        assert (await http.post(f"{root}/", content=chunks())).status_code == 413
        small = json.dumps(text_push("ok")).encode()
        assert (await http.post(f"{root}/", content=small)).status_code == 200


async def test_a_body_that_is_not_a_callback_is_refused_with_400_and_logged(http, caplog):
    """Not JSON, or JSON without the envelope: 400, with the reason in the log."""
    async with served(ASGIReceiver(Dispatcher())) as root:
        with caplog.at_level(logging.WARNING, "gewe_async.bot"):
            not_json = await http.post(f"{root}/", content=b"<xml>hi</xml>")
            no_envelope = await http.post(f"{root}/", json={"hello": "world"})
        nested = await http.post(f"{root}/", content=b"[" * 100_000 + b"]" * 100_000)
    assert (not_json.status_code, no_envelope.status_code, nested.status_code) == (400, 400, 400)
    assert "not JSON" in caplog.text
    assert "no Appid or TypeName" in caplog.text


async def test_a_duplicate_is_acknowledged_but_handled_once(http):
    """The same Appid + NewMsgId pushed twice: 200 both times, one handler run."""
    gate = Gate()
    gate.event("dup").set()
    async with served(ASGIReceiver(gate.dispatcher())) as root:
        push = text_push("dup", new_msg_id=9_000_000_000_000_000_001)
        first = await post(http, f"{root}/", push)
        await gate.wait_finished("dup")
        second = await post(http, f"{root}/", push)
        other = text_push("dup", new_msg_id=9_000_000_000_000_000_002)
        third = await post(http, f"{root}/", other)
        await gate.wait_finished("dup")
        await until(lambda: len(gate.finished) >= 2)
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 200)
    assert gate.finished == ["dup", "dup"]  # the first and the other message, not the repeat


async def test_a_full_queue_waits_then_answers_503_and_logs_loudly(http, caplog):
    """With the journal full and handlers stuck, the push gets 503 and an error is logged."""
    gate = Gate()
    journal = MemoryJournal(max_pending=1, full_timeout=0.01)
    async with served(ASGIReceiver(gate.dispatcher(), journal=journal)) as root:
        assert (await post(http, f"{root}/", text_push("stuck"))).status_code == 200
        with caplog.at_level(logging.ERROR, "gewe_async.bot"):
            refused = await post(http, f"{root}/", text_push("more", group=GROUP))
        assert refused.status_code == 503
        assert "JOURNAL FULL" in caplog.text
        gate.event("stuck").set()


async def test_one_chat_is_handled_in_order_while_other_chats_go_on(http):
    """The second message of a chat waits for the first; another chat's runs meanwhile."""
    gate = Gate()
    async with served(ASGIReceiver(gate.dispatcher())) as root:
        for push in (text_push("a1"), text_push("a2"), text_push("b1", group=GROUP)):
            assert (await post(http, f"{root}/", push)).status_code == 200
        await gate.wait_started("a1", "b1")
        assert "a2" not in gate.started
        gate.event("a1").set()
        await gate.wait_started("a2")
        assert gate.finished == ["a1"]
        gate.event("a2").set()
        gate.event("b1").set()
        await gate.wait_finished("a2", "b1")


async def test_concurrency_is_bounded_by_the_dispatcher(http):
    """With `concurrency=2`, a third chat waits for a free slot."""
    gate = Gate()
    async with served(ASGIReceiver(gate.dispatcher(concurrency=2))) as root:
        for i, chat in enumerate(("wxid_a", "wxid_b", "wxid_c")):
            await post(http, f"{root}/", text_push(f"m{i}", sender=chat))
        await gate.wait_started("m0", "m1")
        await asyncio.sleep(0.05)
        assert gate.started == ["m0", "m1"]
        gate.event("m0").set()
        await gate.wait_started("m2")
        gate.event("m1").set()
        gate.event("m2").set()
        await gate.wait_finished("m1", "m2")


async def test_shutdown_waits_for_running_handlers():
    """Stopping lets a running handler finish (within `drain_timeout`) before it returns."""
    gate = Gate()
    receiver = ASGIReceiver(gate.dispatcher(), drain_timeout=30)
    await receiver.start()
    assert (await receiver.accept(json.dumps(text_push("busy")).encode())).status == 200
    await gate.wait_started("busy")
    stopping = asyncio.ensure_future(receiver.stop())
    await asyncio.sleep(0.05)
    assert not stopping.done()
    gate.event("busy").set()
    await stopping
    assert gate.finished == ["busy"]
    assert (await receiver.journal.stats()).depth == 0  # acknowledged


async def test_shutdown_cancels_handlers_still_running_after_the_timeout(caplog):
    """Past `drain_timeout` a stuck handler is cancelled and left unacknowledged."""
    gate = Gate()
    receiver = ASGIReceiver(gate.dispatcher(), drain_timeout=0.01)
    await receiver.start()
    await receiver.accept(json.dumps(text_push("stuck")).encode())
    await gate.wait_started("stuck")
    with caplog.at_level(logging.WARNING, "gewe_async.bot"):
        await receiver.stop()
    assert gate.finished == []
    assert "1 handlers still running" in caplog.text
    assert (await receiver.journal.stats()).depth == 1


async def test_uvicorn_shutdown_runs_the_lifespan_drain(http):
    """Served by uvicorn, the app's lifespan drains a running handler at shutdown."""
    gate = Gate()
    receiver = ASGIReceiver(gate.dispatcher(), drain_timeout=30)
    async with served(receiver) as root:
        await post(http, f"{root}/", text_push("late"))
        await gate.wait_started("late")
        asyncio.get_running_loop().call_later(0.05, gate.event("late").set)
    assert gate.finished == ["late"]
    assert not receiver.started


async def test_a_handler_error_is_acknowledged_and_not_retried(http):
    """A raising handler goes to the error handler; its delivery is acked all the same."""
    dp = Dispatcher()
    errors: list[Exception] = []

    @dp.on(TextMessage)
    async def boom(event: TextMessage, ctx: Context) -> None:
        raise ValueError(event.text)

    @dp.error_handler
    async def keep(error, event, ctx):
        errors.append(error)

    receiver = ASGIReceiver(dp)
    async with served(receiver) as root:
        await post(http, f"{root}/", text_push("oops"))
        await until(lambda: errors)
        await drained(receiver.journal)
    assert [str(e) for e in errors] == ["oops"]


async def test_the_aiohttp_receiver_answers_like_the_asgi_one():
    """Same core under aiohttp: 200 before the handler ends, 403, 413, 400; drained on cleanup."""
    gate = Gate()
    receiver = AiohttpReceiver(gate.dispatcher(), secret=SECRET, max_body=1000)
    app = web.Application()
    receiver.setup(app, "/gewe")
    async with TestServer(app, host="127.0.0.1") as server, httpx.AsyncClient() as http:
        root = str(server.make_url("/gewe"))
        assert (await post(http, f"{root}/{SECRET}", text_push("slow"))).status_code == 200
        await gate.wait_started("slow")
        assert (await post(http, f"{root}/wrong", text_push("x"))).status_code == 403
        headers = {"X-Gewe-Secret": SECRET}
        assert (await post(http, root, text_push("h"), headers=headers)).status_code == 200
        big = json.dumps(text_push("x" * 2000)).encode()
        assert (await http.post(f"{root}/{SECRET}", content=big)).status_code == 413

        async def chunks() -> AsyncIterator[bytes]:
            for i in range(0, len(big), 100):
                yield big[i : i + 100]

        assert (await http.post(f"{root}/{SECRET}", content=chunks())).status_code == 413
        assert (await http.post(f"{root}/{SECRET}", content=b"nope")).status_code == 400
        gate.event("slow").set()
        gate.event("h").set()
        await gate.wait_finished("slow", "h")
    assert not receiver.started


async def test_a_receiver_mounted_without_lifespan_starts_at_the_first_push(caplog):
    """Without a lifespan the first push starts the handlers (and says so)."""
    dp = Dispatcher()
    got: list[str] = []

    @dp.on(TextMessage)
    async def record(event: TextMessage, ctx: Context) -> None:
        got.append(event.text)

    receiver = ASGIReceiver(dp)
    transport = httpx.ASGITransport(app=receiver)
    with caplog.at_level(logging.WARNING, "gewe_async.bot"):
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            assert (await post(http, "/", text_push("first"))).status_code == 200
            await until(lambda: got)
    await receiver.stop()
    assert "first push" in caplog.text


async def test_after_shutdown_a_late_push_is_refused_not_stored():
    """A push arriving after stop gets 503 and does not restart the handlers."""
    receiver = ASGIReceiver(Dispatcher())
    await receiver.start()
    await receiver.stop()
    assert (await receiver.accept(json.dumps(text_push("late")).encode())).status == 503
    assert not receiver.started


class BrokenJournal(MemoryJournal):
    async def append(self, entry):
        raise OSError("disk full")


async def test_a_failing_journal_answers_503_and_logs_it(caplog):
    """If storing fails, the push is not acknowledged: 503, and the error is logged."""
    receiver = ASGIReceiver(Dispatcher(), journal=BrokenJournal())
    await receiver.start()
    with caplog.at_level(logging.ERROR, "gewe_async.bot"):
        answer = await receiver.accept(json.dumps(text_push("x")).encode())
    await receiver.stop()
    assert answer.status == 503
    assert "disk full" in caplog.text


class ChokingDispatcher(Dispatcher):
    def parse(self, body):
        raise RecursionError("maximum recursion depth exceeded")


async def test_a_parser_crash_is_still_a_400_not_a_500(caplog):
    """Whatever the parser raises on a hostile body, the sender gets 400."""
    receiver = ASGIReceiver(ChokingDispatcher())
    with caplog.at_level(logging.ERROR, "gewe_async.bot"):
        answer = await receiver.accept(b"[[[[")
    assert answer.status == 400
    assert "parser failed" in caplog.text


async def test_mounted_in_fastapi_with_its_lifespan_it_serves_and_drains(http):
    """`FastAPI(lifespan=receiver.lifespan)` + `mount`: pushes reach handlers, shutdown drains."""
    from fastapi import FastAPI

    gate = Gate()
    receiver = ASGIReceiver(gate.dispatcher(), secret=SECRET, drain_timeout=30)
    app = FastAPI(lifespan=receiver.lifespan)
    app.mount("/gewe", receiver)
    async with served(app) as root:
        assert (await post(http, f"{root}/gewe/{SECRET}", text_push("m"))).status_code == 200
        assert (await post(http, f"{root}/gewe/nope", text_push("n"))).status_code == 403
        await gate.wait_started("m")
        asyncio.get_running_loop().call_later(0.05, gate.event("m").set)
    assert gate.finished == ["m"]
    assert not receiver.started


class SlowJournal(MemoryJournal):
    """Stores only once released: the answer must wait for it."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def append(self, entry):
        await self.release.wait()
        return await super().append(entry)


async def test_the_answer_waits_until_the_push_is_stored(http):
    """Answered means stored: no 200 leaves before the journal's append has returned."""
    journal = SlowJournal()
    async with served(ASGIReceiver(Dispatcher(), journal=journal)) as url:
        posting = asyncio.ensure_future(post(http, f"{url}/gewe", text_push("x")))
        await asyncio.sleep(0.3)
        assert not posting.done()  # not answered while the append is still running
        journal.release.set()
        assert (await posting).status_code == 200
        assert len(journal._seen) == 1  # and it was stored
