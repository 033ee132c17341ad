"""The pytest plugin of gewe-async (entry point ``pytest11``): the ``gewe_fake`` fixture."""

from __future__ import annotations

import pytest

from gewe_async.testing._fake import FakeGewe


@pytest.fixture
def gewe_fake() -> FakeGewe:
    """A fresh [`FakeGewe`][gewe_async.testing.FakeGewe] with no devices, for one test.

    ```python
    async def test_profile(gewe_fake):
        gewe_fake.add_device("wx_1", nick_name="Alice")
        async with gewe_fake.client() as client:
            assert (await client.personal.get_profile("wx_1")).nick_name == "Alice"
    ```
    """
    return FakeGewe()
