"""The replies a handler sends through its Context: what goes on the wire, against FakeGewe."""

from __future__ import annotations

from typing import Any

import pytest

from gewe_async.bot import Context, Dispatcher, Router
from gewe_async.bot.fsm import MemoryStorage
from gewe_async.callbacks import (
    CallbackEvent,
    EmojiMessage,
    FileMessage,
    ImageMessage,
    LinkMessage,
    MessageEvent,
    TextMessage,
    VideoMessage,
    VoiceMessage,
    parse_callback,
)
from gewe_async.exceptions import GeweConfigError, GeweError
from gewe_async.testing import (
    BotHarness,
    FakeGewe,
    link_payload,
    offline_payload,
    voice_payload,
)
from tests.bot_helpers import BOT_APP, BOT_WXID, FRIEND, GROUP, text_push

MEMBER = "wxid_member"


def answering(kind: type[CallbackEvent], reply: Any) -> Router:
    """A router whose one handler of ``kind`` runs ``await reply(ctx)``."""
    router = Router()

    @router.on(kind)
    async def handle(event: Any, ctx: Context) -> None:
        await reply(ctx)

    return router


def wire(bot: BotHarness, endpoint: str) -> list[dict[str, Any]]:
    return [r.body for r in bot.fake.requests if r.endpoint == endpoint]


def with_group(bot: BotHarness, nick_name: str = "Mia") -> None:
    bot.fake.add_group(BOT_APP, [MEMBER], chatroom_id=GROUP)
    bot.fake.devices[BOT_APP].graph.people[MEMBER].nick_name = nick_name


# -- text ------------------------------------------------------------------------------------


async def test_reply_mentioning_the_sender_in_a_group_names_them_from_the_push(gewe_bot):
    gewe_bot.include(answering(TextMessage, lambda ctx: ctx.reply("done", mention_sender=True)))
    push = text_push("/do it", group=GROUP, sender=MEMBER)
    push["Data"]["PushContent"] = "林木 : /do it"
    await gewe_bot.deliver(push)
    (body,) = wire(gewe_bot, "message/postText")
    assert body["toWxid"] == GROUP
    assert body["content"] == "@林木\u2005done"
    assert body["ats"] == MEMBER
    assert not wire(gewe_bot, "group/getChatroomMemberDetail")  # the push said it


async def test_a_mention_push_gives_the_name_too(gewe_bot):
    gewe_bot.include(answering(TextMessage, lambda ctx: ctx.reply("yes?", mention_sender=True)))
    push = text_push("@Bot hi", group=GROUP, sender=MEMBER, mentions=(BOT_WXID,))
    push["Data"]["PushContent"] = "超人不会飞在群聊中@了你"
    await gewe_bot.deliver(push)
    assert wire(gewe_bot, "message/postText")[0]["content"] == "@超人不会飞\u2005yes?"


async def test_without_a_name_in_the_push_the_group_member_api_gives_it(gewe_bot):
    with_group(gewe_bot, "Mia")
    gewe_bot.include(answering(TextMessage, lambda ctx: ctx.reply("ok", mention_sender=True)))
    push = text_push("hi", group=GROUP, sender=MEMBER)
    del push["Data"]["PushContent"]
    await gewe_bot.deliver(push)
    (lookup,) = wire(gewe_bot, "group/getChatroomMemberDetail")
    assert lookup["chatroomId"] == GROUP
    assert lookup["memberWxids"] == [MEMBER]
    (body,) = wire(gewe_bot, "message/postText")
    assert (body["content"], body["ats"]) == ("@Mia\u2005ok", MEMBER)


async def test_mention_sender_is_ignored_in_a_private_chat(gewe_bot):
    gewe_bot.include(answering(TextMessage, lambda ctx: ctx.reply("ok", mention_sender=True)))
    await gewe_bot.deliver(text_push("hi"))
    (body,) = wire(gewe_bot, "message/postText")
    assert (body["toWxid"], body["content"], body.get("ats")) == (FRIEND, "ok", None)


async def test_mention_sender_and_ats_together_are_refused_before_any_request():
    fake = FakeGewe()
    fake.add_device(BOT_APP)
    async with fake.client() as client:
        ctx = Context(parse_callback(text_push("hi", group=GROUP)), client=client)
        before = len(fake.requests)
        with pytest.raises(ValueError, match="either mention_sender or ats"):
            await ctx.reply("x", mention_sender=True, ats=MEMBER)
        assert len(fake.requests) == before


# -- quote -----------------------------------------------------------------------------------


