"""A fake device's social graph: contacts, groups, labels, friend requests and WeCom contacts.

The fake's ``/contacts``, ``/group``, ``/label`` and ``/im`` routes read and change this state;
tests seed it with the ``add_*`` methods (``fake.devices[app_id].graph.add_friend(...)``).

Where the real server also pushes a callback for an action (a member removed, a group renamed,
an announcement published, a friend deleted), the graph appends a `Notice` to ``notices``;
`FakeGewe` pushes each new one after the call's answer, built by ``_graph_callbacks``.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from typing import Any

import attrs

from gewe_async.callbacks import CallbackKind
from gewe_async.testing._refusal import FakeRefusal

__all__ = [
    "FriendRequest",
    "Group",
    "Member",
    "Notice",
    "Person",
    "SocialGraph",
    "WeComUser",
]


def _token(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:24]


@attrs.define
class Person:
    """A WeChat user the device knows: a friend, or a stranger met in a group or by search."""

    wxid: str
    nick_name: str = ""
    alias: str | None = None
    sex: int = 0
    remark: str | None = None
    signature: str | None = None
    country: str | None = "CN"
    province: str | None = None
    city: str | None = None
    phone: str | None = None
    """Their phone number: ``search`` finds them by it, the phone book by its MD5."""
    friend: bool = False
    only_chat: bool = False
    labels: list[int] = attrs.field(factory=list)
    allows_group_adds: bool = True
    """Whether they accept friend requests from group members (addGroupMemberAsFriend)."""

    @property
    def v3(self) -> str:
        """The encrypted username search gives strangers (a friend's is their wxid)."""
        return self.wxid if self.friend else f"v3_{_token('v3', self.wxid)}@stranger"

    @property
    def v4(self) -> str:
        """The ticket that goes with ``v3``."""
        return f"v4_{_token('v4', self.wxid)}@stranger"

    def avatar(self, size: int) -> str:
        """The avatar URL (``size`` 0 for large, 132 for small)."""
        return f"https://wx.qlogo.cn/mmhead/ver_1/{_token('head', self.wxid)}/{size}"

    def info_json(self) -> dict[str, Any]:
        """As getBriefInfo/getDetailInfo send it."""
        return {
            "userName": self.wxid,
            "nickName": self.nick_name,
            "pyInitial": self.nick_name.upper(),
            "quanPin": self.nick_name,
            "sex": self.sex,
            "remark": self.remark,
            "remarkPyInitial": None if self.remark is None else self.remark.upper(),
            "remarkQuanPin": self.remark,
            "signature": self.signature,
            "alias": self.alias,
            "snsBgImg": None,
            "country": self.country,
            "bigHeadImgUrl": self.avatar(0),
            "smallHeadImgUrl": self.avatar(132),
            "description": None,
            "cardImgUrl": None,
            "labelList": ",".join(map(str, self.labels)),
            "province": self.province,
            "city": self.city,
            "phoneNumList": None,
        }


@attrs.define
class Member:
    """A member of a group: who invited them and their nickname there."""

    wxid: str
    inviter: str | None = None
    display_name: str | None = None


@attrs.define
class Group:
    """A group chat the device knows."""

    chatroom_id: str
    owner: str
    members: dict[str, Member] = attrs.field(factory=dict)
    admins: list[str] = attrs.field(factory=list)
    name: str = ""
    remark: str = ""
    announcement: str = ""
    announcement_editor: str = ""
    announcement_time: int = 0
    silenced: bool = False
    pinned: bool = False
    saved: bool = False
    """Saved to the address book: fetchContactsList lists it."""

    def can_manage(self, wxid: str) -> bool:
        """Whether ``wxid`` is the owner or an admin."""
        return wxid == self.owner or wxid in self.admins


@attrs.define
class FriendRequest:
    """A friend request the device received and has not answered."""

    wxid: str
    v3: str
    v4: str
    scene: int = 6
    content: str = ""


@attrs.define
class WeComUser:
    """A WeCom (企业微信) user, found by the content of their QR code."""

    user_name: str
    nick_name: str
    corp: str = "GeWe Corp"
    qr_content: str = ""
    contact: bool = False
    remark: str = ""

    def json(self, app_id: str, detail: bool = False) -> dict[str, Any]:
        """As im/sync (or, with ``detail``, im/detail) sends it."""
        data = {
            "userName": self.user_name,
            "nickName": self.nick_name,
            "remark": self.remark,
            "bigHeadImg": f"https://wework.qpic.cn/{_token(self.user_name)}/0",
            "smallHeadImg": f"https://wework.qpic.cn/{_token(self.user_name)}/140",
            "appId": app_id,
            "descWordingId": f"{_token('corp', self.corp)}@wxwork",
        }
        if detail:
            data |= {
                "wording": self.corp,
                "wordingPinyin": self.corp.upper(),
                "wordingQuanpin": self.corp,
            }
        return data


@attrs.frozen
class Notice:
    """A callback the real server would push for an action (see the module's docstring)."""

    kind: CallbackKind
    """The kind of the push; `callback_envelope` builds it with the kind's payload builder
    (a kind it has no builder for, such as ``contact_changed`` for a friend added, is
    recorded and not pushed)."""
    fields: dict[str, Any]
    """What the callback says: ``chatroom_id``, ``wxid(s)``, ``by``, ``name``, ``content``..."""
    at: int = 0
    """When it happened (Unix seconds)."""


@attrs.define
class SocialGraph:
    """One fake device's contacts, groups, labels, friend requests and WeCom contacts."""

    people: dict[str, Person] = attrs.field(factory=dict)
    groups: dict[str, Group] = attrs.field(factory=dict)
    official_accounts: list[str] = attrs.field(factory=list)
    labels: dict[int, str] = attrs.field(factory=dict)
    requests: list[FriendRequest] = attrs.field(factory=list)
    """Friend requests received and not yet answered."""
    sent_requests: list[tuple[str, str]] = attrs.field(factory=list)
    """``(wxid, greeting)`` of every friend request the device sent."""
    phone_book: list[str] = attrs.field(factory=list)
    wecom: dict[str, WeComUser] = attrs.field(factory=dict)
    invitations: dict[str, str] = attrs.field(factory=dict)
    """Invitation or QR-code URL -> chatroom id."""
    join_applications: dict[str, tuple[str, list[str]]] = attrs.field(factory=dict)
    """newMsgId -> (chatroom id, wxids asking to join)."""
    contacts_list_cached: bool = False
    """Whether a fetchContactsList ran, so that fetchContactsListCache has an answer."""
    notices: list[Notice] = attrs.field(factory=list)
    """Callbacks the real server would push, in order, kept for delivery to the callback URL."""
    _ids: itertools.count[int] = attrs.field(
        factory=lambda: itertools.count(1), repr=False, eq=False
    )

    # -- seeding (for tests) ----------------------------------------------------------------

    def add_person(self, wxid: str, **fields: Any) -> Person:
        """Add (or update) someone the device knows without being friends."""
        person = self.people.get(wxid)
        if person is None:
            person = self.people[wxid] = Person(wxid, nick_name=fields.pop("nick_name", wxid))
        for name, value in fields.items():
            setattr(person, name, value)
        return person

    def add_friend(self, wxid: str, **fields: Any) -> Person:
        """Add a friend (``nick_name=``, ``alias=``, ``phone=``, ``labels=`` ... as `Person`)."""
        return self.add_person(wxid, friend=True, **fields)

    def add_official_account(self, gh_id: str) -> None:
        """Follow an official account (``gh_...``)."""
        self.official_accounts.append(gh_id)

    def add_group(
        self,
        owner: str,
        members: list[str],
        *,
        chatroom_id: str | None = None,
        name: str = "",
        admins: tuple[str, ...] = (),
        saved: bool = True,
    ) -> Group:
        """Add a group; ``members`` should include the device's own wxid to be in it."""
        room = chatroom_id or self.new_chatroom_id()
        for wxid in (owner, *members):
            if wxid not in self.people:
                self.add_person(wxid)
        group = Group(room, owner, name=name, admins=list(admins), saved=saved)
        for wxid in dict.fromkeys([owner, *members]):
            group.members[wxid] = Member(wxid, None if wxid == owner else owner)
        self.groups[room] = group
        return group

    def add_friend_request(
        self, wxid: str, *, nick_name: str = "", scene: int = 6, content: str = ""
    ) -> FriendRequest:
        """Receive a friend request from ``wxid``; returns it with its v3/v4 tickets."""
        person = self.add_person(wxid, nick_name=nick_name or wxid)
        request = FriendRequest(wxid, person.v3, person.v4, scene, content)
        self.requests.append(request)
        return request

    def add_wecom_user(
        self, user_name: str, nick_name: str, *, corp: str = "GeWe Corp"
    ) -> WeComUser:
        """A WeCom user findable by ``im/search`` with their ``qr_content``."""
        user = WeComUser(
            user_name, nick_name, corp, f"https://work.weixin.qq.com/u/{_token(user_name)}"
        )
        self.wecom[user_name] = user
        return user

    def invite_url(self, chatroom_id: str) -> str:
        """An invitation link to a group (as its callback carries) for ``agreeJoinRoom``."""
        ticket = _token(chatroom_id, str(next(self._ids)))
        url = f"https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket={ticket}"
        self.invitations[url] = chatroom_id
        return url

    def qr_url(self, chatroom_id: str) -> str:
        """The URL in a group's QR code, for ``joinRoomUsingQRCode``."""
        url = f"https://weixin.qq.com/g/{_token('qr', chatroom_id)}"
        self.invitations[url] = chatroom_id
        return url

    def add_join_application(self, chatroom_id: str, wxids: list[str]) -> tuple[str, str]:
        """Someone asks to bring ``wxids`` in; returns the ``(newMsgId, msgContent)`` to approve."""
        msg_id = str(7_000_000_000_000_000_000 + next(self._ids))
        self.join_applications[msg_id] = (chatroom_id, list(wxids))
        for wxid in wxids:
            self.add_person(wxid)
        content = (
            '<sysmsg type="NewXmlChatRoomAccessVerifyApplication">'
            f"<NewXmlChatRoomAccessVerifyApplication><RoomName><![CDATA[{chatroom_id}]]></RoomName>"
            "</NewXmlChatRoomAccessVerifyApplication></sysmsg>"
        )
        return msg_id, content

    def new_chatroom_id(self) -> str:
        """A fresh ``<digits>@chatroom`` id."""
        return f"{34757816141 + next(self._ids)}@chatroom"

    # -- queries used by the routes ---------------------------------------------------------

    def friends(self) -> list[str]:
        """The friends' wxids, in the order they were added."""
        return [p.wxid for p in self.people.values() if p.friend]

    def friend(self, wxid: str) -> Person:
        """The friend ``wxid``, or the server's refusal."""
        person = self.people.get(wxid)
        if person is None or not person.friend:
            raise FakeRefusal.failed(f"{wxid} 不是你的好友")
        return person

    def person(self, wxid: str) -> Person:
        """Anyone known as ``wxid``, or the server's refusal."""
        person = self.people.get(wxid)
        if person is None:
            raise FakeRefusal.failed(f"联系人 {wxid} 不存在")
        return person

    def group_of(self, chatroom_id: str, me: str) -> Group:
        """A group the device (``me``) is a member of, or the server's refusal."""
        group = self.groups.get(chatroom_id)
        if group is None:
            raise FakeRefusal.failed(f"群聊 {chatroom_id} 不存在")
        if me not in group.members:
            raise FakeRefusal.failed("你不是该群成员")
        return group

    def managed(self, chatroom_id: str, me: str) -> Group:
        """A group the device owns or administers, or the server's refusal."""
        group = self.group_of(chatroom_id, me)
        if not group.can_manage(me):
            raise FakeRefusal.failed("仅群主或管理员可以操作")
        return group

    def notify(self, kind: CallbackKind, **fields: Any) -> None:
        """Record a callback the real server would push."""
        self.notices.append(Notice(kind, fields, self.now()))

    def now(self) -> int:
        """Unix seconds, for publish times."""
        return int(time.time())
