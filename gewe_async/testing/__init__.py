"""Test support: ``FakeGewe``, an in-memory GeWe server that answers as the official docs say.

Use it in your own tests:

```python
from gewe_async.testing import FakeGewe

async def test_my_bot() -> None:
    fake = FakeGewe()
    fake.add_device("wx_1", nick_name="Alice")
    async with fake.client() as client:
        assert (await client.personal.get_profile("wx_1")).nick_name == "Alice"
```

or take the ``gewe_fake`` pytest fixture, installed with the package.
"""

from gewe_async.testing import _push
from gewe_async.testing._bot import BotHarness
from gewe_async.testing._delivery import CallbackFaults, Push
from gewe_async.testing._fake import FakeGewe, Faults
from gewe_async.testing._outbox import Outbox, OutboxMessage
from gewe_async.testing._push import *  # noqa: F403 - the payload builders, as _push lists them
from gewe_async.testing._routes import FakeRoute
from gewe_async.testing._state import FakeDevice, RecordedRequest

__all__ = [
    "BotHarness",
    "CallbackFaults",
    "FakeDevice",
    "FakeGewe",
    "FakeRoute",
    "Faults",
    "Outbox",
    "OutboxMessage",
    "Push",
    "RecordedRequest",
]
__all__ += _push.__all__