async def test_reply_quote_quotes_the_message_with_the_senders_name(gewe_bot):
    gewe_bot.include(answering(TextMessage, lambda ctx: ctx.reply_quote("agreed")))
    push = text_push("lunch at 12?", group=GROUP, sender=MEMBER)
    push["Data"]["PushContent"] = "林木 : lunch at 12?"
    await gewe_bot.deliver(push)
    (body,) = wire(gewe_bot, "message/postAppMsg")
    assert body["toWxid"] == GROUP
    appmsg = body["appmsg"]
    assert "<type>57</type>" in appmsg
    assert f"<svrid>{push['Data']['NewMsgId']}</svrid>" in appmsg
    assert f"<fromusr>{GROUP}</fromusr>" in appmsg
    assert f"<chatusr>{MEMBER}</chatusr>" in appmsg
    assert "<displayname>林木</displayname>" in appmsg
    assert "<content>lunch at 12?</content>" in appmsg
    assert gewe_bot.outbox.messages[-1].appmsg_type == 57


# -- media replies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "endpoint", "fields"),
    [
        (
            lambda ctx: ctx.reply_image("https://example.com/a.png"),
            "message/postImage",
            {"imgUrl": "https://example.com/a.png"},
        ),
        (
            lambda ctx: ctx.reply_file("https://example.com/r.pdf", "report.pdf"),
            "message/postFile",
            {"fileUrl": "https://example.com/r.pdf", "fileName": "report.pdf"},
        ),
        (
            lambda ctx: ctx.reply_link(
                "Docs", "How to", "https://example.com/d", "https://example.com/t.png"
            ),
            "message/postLink",
            {
                "title": "Docs",
                "desc": "How to",
                "linkUrl": "https://example.com/d",
                "thumbUrl": "https://example.com/t.png",
            },
        ),
        (
            lambda ctx: ctx.reply_emoji("cc56728d56c730ddae52baffe941ed86", 211797),
            "message/postEmoji",
            {"emojiMd5": "cc56728d56c730ddae52baffe941ed86", "emojiSize": 211797},
        ),
    ],
    ids=["image", "file", "link", "emoji"],
)
async def test_media_replies_go_to_the_chat_of_the_event(gewe_bot, reply, endpoint, fields):
    gewe_bot.include(answering(TextMessage, reply))
    await gewe_bot.deliver(text_push("send it", group=GROUP, sender=MEMBER))
    (body,) = wire(gewe_bot, endpoint)
    assert body["appId"] == BOT_APP
    assert body["toWxid"] == GROUP
    assert {k: body[k] for k in fields} == fields


async def test_a_bad_url_is_a_value_error_before_any_request(gewe_bot):
    errors: list[Exception] = []
    router = Router()

    @router.on(TextMessage)
    async def handle(event: TextMessage, ctx: Context) -> None:
        try:
            await ctx.reply_image("not a url")
        except ValueError as exc:
            errors.append(exc)

    gewe_bot.include(router)
    await gewe_bot.deliver(text_push("x"))
    assert len(errors) == 1
    assert not wire(gewe_bot, "message/postImage")


async def test_a_failing_send_raises_the_clients_typed_error(gewe_bot):
    gewe_bot.fake.set_offline(BOT_APP)
    errors: list[Exception] = []
    router = Router()

    @router.on(TextMessage)
    async def handle(event: TextMessage, ctx: Context) -> None:
        try:
            await ctx.reply_quote("hi")
        except GeweError as exc:
            errors.append(exc)

    gewe_bot.include(router)
    await gewe_bot.deliver(text_push("x"))
    assert len(errors) == 1
    assert isinstance(errors[0], GeweError)


# -- forward and download --------------------------------------------------------------------


async def received(bot: BotHarness, kind: str, *args: Any) -> None:
    await getattr(bot.fake, f"receive_{kind}")(BOT_APP, FRIEND, *args)
    await bot.wait_until_handled()


@pytest.mark.parametrize(
    ("kind", "args", "event_type", "endpoint"),
    [
        ("image", (), ImageMessage, "message/forwardImage"),
        ("video", (), VideoMessage, "message/forwardVideo"),
        ("file", ("r.pdf",), FileMessage, "message/forwardFile"),
    ],
)
async def test_forward_to_sends_the_received_media_on(gewe_bot, kind, args, event_type, endpoint):
    gewe_bot.include(answering(event_type, lambda ctx: ctx.forward_to("filehelper")))
    await received(gewe_bot, kind, *args)
    (body,) = wire(gewe_bot, endpoint)
    assert body["toWxid"] == "filehelper"
    assert body["xml"].lstrip().startswith(("<?xml", "<msg"))


