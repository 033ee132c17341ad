"""Commands and matches: f.command hands ctx.command, f.text_regex ctx.match, dp.commands()."""

from __future__ import annotations

import re

import pytest

from gewe_async.bot import Context, Dispatcher, Router
from gewe_async.bot import filters as f
from gewe_async.bot.filters import CommandObject, CommandSpec
from gewe_async.callbacks import TextMessage
from gewe_async.testing import BotHarness
from tests.bot_helpers import BOT_WXID, GROUP, text_push


def _capture(dp: Dispatcher, *filters: f.Filter) -> list[Context]:
    seen: list[Context] = []

    @dp.on(TextMessage, *filters)
    async def handler(event: TextMessage, ctx: Context) -> None:
        seen.append(ctx)

    return seen


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/weather", CommandObject("/", "weather", "", ())),
        ("  /w Paris 3 ", CommandObject("/", "w", "Paris 3", ("Paris", "3"))),
        (
            '/weather "New York" now',
            CommandObject("/", "weather", '"New York" now', ("New York", "now")),
        ),
        ("/weather it's sunny", CommandObject("/", "weather", "it's sunny", ("it's", "sunny"))),
        ("/weather\nline two", CommandObject("/", "weather", "line two", ("line", "two"))),
        ("/weather\u2005Paris", CommandObject("/", "weather", "Paris", ("Paris",))),
    ],
)
async def test_a_command_hands_its_name_text_and_arguments(text: str, expected: CommandObject):
    dp = Dispatcher()
    seen = _capture(dp, f.command("weather", "w"))
    assert await dp.feed(text_push(text))
    assert seen[0].command == expected


@pytest.mark.parametrize(
    "text", ["weather", "/weathers", "/ weather", "hello /weather", "!weather", "/Weather", "/"]
)
async def test_other_texts_are_no_command(text: str):
    dp = Dispatcher()
    _capture(dp, f.command("weather"))
    assert not await dp.feed(text_push(text))


async def test_a_command_after_a_leading_mention_in_a_group_counts():
    dp = Dispatcher()
    seen = _capture(dp, f.command("weather"))
    for text in ("@Bot\u2005/weather Paris", "@Bot /weather Paris"):
        assert await dp.feed(text_push(text, group=GROUP, mentions=(BOT_WXID,)))
    assert [c.command.text for c in seen if c.command] == ["Paris", "Paris"]


async def test_prefix_and_case_options():
    dp = Dispatcher()
    seen = _capture(dp, f.command("start", prefix="!", ignore_case=True))
    plain = _capture(dp, f.command("go", prefix=""))
    assert await dp.feed(text_push("!START now"))
    assert seen[0].command == CommandObject("!", "START", "now", ("now",))
    assert await dp.feed(text_push("go"))
    assert plain[0].command == CommandObject("", "go", "", ())


@pytest.mark.parametrize("names", [(), ("",), ("two words",), (3,)])
def test_bad_command_names_are_refused(names: tuple[object, ...]):
    with pytest.raises(ValueError, match="command name"):
        f.command(*names)  # type: ignore[arg-type]


def test_a_bad_prefix_is_refused():
    with pytest.raises(ValueError, match="prefix"):
        f.command("x", prefix="/ ")


async def test_text_regex_hands_its_match():
    dp = Dispatcher()
    seen = _capture(dp, f.text_regex(r"(\d+) ?(kg|g)"))
    assert await dp.feed(text_push("weigh 12 kg please"))
    match = seen[0].match
    assert isinstance(match, re.Match)
    assert match.groups() == ("12", "kg")
    assert seen[0].command is None


async def test_data_of_a_handler_that_did_not_run_does_not_leak_to_the_next():
    """A command matched, a later filter of the same handler failed: ctx.command stays None."""
    dp = Dispatcher()
    _capture(dp, f.command("weather"), f.group())
    fallback = _capture(dp)
    assert await dp.feed(text_push("/weather Paris"))
    assert fallback[0].command is None


async def test_combined_filters_hand_the_data_of_what_passed():
    dp = Dispatcher()
    seen = _capture(dp, f.command("a") | (f.command("b") & f.text_regex("x(y)")))
    negated = _capture(dp, ~f.command("zzz"))
    await dp.feed(text_push("/b xy"))
    await dp.feed(text_push("/a"))
    await dp.feed(text_push("other"))
    assert seen[0].command is not None
    assert seen[0].command.name == "b"
    assert seen[0].match is not None
    assert seen[0].match.group(1) == "y"
    assert seen[1].command is not None
    assert seen[1].match is None
    assert negated[0].data == {}


async def test_filters_called_alone_still_answer_a_bool():
    event_push = text_push("/weather")
    from gewe_async.callbacks import parse_callback

    event = parse_callback(event_push)
    assert await f.command("weather")(event) is True
    assert await f.text_regex("weather")(event) is True
    assert await (~f.text_regex("weather"))(event) is False


async def test_the_dispatcher_lists_its_commands_for_a_help_reply(gewe_bot: BotHarness):
    router = Router()

    @router.on(TextMessage, f.command("weather", "w"))
    async def weather(event: TextMessage, ctx: Context) -> None:
        """The weather of a city.

        More text that is not shown.
        """

    @router.on(TextMessage, f.private() & f.command("help", prefix="!"))
    async def help_(event: TextMessage, ctx: Context) -> None:
        lines = [
            f"{c.prefix}{c.names[0]} {c.description}".strip() for c in ctx.commands()
        ]
        await ctx.reply("\n".join(lines))

    @router.on(TextMessage, ~f.command("hidden"))
    async def other(event: TextMessage, ctx: Context) -> None:
        pass

    gewe_bot.include(router)
    assert gewe_bot.dispatcher.commands() == [
        CommandSpec(("weather", "w"), "/", "The weather of a city."),
        CommandSpec(("help",), "!", ""),
    ]
    await gewe_bot.deliver(text_push("!help"))
    assert gewe_bot.sent()[0][1] == "/weather The weather of a city.\n!help"
