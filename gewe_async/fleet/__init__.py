"""Running many accounts: health, a contact directory, schedules, an outbox, risk budgets.

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
- [`Scheduler`][gewe_async.fleet.Scheduler] (``dp.schedule``) runs interval, cron and
  one-shot jobs per account, once across restarts and workers.
- [`Outbox`][gewe_async.fleet.Outbox] stores each send before it is made and never sends
  twice blindly; [`broadcast`][gewe_async.fleet.broadcast] sends one message to many chats
  with a resumable report.
- [`Budgets`][gewe_async.fleet.Budgets] (``AsyncGeweClient(budgets=...)``) enforce the
  account guides' limits before sending.
"""

from gewe_async.exceptions import BudgetExceededError
from gewe_async.fleet._broadcast import BroadcastReport, broadcast
from gewe_async.fleet._budget import BUDGET_NAMES, Budget, Budgets, OnExceeded
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
from gewe_async.fleet._outbox import Outbox, OutboxItem, OutboxState
from gewe_async.fleet._schedule import Job, Misfire, Scheduler

__all__ = [
    "BUDGET_NAMES",
    "AccountDirectory",
    "AccountEvent",
    "AccountHealth",
    "AccountMonitor",
    "AccountOffline",
    "AccountOnline",
    "AccountSilent",
    "AccountStatus",
    "BroadcastReport",
    "Budget",
    "BudgetExceededError",
    "Budgets",
    "Directory",
    "DirectoryContact",
    "DirectoryGroup",
    "DirectoryMember",
    "HealthCause",
    "Job",
    "Listener",
    "Misfire",
    "OnExceeded",
    "Outbox",
    "OutboxItem",
    "OutboxState",
    "Scheduler",
    "SyncReport",
    "broadcast",
]
