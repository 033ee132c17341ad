"""A fake device's feeds: its Moments, favorites and Channels follows.

Tests can seed them directly (``fake.devices["wx_1"].feeds.add_favorite(...)``) and read what
the calls did.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any, Final
from xml.sax.saxutils import escape

import attrs

#: Ids of these groups exceed 2**63, as the real ones do: a client that loses precision shows.
MOMENT_ID_BASE: Final = 14287800629617234567


@attrs.define
class FakeMoment:
    """A Moment the fake knows: the device's own, or a contact's (seeded by a test)."""

    id: int
    user_name: str
    nick_name: str
    content: str = ""
    style: int = 2
    """``contentStyle`` of the XML: 1 images, 2 text, 3 link, 15 video, 28 Channels."""
    media: list[dict[str, Any]] = attrs.field(factory=list)
    create_time: int = attrs.field(factory=lambda: int(time.time()))
    private: bool = False
    likes: list[dict[str, Any]] = attrs.field(factory=list)
    """Wire-form ``likeList`` entries."""
    comments: list[dict[str, Any]] = attrs.field(factory=list)
    """Wire-form ``commentList`` entries."""

    @property
    def xml(self) -> str:
        """The ``TimelineObject`` XML, as the lists send it in ``snsXml``."""
        media = "".join(
            f"<media><id>{self.id + 1 + i}</id><type>{m.get('type', 2)}</type>"
            f"<url>{escape(str(m.get('url', '')))}</url>"
            f"<thumb>{escape(str(m.get('thumb', '')))}</thumb></media>"
            for i, m in enumerate(self.media)
        )
        return (
            f"<TimelineObject><id>{self.id}</id><username>{escape(self.user_name)}</username>"
            f"<createTime>{self.create_time}</createTime>"
            f"<contentDesc>{escape(self.content)}</contentDesc>"
            f"<private>{int(self.private)}</private><ContentObject>"
            f"<contentStyle>{self.style}</contentStyle><mediaList>{media}</mediaList>"
            "</ContentObject></TimelineObject>"
        )

    def wire(self, *, details: bool = False) -> dict[str, Any]:
        """The Moment as ``snsList`` (or, with ``details``, ``snsDetails``) sends it.

        Lists send ``null`` for empty like and comment lists, as the official example does.
        """
        empty: list[Any] | None = [] if details else None
        return {
            "id": self.id,
            "userName": self.user_name,
            "nickName": self.nick_name,
            "createTime": self.create_time,
            "snsXml": self.xml,
            "likeCount": len(self.likes),
            "likeList": [dict(x) for x in self.likes] or empty,
            "commentCount": len(self.comments),
            "commentList": [dict(x) for x in self.comments] or empty,
            "withUserCount": 0,
            "withUserList": None,
        }


@attrs.define
class FakeFavorite:
    """A saved item of the fake (``favor/*``)."""

    fav_id: int
    content: str
    type: int = 1
    update_time: int = attrs.field(factory=lambda: int(time.time()))
    deleted: bool = False


@attrs.define
class Feeds:
    """One fake device's Moments, favorites and Channels state."""

    moments: list[FakeMoment] = attrs.field(factory=list)
    """The device's own Moments, newest first."""
    contact_moments: dict[str, list[FakeMoment]] = attrs.field(factory=dict)
    """Contacts' Moments by wxid, newest first (seed with `add_contact_moment`)."""
    page_size: int = 10
    """How many items a list page holds (Moments, favorites, Channels follows)."""
    visible_scope: int = 1
    """``sns/snsVisibleScope``'s option, as last set (1: all)."""
    strangers_see_moments: bool = True
    """``sns/strangerVisibilityEnabled``, as last set."""
    favorites: dict[int, FakeFavorite] = attrs.field(factory=dict)
    """Saved items by favId (deleted ones stay, flagged, as ``favor/sync`` lists them)."""
    follows: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    """The Channels accounts followed: username -> wire-form contact (``followList``'s)."""
    finder_username: str = ""
    """The device's Channels username (``getProfile``'s ``mainFinderUsername``); the fake
    derives one from the appId when it is empty."""
    published: int = 0
    """How many Channels videos the device published (``publishFinderWeb``/``Cdn``)."""
    _ids: Iterator[int] = attrs.field(factory=lambda: itertools.count(1), repr=False)

    def new_moment_id(self) -> int:
        """A fresh Moment id above 2**63, larger than every earlier one."""
        return MOMENT_ID_BASE + next(self._ids) * 1000

    def add_contact_moment(self, wxid: str, content: str, *, nick_name: str = "") -> FakeMoment:
        """Seed a contact's Moment, for ``contactsSnsList``, ``likeSns`` and ``commentSns``."""
        moment = FakeMoment(self.new_moment_id(), wxid, nick_name or wxid, content)
        self.contact_moments.setdefault(wxid, []).insert(0, moment)
        return moment

    def find_moment(self, sns_id: int) -> FakeMoment | None:
        """The own or contact's Moment with this id."""
        everything = itertools.chain(self.moments, *self.contact_moments.values())
        return next((m for m in everything if m.id == sns_id), None)

    def add_favorite(self, content: str, *, type: int = 1) -> FakeFavorite:
        """Seed a saved item; its favId follows the last one."""
        fav_id = max(self.favorites, default=0) + 1
        favorite = FakeFavorite(fav_id, content, type)
        self.favorites[fav_id] = favorite
        return favorite