async def test_forward_to_sends_a_sticker_again_by_its_md5(gewe_bot):
    gewe_bot.include(answering(EmojiMessage, lambda ctx: ctx.forward_to("filehelper")))
    await received(gewe_bot, "emoji")
    (body,) = wire(gewe_bot, "message/postEmoji")
    assert (body["toWxid"], body["emojiMd5"], body["emojiSize"]) == (
        "filehelper",
        "cc56728d56c730ddae52baffe941ed86",
        211797,
    )


@pytest.mark.parametrize(
    ("kind", "args", "event_type", "endpoint"),
    [
        ("image", (), ImageMessage, "message/downloadImage"),
        ("voice", (), VoiceMessage, "message/downloadVoice"),
        ("video", (), VideoMessage, "message/downloadVideo"),
        ("file", ("r.pdf",), FileMessage, "message/downloadFile"),
        ("emoji", (), EmojiMessage, "message/downloadEmojiMd5"),
    ],
)
async def test_download_asks_the_endpoint_of_the_media(gewe_bot, kind, args, event_type, endpoint):
    urls: list[str] = []

    async def download(ctx: Context) -> None:
        urls.append(await ctx.download())

    gewe_bot.include(answering(event_type, download))
    for key in (  # the CDN ids and MD5 of the builders' defaults
        "3057020100044b3049020100020439047520",
        "3052020100044b304902010002048399cc84",
        "3057020100044b304902010002043904752002032df7",
        "3057020100044b304902010002043904752002032f7e35",
        "cc56728d56c730ddae52baffe941ed86",
    ):
        gewe_bot.outbox.know_media(key, f"https://cdn.example.com/{key}")
    await received(gewe_bot, kind, *args)
    (body,) = wire(gewe_bot, endpoint)
    assert body["appId"] == BOT_APP
    assert len(urls) == 1
    assert urls[0].startswith("http")


def _context(event: CallbackEvent, client: Any) -> Context:
    return Context(event, client=client, storage=MemoryStorage())


@pytest.mark.parametrize("method", ["download", "forward_to"])
async def test_media_calls_on_a_text_are_type_errors_before_any_request(method):
    fake = FakeGewe()
    fake.add_device(BOT_APP)
    args = ("filehelper",) if method == "forward_to" else ()
    async with fake.client() as client:
        ctx = _context(parse_callback(text_push("hi")), client)
        with pytest.raises(TypeError, match=r"only .*ImageMessage.* not a TextMessage"):
            await getattr(ctx, method)(*args)
    assert fake.requests == []


async def test_a_voice_message_cannot_be_forwarded_and_a_link_cannot_be_downloaded():
    fake = FakeGewe()
    fake.add_device(BOT_APP)
    voice = parse_callback(voice_payload(BOT_APP, BOT_WXID, FRIEND))
    link = parse_callback(link_payload(BOT_APP, BOT_WXID, FRIEND, "Docs", "https://a.b/d"))
    assert isinstance(voice, VoiceMessage)
    assert isinstance(link, LinkMessage)
    async with fake.client() as client:
        with pytest.raises(TypeError, match="not a VoiceMessage"):
            await _context(voice, client).forward_to("filehelper")
        with pytest.raises(TypeError, match="not a LinkMessage"):
            await _context(link, client).download()
    assert fake.requests == []


async def test_replies_to_an_event_that_is_not_a_message_are_type_errors():
    fake = FakeGewe()
    fake.add_device(BOT_APP)
    async with fake.client() as client:
        ctx = _context(parse_callback(offline_payload(BOT_APP, BOT_WXID)), client)
        assert not isinstance(ctx.event, MessageEvent)
        for call in (ctx.reply("x"), ctx.reply_quote("x"), ctx.reply_image("https://a.b/c.png")):
            with pytest.raises(TypeError, match="has no chat"):
                await call
    assert fake.requests == []


# -- the context is given what it needs ------------------------------------------------------


def test_the_context_module_does_not_import_the_dispatcher():
    """Issue 20: a Context needs the client, not the dispatcher (no import circle)."""
    import ast
    from pathlib import Path

    import gewe_async.bot._context as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "gewe_async.bot._dispatcher" not in imported
    assert "gewe_async.bot" not in imported


async def test_a_context_without_a_client_says_so():
    ctx = Context(parse_callback(text_push("hi")), storage=MemoryStorage())
    with pytest.raises(GeweConfigError, match="no client"):
        await ctx.reply("x")


async def test_ctx_commands_lists_the_bots_commands():
    from gewe_async.bot import filters as f

    dp = Dispatcher()
    seen: list[list[str]] = []

    @dp.on(TextMessage, f.command("help"))
    async def help_(event: TextMessage, ctx: Context) -> None:
        """List the commands"""
        seen.append([f"{c.prefix}{c.names[0]}: {c.description}" for c in ctx.commands()])

    await dp.feed(text_push("/help"))
    assert seen == [["/help: List the commands"]]
