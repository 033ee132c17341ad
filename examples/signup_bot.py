"""A sign-up form over several messages: name, city, confirm; /cancel at any step.

The state of each conversation lives in the dispatcher's storage, not in a waiting coroutine:
every message is one short handler run, and the next message, in this process after a
restart or in another worker, finds the form where the last one left it.

    gewe-async receive signup_bot:dispatcher --journal sqlite:///bot.db

Conversations are kept in ``bot.db-state``, an SQLite file of their own beside the journal:
a form goes on after the receiver restarts, even from a SIGKILL between two answers.
"""

from __future__ import annotations

from gewe_async.bot import Context, Dispatcher, Router
from gewe_async.bot import filters as f
from gewe_async.bot.fsm import SqliteStorage, State, StatesGroup
from gewe_async.callbacks import TextMessage

router = Router("signup")


class Signup(StatesGroup):
    name = State()
    city = State()
    confirm = State()


@router.on(TextMessage, f.command("cancel"), f.state("*"))
async def cancel(event: TextMessage, ctx: Context) -> None:
    """Stop filling the form"""
    await ctx.state.clear()
    await ctx.reply("Cancelled.")


@router.on(TextMessage, f.command("signup"), f.state(None))
async def start(event: TextMessage, ctx: Context) -> None:
    """Sign up: name, then city"""
    await ctx.state.set(Signup.name)
    await ctx.reply("What is your name?")


@router.on(TextMessage, f.command("help"))
async def help_(event: TextMessage, ctx: Context) -> None:
    """List the commands"""
    lines = [f"{c.prefix}{c.names[0]}: {c.description}" for c in ctx.commands()]
    await ctx.reply("\n".join(lines))


@router.on(TextMessage, f.state(Signup.name))
async def got_name(event: TextMessage, ctx: Context) -> None:
    await ctx.state.set(Signup.city, name=event.text.strip())  # the step and the data at once
    await ctx.reply("Which city do you live in?")


@router.on(TextMessage, f.state(Signup.city))
async def got_city(event: TextMessage, ctx: Context) -> None:
    await ctx.state.set(Signup.confirm, city=event.text.strip())
    data = await ctx.state.get_data()
    await ctx.reply(f"{data['name']} from {data['city']}: right? (yes/no)")


@router.on(TextMessage, f.state(Signup.confirm), f.text_equals("yes", ignore_case=True))
async def confirmed(event: TextMessage, ctx: Context) -> None:
    data = await ctx.state.get_data()
    await ctx.state.clear()
    await ctx.reply(f"Welcome, {data['name']}!")


@router.on(TextMessage, f.state(Signup.confirm))
async def not_confirmed(event: TextMessage, ctx: Context) -> None:
    await ctx.state.set(Signup.name)
    await ctx.reply("Let's start again. What is your name?")


# A form left for a day is forgotten. MemoryStorage() would forget every form on a restart;
# RedisStorage("redis://...") shares them with workers on other hosts.
dispatcher = Dispatcher(storage=SqliteStorage("bot.db-state", ttl=24 * 3600))
dispatcher.include_router(router)
