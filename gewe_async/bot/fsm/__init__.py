"""Conversation state: what step of a dialogue each chat is at, kept between messages.

```python
from gewe_async.bot import Dispatcher, filters as f
from gewe_async.bot.fsm import SqliteStorage, State, StatesGroup

class Signup(StatesGroup):
    name = State()
    city = State()

dp = Dispatcher(client, storage=SqliteStorage("bot-state.db"))

@dp.on(TextMessage, f.command("signup"))
async def start(event, ctx):
    await ctx.state.set(Signup.name)
    await ctx.reply("Your name?")

@dp.on(TextMessage, f.state(Signup.name))
async def got_name(event, ctx):
    await ctx.state.update(name=event.text)
    ...
```

State is data in a storage, never a coroutine waiting inside a handler: a handler returns,
and the next message of the conversation finds the state where the last one left it, in
this process after a restart, or in another worker.
"""

from gewe_async.bot.fsm._base import BaseStorage, Conversation, Scope, StorageKey
from gewe_async.bot.fsm._memory import MemoryStorage
from gewe_async.bot.fsm._redis import RedisStorage
from gewe_async.bot.fsm._sqlite import SqliteStorage
from gewe_async.bot.fsm._state import State, StatesGroup
from gewe_async.bot.fsm._urls import storage_from_url

__all__ = [
    "BaseStorage",
    "Conversation",
    "MemoryStorage",
    "RedisStorage",
    "Scope",
    "SqliteStorage",
    "State",
    "StatesGroup",
    "StorageKey",
    "storage_from_url",
]
