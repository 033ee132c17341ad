"""mypy --strict sees the builders' parameters on FakeGewe's receive_<kind> methods.

Not run by pytest: checked by ``mypy --strict tests/typing`` (nox's typing session). Each
``type: ignore`` must be needed (strict warns of unused ones), so the wrong calls below prove
the parameters are typed, not ``**kwargs: Any``.
"""

from __future__ import annotations

from typing import Any, assert_type

from gewe_async.testing import FakeGewe


async def pushes(fake: FakeGewe) -> None:
    ping = await fake.receive_text("wx_1", "wxid_friend", "ping", group="1@chatroom")
    assert_type(ping, dict[str, Any])
    await fake.receive_revoke("wx_1", "wxid_friend", ping, replace_text="gone")
    await fake.receive_location("wx_1", "wxid_friend", latitude=1.0, longitude=2.0)
    await fake.receive_group_member_joined("wx_1", "1@chatroom", [("wxid_a", "A")], as_text=True)
    await fake.receive_text("wx_1", "wxid_friend", 3)  # type: ignore[arg-type]
    await fake.receive_text("wx_1", "wxid_friend", "x", colour="red")  # type: ignore[call-arg]
    await fake.receive_location("wx_1", "wxid_friend")  # type: ignore[call-arg]
