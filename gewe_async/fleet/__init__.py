"""Running many accounts: their health, and a directory of their contacts and groups.

```python
from gewe_async.bot import Dispatcher
from gewe_async.fleet import AccountMonitor, AccountOffline, Directory

dp = Dispatcher(client, directory=Directory())        # ctx.directory in handlers
monitor = AccountMonitor(client, app_ids, dispatcher=dp)

@dp.on(AccountOffline)
async def offline(event: AccountOffline, ctx: Context) -> None:
    ...                                               # tell a person: a QR scan is needed
```

- [`AccountMonitor`][gewe_async.fleet.AccountMonitor] reacts to ``Offline`` pushes, polls
  ``login/checkOnline`` with jitter and bounded concurrency, flags silent and zombie
  accounts, tries ``login/reconnection``, and dispatches
  [`AccountOffline`][gewe_async.fleet.AccountOffline],
  [`AccountOnline`][gewe_async.fleet.AccountOnline] and
  [`AccountSilent`][gewe_async.fleet.AccountSilent] to the bot's handlers.
- [`Directory`][gewe_async.fleet.Directory] keeps contacts, groups and members per account
  in the bot's storage, updated from pushes and by a diff sync, read from memory.
"""

from gewe_async.fleet._directory import (
    AccountDirectory,
    Directory,
    DirectoryContact,
    DirectoryGroup,
    DirectoryMember,
    SyncReport,
)
from gewe_async.fleet._events import (
    AccountEvent,
    AccountHealth,
    AccountOffline,
    AccountOnline,
    AccountSilent,
    HealthCause,
)
from gewe_async.fleet._monitor import AccountMonitor, AccountStatus, Listener

__all__ = [
    "AccountDirectory",
    "AccountEvent",
    "AccountHealth",
    "AccountMonitor",
    "AccountOffline",
    "AccountOnline",
    "AccountSilent",
    "AccountStatus",
    "Directory",
    "DirectoryContact",
    "DirectoryGroup",
    "DirectoryMember",
    "HealthCause",
    "Listener",
    "SyncReport",
]
