"""Running a fleet of accounts: scheduled jobs, an outbox that survives restarts, risk budgets.

```python
from gewe_async.fleet import Budgets, Outbox, Scheduler, broadcast
```

See docs/fleet.md for what each part is and how to turn it on.
"""

from gewe_async.exceptions import BudgetExceededError
from gewe_async.fleet._broadcast import BroadcastReport, broadcast
from gewe_async.fleet._budget import BUDGET_NAMES, Budget, Budgets, OnExceeded
from gewe_async.fleet._outbox import Outbox, OutboxItem, OutboxState
from gewe_async.fleet._schedule import Job, Misfire, Scheduler

__all__ = [
    "BUDGET_NAMES",
    "BroadcastReport",
    "Budget",
    "BudgetExceededError",
    "Budgets",
    "Job",
    "Misfire",
    "OnExceeded",
    "Outbox",
    "OutboxItem",
    "OutboxState",
    "Scheduler",
    "broadcast",
]
