"""The fake's social graph stays consistent under any sequence of operations (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from gewe_async.testing import FakeGewe
from gewe_async.testing._routes import ROUTES

ME = "wxid_wx_1"
FRIENDS = [f"wxid_f{i}" for i in range(5)]
STRANGER = "wxid_stranger"
PEOPLE = st.sampled_from([*FRIENDS, STRANGER, ME])


class GraphMachine(RuleBasedStateMachine):
    """Random calls against the fake, checked against a small model of who is where."""

    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeGewe(token="t")
        self.fake.add_device("wx_1")
        self.graph = self.fake.devices["wx_1"].graph
        self.friends = set(FRIENDS)
        # room -> (owner, members in join order, admins)
        self.rooms: dict[str, tuple[str, list[str], set[str]]] = {}

    @initialize()
    def seed(self) -> None:
        for wxid in FRIENDS:
            self.graph.add_friend(wxid)
        self.graph.add_person(STRANGER)
        # One group the device owns, one where it is an admin, so that every rule has work.
        mine = self.graph.add_group(ME, [ME, *FRIENDS[:3]])
        self.rooms[mine.chatroom_id] = (ME, [ME, *FRIENDS[:3]], set())
        theirs = self.graph.add_group(FRIENDS[3], [ME, FRIENDS[4], STRANGER], admins=(ME,))
        self.rooms[theirs.chatroom_id] = (FRIENDS[3], [FRIENDS[3], ME, FRIENDS[4], STRANGER], {ME})

    def call(self, path: str, **body: Any) -> dict[str, Any]:
        return self.fake._answer(ROUTES[path], "t", {"appId": "wx_1", **body})

    def room_ids(self) -> list[str]:
        return sorted(self.rooms)

    # -- operations -----------------------------------------------------------------------

    @rule(wxids=st.lists(PEOPLE, min_size=1, max_size=4, unique=True))
    def create(self, wxids: list[str]) -> None:
        answer = self.call("group/createChatroom", wxids=wxids)
        ok = len(wxids) >= 2 and set(wxids) <= self.friends
        assert (answer["ret"] == 200) == ok, answer
        if ok:
            self.rooms[answer["data"]["chatroomId"]] = (ME, [ME, *wxids], set())

    @rule(pick=st.integers(0, 9), wxids=st.lists(PEOPLE, min_size=1, max_size=3, unique=True))
    def invite(self, pick: int, wxids: list[str]) -> None:
        if not self.rooms:
            return
        room = self.room_ids()[pick % len(self.rooms)]
        members = self.rooms[room][1]
        answer = self.call("group/inviteMember", chatroomId=room, wxids=",".join(wxids), reason="")
        ok = ME in members and set(wxids) <= self.friends
        assert (answer["ret"] == 200) == ok, answer
        if ok:
            members.extend(w for w in wxids if w not in members)

    @rule(pick=st.integers(0, 9), wxid=PEOPLE)
    def remove(self, pick: int, wxid: str) -> None:
        if not self.rooms:
            return
        room = self.room_ids()[pick % len(self.rooms)]
        owner, members, admins = self.rooms[room]
        answer = self.call("group/removeMember", chatroomId=room, wxids=wxid)
        ok = (
            ME in members
            and (owner == ME or ME in admins)
            and wxid in members
            and wxid != owner
            and (wxid not in admins or owner == ME)
        )
        assert (answer["ret"] == 200) == ok, answer
        if ok:
            members.remove(wxid)
            admins.discard(wxid)

    @rule(pick=st.integers(0, 9), wxid=PEOPLE, transfer=st.booleans())
    def promote(self, pick: int, wxid: str, transfer: bool) -> None:
        if not self.rooms:
            return
        room = self.room_ids()[pick % len(self.rooms)]
        owner, members, admins = self.rooms[room]
        answer = self.call(
            "group/adminOperate", chatroomId=room, operType=3 if transfer else 1, wxids=[wxid]
        )
        ok = ME in members and owner == ME and wxid in members
        assert (answer["ret"] == 200) == ok, answer
        if ok and transfer:
            self.rooms[room] = (wxid, members, admins - {wxid})
        elif ok and wxid != owner:
            admins.add(wxid)

    @rule(pick=st.integers(0, 9))
    def quit(self, pick: int) -> None:
        if not self.rooms:
            return
        room = self.room_ids()[pick % len(self.rooms)]
        owner, members, admins = self.rooms[room]
        answer = self.call("group/quitChatroom", chatroomId=room)
        assert (answer["ret"] == 200) == (ME in members), answer
        if ME in members:
            members.remove(ME)
            admins.discard(ME)
            if owner == ME and members:
                owner = members[0]
                admins.discard(owner)
            self.rooms[room] = (owner, members, admins)

    @rule(wxid=PEOPLE)
    def delete_friend(self, wxid: str) -> None:
        answer = self.call("contacts/deleteFriend", wxid=wxid)
        assert (answer["ret"] == 200) == (wxid in self.friends), answer
        self.friends.discard(wxid)

    # -- what must always hold ------------------------------------------------------------

    @invariant()
    def contacts_list_matches(self) -> None:
        data = self.call("contacts/fetchContactsList")["data"]
        assert set(data["friends"]) == self.friends
        mine = {room for room, (_, members, _) in self.rooms.items() if ME in members}
        assert set(data["chatrooms"]) == mine

    @invariant()
    def member_lists_match(self) -> None:
        for room, (owner, members, admins) in self.rooms.items():
            answer = self.call("group/getChatroomMemberList", chatroomId=room)
            if ME not in members:
                assert answer["ret"] == 500
                continue
            data = answer["data"]
            assert [m["wxid"] for m in data["memberList"]] == members
            assert data["chatroomOwner"] == owner
            assert set(data["adminWxid"]) == admins
            assert owner in members
            assert admins <= set(members)

    @invariant()
    def stored_groups_are_whole(self) -> None:
        # Also for groups the device left, which it can no longer read.
        for group in self.graph.groups.values():
            assert group.owner in group.members
            assert set(group.admins) <= set(group.members)
            assert group.owner not in group.admins


GraphMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
test_graph_stays_consistent = GraphMachine.TestCase
