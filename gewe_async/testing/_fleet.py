"""The fake's fleet troubles: accounts taken offline, made silent or zombie; a graph that churns.

[`FakeGewe`][gewe_async.testing.FakeGewe] holds a `FleetControls` part (over its devices and
its delivery) and delegates to it; the server consults `zombie_refusal` for each call and the
delivery consults `muted` for each push.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import attrs

from gewe_async.testing._graph import Member
from gewe_async.testing._push import offline_payload
from gewe_async.testing._state import FakeDevice, FleetFlags

if TYPE_CHECKING:
    from gewe_async.testing._delivery import CallbackDelivery

__all__ = ["FleetControls", "cure_on_reconnection", "zombie_refusal"]


def zombie_refusal(path: str, device: FakeDevice) -> dict[str, Any] | None:
    """The answer of a zombie device to a call of ``path`` outside ``login/*``, else `None`."""
    if not device.fleet.zombie or path.startswith("login/"):
        return None
    return {"ret": 500, "msg": "操作失败", "data": {"code": "-1", "msg": "微信已离线"}}


def cure_on_reconnection(device: FakeDevice) -> None:
    """What ``login/reconnection`` does to a device it can bring back."""
    if device.fleet.reconnection_cures:
        device.fleet.zombie = False
        device.online = True


@attrs.define
class FleetControls:
    """Fleet troubles for tests, over the fake's devices and its delivery.

    `FakeGewe` delegates to its part:

    ```python
    await fake.take_offline("wx_1")     # pushes Offline; checkOnline says false
    fake.make_silent("wx_2")            # online, but nothing is pushed for it
    fake.make_zombie("wx_3")            # checkOnline true, sends refused with 微信已离线
    fake.make_healthy("wx_3")
    ```
    """

    devices: dict[str, FakeDevice]
    delivery: CallbackDelivery

    def _fleet_device(self, app_id: str) -> FakeDevice:
        device = self.devices.get(app_id)
        if device is None:
            raise ValueError(f"no device {app_id!r}: add_device() it first")
        return device

    async def take_offline(
        self, app_id: str, *, push: bool = True, reconnection_cures: bool = False
    ) -> None:
        """What `FakeGewe.take_offline` does."""
        device = self._fleet_device(app_id)
        device.online = False
        device.pending_login = None
        device.fleet = FleetFlags(reconnection_cures=reconnection_cures)
        if push and self.delivery.has_target:
            await self.delivery.deliver(offline_payload(app_id, device.wxid))

    def make_silent(self, app_id: str) -> None:
        """Keep the account online but push nothing for it (a stuck callback)."""
        self._fleet_device(app_id).fleet.silent = True

    def make_zombie(self, app_id: str, *, reconnection_cures: bool = False) -> None:
        """``checkOnline`` true, every other call refused with ``微信已离线``.

        With ``reconnection_cures``, a ``login/reconnection`` ends it.
        """
        device = self._fleet_device(app_id)
        device.online = True
        device.fleet.zombie = True
        device.fleet.reconnection_cures = reconnection_cures

    def make_healthy(self, app_id: str) -> None:
        """Online, pushed for, answering: undo the troubles above."""
        device = self._fleet_device(app_id)
        device.online = True
        device.fleet = FleetFlags()

    def churn(self, app_id: str, *, changes: int = 10, seed: int = 0) -> list[str]:
        """Change the device's contacts and groups behind the bot's back (no push).

        Renames friends, adds and deletes some, renames groups, adds and removes members,
        changes nicknames in groups: what a periodic sync must catch. Returns one line per
        change.
        """
        device = self._fleet_device(app_id)
        graph = device.graph
        rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        done: list[str] = []
        for n in range(changes):
            friends = graph.friends()
            groups = [g for g in graph.groups.values() if device.wxid in g.members]
            what = rng.choice(("rename", "add", "delete", "group", "join", "leave", "nick"))
            tag = f"{seed}_{n}"
            if what == "rename" and friends:
                person = graph.people[rng.choice(friends)]
                person.nick_name = f"Renamed {tag}"
                done.append(f"renamed friend {person.wxid} to {person.nick_name}")
            elif what == "delete" and friends:
                person = graph.people[rng.choice(friends)]
                person.friend = False
                done.append(f"deleted friend {person.wxid}")
            elif what == "group" and groups:
                group = rng.choice(groups)
                group.name = f"Group {tag}"
                done.append(f"renamed group {group.chatroom_id} to {group.name}")
            elif what == "join" and groups:
                group = rng.choice(groups)
                wxid = f"wxid_joined_{tag}"
                graph.add_person(wxid, nick_name=f"Joiner {tag}")
                group.members[wxid] = Member(wxid, device.wxid)
                done.append(f"{wxid} joined {group.chatroom_id}")
            elif what == "leave" and groups:
                group = rng.choice(groups)
                others = [w for w in group.members if w not in (device.wxid, group.owner)]
                if others:
                    wxid = rng.choice(others)
                    del group.members[wxid]
                    done.append(f"{wxid} left {group.chatroom_id}")
            elif what == "nick" and groups:
                group = rng.choice(groups)
                wxid = rng.choice(list(group.members))
                group.members[wxid].display_name = f"Nick {tag}"
                done.append(f"{wxid} is Nick {tag} in {group.chatroom_id}")
            else:
                wxid = f"wxid_new_{tag}"
                graph.add_friend(wxid, nick_name=f"New {tag}")
                done.append(f"added friend {wxid}")
        return done
