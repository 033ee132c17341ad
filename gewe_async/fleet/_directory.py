"""A contact directory per account: contacts, groups and members, by name, kept in storage.

Reads are from memory (dicts: a look-up costs well under a microsecond); every change is
also written to the bot's conversation storage (memory, SQLite or Redis), so a restarted
bot or another worker starts from what is known. Pushes (``ModContacts``, ``DelContacts``,
members joining or removed, renames) update it as they are handled, and `Directory.sync`
diffs it against the server (``fetchContactsList``, ``getBriefInfo`` in chunks of 20,
``getChatroomInfo``).

Every record of the storage is a conversation key of its own that no chat can have
(``<appId>:~directory:contacts``, ``<appId>:~members:<group>``), so conversations and the
directory share one storage without meeting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from gewe_async.bot.filters import Filter
from gewe_async.bot.fsm import BaseStorage, StorageKey
from gewe_async.callbacks import (
    CallbackEvent,
    ContactChanged,
    ContactDeleted,
    GroupDissolved,
    GroupInfoChanged,
    GroupMemberJoined,
    GroupMemberRemoved,
    GroupOwnerChanged,
    GroupQuit,
    GroupRenamed,
    MessageEvent,
    RemovedFromGroup,
)
from gewe_async.exceptions import GeweAPIError, GeweConfigError, GeweError

if TYPE_CHECKING:
    from gewe_async._client import AsyncGeweClient
    from gewe_async.bot import Context, Dispatcher
    from gewe_async.bot._dispatcher import CallNext

__all__ = [
    "AccountDirectory",
    "Directory",
    "DirectoryContact",
    "DirectoryGroup",
    "DirectoryMember",
    "SyncReport",
]

log = logging.getLogger("gewe_async.fleet")

_BOOK: Final = "~directory"
_MEMBERS: Final = "~members"


@attrs.frozen(slots=True)
class DirectoryContact:
    """A friend (or followed account) as the directory knows them."""

    wxid: str
    """Their wxid."""
    nick_name: str | None = None
    """Their own name."""
    remark: str | None = None
    """The account's note on them (what the account's WeChat shows first)."""
    alias: str | None = None
    """Their WeChat ID, if they set one."""

    @property
    def name(self) -> str:
        """What the account's WeChat shows: the remark, else the nickname, else the wxid."""
        return self.remark or self.nick_name or self.wxid

    def _json(self) -> dict[str, Any]:
        return {"nick_name": self.nick_name, "remark": self.remark, "alias": self.alias}


@attrs.frozen(slots=True)
class DirectoryGroup:
    """A group the account is in."""

    group_id: str
    """The group (``...@chatroom``)."""
    name: str | None = None
    """The group's name (`None` when WeChat shows the members' names instead)."""
    owner_wxid: str | None = None
    """The owner."""
    remark: str | None = None
    """The account's note on the group."""

    def _json(self) -> dict[str, Any]:
        return {"name": self.name, "owner_wxid": self.owner_wxid, "remark": self.remark}


@attrs.frozen(slots=True)
class DirectoryMember:
    """A member of a group."""

    wxid: str | None
    """Their wxid (`None` when a notice named them only by name)."""
    nick_name: str | None = None
    """Their own name."""
    display_name: str | None = None
    """Their nickname in this group, if they set one."""

    @property
    def name(self) -> str | None:
        """Their name in the group: the group nickname, else their own name."""
        return self.display_name or self.nick_name

    def _json(self) -> dict[str, Any]:
        return {"nick_name": self.nick_name, "display_name": self.display_name}


@attrs.frozen
class SyncReport:
    """What one `Directory.sync` of one account changed."""

    app_id: str
    """The device."""
    added: int
    """Contacts, groups and members that were not known."""
    changed: int
    """Records whose names changed."""
    removed: int
    """Records that are gone."""
    errors: tuple[str, ...] = ()
    """Calls that failed (their records are kept as they were)."""

    @property
    def ok(self) -> bool:
        """Whether every call of the sync succeeded."""
        return not self.errors


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _fold(value: str | None) -> str | None:
    return None if value is None else value.casefold()


class AccountDirectory:
    """One account's directory, read from memory: ``ctx.directory`` in a handler.

    ```python
    ctx.directory.name("wxid_a")                        # "Alice" (remark, else nickname)
    ctx.directory.name("wxid_a", group_id="1@chatroom") # her nickname in that group
    ctx.directory.find("alice")                         # contacts of that name
    ctx.directory.find_group("Team")                    # groups of that name
    ctx.directory.age                                   # seconds since the last full sync
    ```
    """

    def __init__(self, app_id: str, clock: Callable[[], float], max_age: float | None) -> None:
        self.app_id = app_id
        """The device."""
        self._clock = clock
        self._max_age = max_age
        self._contacts: dict[str, DirectoryContact] = {}
        self._groups: dict[str, DirectoryGroup] = {}
        self._members: dict[str, dict[str, DirectoryMember]] = {}
        self._contact_index: dict[str, list[str]] | None = None
        self._group_index: dict[str, list[str]] | None = None
        self.synced_at: float | None = None
        """When the last full sync ended (wall clock), `None` if none did."""
        self.updated_at: float | None = None
        """When a push or a sync last changed anything (wall clock)."""
        self.loaded = False
        """Whether what the storage held was read."""
        # Pushes applied while a sync runs: applied again after it, as they may be newer
        # than what the sync read.
        self._during_sync: list[CallbackEvent] | None = None

    def __repr__(self) -> str:
        age = "never synced" if self.age is None else f"age={self.age:.0f}s"
        return (
            f"<AccountDirectory {self.app_id} contacts={len(self._contacts)} "
            f"groups={len(self._groups)} {age}>"
        )

    # -- age ---------------------------------------------------------------------------------

    @property
    def age(self) -> float | None:
        """Seconds since the last full sync, `None` if there was none: names may be older."""
        return None if self.synced_at is None else max(0.0, self._clock() - self.synced_at)

    @property
    def stale(self) -> bool:
        """Never synced, or synced longer ago than the directory's ``max_age``."""
        age = self.age
        return age is None or (self._max_age is not None and age > self._max_age)

    # -- look-ups ----------------------------------------------------------------------------

    def contact(self, wxid: str) -> DirectoryContact | None:
        """The contact ``wxid``, if known."""
        return self._contacts.get(wxid)

    def group(self, group_id: str) -> DirectoryGroup | None:
        """The group ``group_id``, if known."""
        return self._groups.get(group_id)

    def member(self, group_id: str, wxid: str) -> DirectoryMember | None:
        """``wxid`` as a member of ``group_id``, if known."""
        members = self._members.get(group_id)
        return None if members is None else members.get(wxid)

    def members(self, group_id: str) -> list[DirectoryMember]:
        """The known members of ``group_id``."""
        return list(self._members.get(group_id, {}).values())

    def contacts(self) -> list[DirectoryContact]:
        """Every known contact."""
        return list(self._contacts.values())

    def groups(self) -> list[DirectoryGroup]:
        """Every known group."""
        return list(self._groups.values())

    def name(self, wxid: str, *, group_id: str | None = None) -> str | None:
        """The name to show for ``wxid``; `None` if the directory does not know them.

        Args:
            wxid: The person (or a group's id, which gives the group's name).
            group_id: The group they are shown in: their nickname there comes first, then
                the remark, then their own name. Without it: the remark, else the nickname.
        """
        if group_id is not None:
            members = self._members.get(group_id)
            member = None if members is None else members.get(wxid)
            if member is not None and member.display_name:
                return member.display_name
            contact = self._contacts.get(wxid)
            if contact is not None and (contact.remark or contact.nick_name):
                return contact.remark or contact.nick_name
            return None if member is None else member.nick_name
        contact = self._contacts.get(wxid)
        if contact is not None:
            return contact.remark or contact.nick_name
        group = self._groups.get(wxid)
        if group is not None:
            return group.remark or group.name
        for members in self._members.values():
            member = members.get(wxid)
            if member is not None and member.nick_name:
                return member.nick_name
        return None

    def find(self, name: str) -> list[DirectoryContact]:
        """The contacts whose remark, nickname or WeChat ID is ``name`` (ignoring case)."""
        if self._contact_index is None:
            index: dict[str, list[str]] = {}
            for contact in self._contacts.values():
                for key in {_fold(contact.remark), _fold(contact.nick_name), _fold(contact.alias)}:
                    if key:
                        index.setdefault(key, []).append(contact.wxid)
            self._contact_index = index
        return [self._contacts[w] for w in self._contact_index.get(name.casefold(), ())]

    def find_group(self, name: str) -> list[DirectoryGroup]:
        """The groups whose name or remark is ``name`` (ignoring case)."""
        if self._group_index is None:
            index: dict[str, list[str]] = {}
            for group in self._groups.values():
                for key in {_fold(group.name), _fold(group.remark)}:
                    if key:
                        index.setdefault(key, []).append(group.group_id)
            self._group_index = index
        return [self._groups[g] for g in self._group_index.get(name.casefold(), ())]

    def search(self, text: str) -> list[DirectoryContact]:
        """The contacts with ``text`` in their remark, nickname or WeChat ID (ignoring case)."""
        needle = text.casefold()
        return [
            c
            for c in self._contacts.values()
            if any(needle in (v or "").casefold() for v in (c.remark, c.nick_name, c.alias))
        ]

    def search_groups(self, text: str) -> list[DirectoryGroup]:
        """The groups with ``text`` in their name or remark (ignoring case)."""
        needle = text.casefold()
        return [
            g
            for g in self._groups.values()
            if any(needle in (v or "").casefold() for v in (g.name, g.remark))
        ]

    # -- changes (the Directory writes them through) -----------------------------------------

    def _touch(self, contacts: bool = False, groups: bool = False) -> None:
        self.updated_at = self._clock()
        if contacts:
            self._contact_index = None
        if groups:
            self._group_index = None


def _book_key(app_id: str, part: str) -> StorageKey:
    return StorageKey(app_id, _BOOK, part)


def _members_key(app_id: str, group_id: str) -> StorageKey:
    return StorageKey(app_id, _MEMBERS, group_id)


class Directory:
    """Contacts, groups and members of every account, from pushes and periodic syncs.

    ```python
    dp = Dispatcher(client, storage=SqliteStorage("bot.db-state"), directory=Directory())

    @dp.on(TextMessage)
    async def hello(event: TextMessage, ctx: Context) -> None:
        who = ctx.directory.name(event.sender_wxid or "", group_id=event.chat_id)
        await ctx.reply(f"hello {who or 'stranger'}")
    ```

    Given to a [`Dispatcher`][gewe_async.bot.Dispatcher] (``directory=``), it keeps itself
    in that dispatcher's storage and calls the API through its client, and it updates from
    each push before the handlers run. `sync` (or `run`) fills it from the server.

    A storage with a ``ttl`` forgets what does not change for that long: give the
    directory a storage of its own then (``storage=``), or sync more often.

    Args:
        storage: Where to keep it; the dispatcher's storage when `None`.
        client: What `sync` calls; the dispatcher's client when `None`.
        max_age: Seconds after a full sync past which `AccountDirectory.stale` is true;
            `None` for never.
        clock: Wall-clock seconds (tests pass a fake one).
    """

    def __init__(
        self,
        storage: BaseStorage | None = None,
        *,
        client: AsyncGeweClient | None = None,
        max_age: float | None = 86_400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if storage is not None and not isinstance(storage, BaseStorage):
            raise TypeError(f"storage must be a BaseStorage, not {type(storage).__name__}")
        if max_age is not None and (
            isinstance(max_age, bool) or not isinstance(max_age, int | float) or max_age <= 0
        ):
            raise ValueError(f"max_age must be a positive number of seconds or None: {max_age!r}")
        self.max_age = None if max_age is None else float(max_age)
        self._storage = storage
        self._client = client
        self._clock = clock
        self._dispatcher: Dispatcher | None = None
        self._books: dict[str, AccountDirectory] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self._syncing: dict[str, asyncio.Lock] = {}

    def __repr__(self) -> str:
        return f"<Directory accounts={len(self._books)}>"

    # -- wiring ------------------------------------------------------------------------------

    def bind(self, dispatcher: Dispatcher) -> None:
        """Use ``dispatcher``'s storage and client (unless given) and update from its pushes.

        [`Dispatcher`][gewe_async.bot.Dispatcher] calls this for ``directory=``.
        """
        self._dispatcher = dispatcher
        dispatcher.middleware(self.middleware)

    @property
    def storage(self) -> BaseStorage:
        """Where the directory is kept.

        Raises:
            GeweConfigError: No storage was given and no dispatcher is bound.
        """
        if self._storage is not None:
            return self._storage
        # Looked up each time: the CLI may give the dispatcher its storage after the import.
        return self._bound("storage", "Directory(storage)").storage

    @property
    def client(self) -> AsyncGeweClient:
        """What `sync` calls.

        Raises:
            GeweConfigError: No client was given and no dispatcher is bound.
        """
        if self._client is not None:
            return self._client
        return self._bound("client", "Directory(client=)").client

    def _bound(self, what: str, how: str) -> Dispatcher:
        if self._dispatcher is None:
            raise GeweConfigError(f"this directory has no {what}: {how} or bind()")
        return self._dispatcher

    async def middleware(self, call_next: CallNext, event: CallbackEvent, ctx: Context) -> Any:
        """The dispatcher middleware: load the account's directory, apply the push, go on."""
        if event.app_id:
            try:
                await self.load(event.app_id)
                await self.apply(event)
            except Exception:  # the storage failed: handlers still run on what memory holds
                log.exception("the directory could not keep %s", event.idempotency_key)
        return await call_next(event, ctx)

    # -- reading -----------------------------------------------------------------------------

    def account(self, app_id: str) -> AccountDirectory:
        """The directory of ``app_id`` from memory (empty until `load` or a sync fills it)."""
        book = self._books.get(app_id)
        if book is None:
            book = self._books[app_id] = AccountDirectory(app_id, self._clock, self.max_age)
        return book

    def __getitem__(self, app_id: str) -> AccountDirectory:
        return self.account(app_id)

    def __iter__(self) -> Iterator[AccountDirectory]:
        return iter(list(self._books.values()))

    async def load(self, app_id: str) -> AccountDirectory:
        """Read what the storage holds for ``app_id`` into memory (once); return it."""
        book = self.account(app_id)
        if book.loaded:
            return book
        lock = self._loading.setdefault(app_id, asyncio.Lock())
        async with lock:
            if book.loaded:  # another task loaded it meanwhile
                return book  # type: ignore[unreachable]
            storage = self.storage
            contacts = await storage.get_data(_book_key(app_id, "contacts"))
            groups = await storage.get_data(_book_key(app_id, "groups"))
            meta = await storage.get_data(_book_key(app_id, "meta"))
            for wxid, record in contacts.items():
                if isinstance(record, dict):
                    book._contacts[wxid] = DirectoryContact(
                        wxid, record.get("nick_name"), record.get("remark"), record.get("alias")
                    )
            for group_id, record in groups.items():
                if not isinstance(record, dict):
                    continue
                book._groups[group_id] = DirectoryGroup(
                    group_id, record.get("name"), record.get("owner_wxid"), record.get("remark")
                )
                members = await storage.get_data(_members_key(app_id, group_id))
                book._members[group_id] = {
                    wxid: DirectoryMember(wxid, r.get("nick_name"), r.get("display_name"))
                    for wxid, r in members.items()
                    if isinstance(r, dict)
                }
            synced, updated = meta.get("synced_at"), meta.get("updated_at")
            book.synced_at = float(synced) if isinstance(synced, int | float) else None
            book.updated_at = float(updated) if isinstance(updated, int | float) else None
            book._contact_index = book._group_index = None
            book.loaded = True
        return book

    # -- pushes ------------------------------------------------------------------------------

    async def apply(self, event: CallbackEvent) -> bool:
        """Apply what a push says about names and members; return whether anything changed."""
        book = self.account(event.app_id)
        if book._during_sync is not None:
            book._during_sync.append(event)
        app_id = event.app_id
        storage = self.storage
        if isinstance(event, ContactChanged):
            old = book._contacts.get(event.contact_wxid) or DirectoryContact(event.contact_wxid)
            # A push may leave a name out: keep what was known rather than forget it.
            new = DirectoryContact(
                event.contact_wxid,
                event.nickname if event.nickname is not None else old.nick_name,
                event.remark if event.remark is not None else old.remark,
                event.alias if event.alias is not None else old.alias,
            )
            if new == old:
                return False
            book._contacts[new.wxid] = new
            book._touch(contacts=True)
            await storage.update_data(_book_key(app_id, "contacts"), **{new.wxid: new._json()})
            return True
        if isinstance(event, ContactDeleted):
            if book._contacts.pop(event.contact_wxid, None) is None:
                return False
            book._touch(contacts=True)
            await storage.update_data(_book_key(app_id, "contacts"), **{event.contact_wxid: None})
            return True
        if isinstance(event, GroupInfoChanged):
            was = book._groups.get(event.group_id) or DirectoryGroup(event.group_id)
            return await self._put_group(
                book,
                DirectoryGroup(
                    event.group_id,
                    event.name if event.name is not None else was.name,
                    event.owner_wxid or was.owner_wxid,
                    event.remark if event.remark is not None else was.remark,
                ),
            )
        if isinstance(event, GroupQuit):
            return await self._drop_group(book, event.group_id)
        if isinstance(event, RemovedFromGroup | GroupDissolved):
            return await self._drop_group(book, event.group_id)
        if isinstance(event, GroupRenamed) and event.new_name is not None:
            old_group = book._groups.get(event.group_id) or DirectoryGroup(event.group_id)
            return await self._put_group(book, attrs.evolve(old_group, name=event.new_name))
        if isinstance(event, GroupOwnerChanged) and event.new_owner_wxid:
            old_group = book._groups.get(event.group_id) or DirectoryGroup(event.group_id)
            new_group = attrs.evolve(old_group, owner_wxid=event.new_owner_wxid)
            return await self._put_group(book, new_group)
        if isinstance(event, GroupMemberJoined):
            joined = {m.wxid: DirectoryMember(m.wxid, m.nickname) for m in event.members if m.wxid}
            return await self._put_members(book, event.group_id, joined)
        if isinstance(event, GroupMemberRemoved):
            members = book._members.get(event.group_id, {})
            gone = [
                wxid
                for wxid, member in members.items()
                for m in event.members
                if (m.wxid and m.wxid == wxid) or (not m.wxid and m.nickname == member.name)
            ]
            return await self._put_members(book, event.group_id, dict.fromkeys(gone))
        return False

    async def _put_group(self, book: AccountDirectory, group: DirectoryGroup) -> bool:
        if book._groups.get(group.group_id) == group:
            return False
        book._groups[group.group_id] = group
        book._members.setdefault(group.group_id, {})
        book._touch(groups=True)
        key = _book_key(book.app_id, "groups")
        await self.storage.update_data(key, **{group.group_id: group._json()})
        return True

    async def _drop_group(self, book: AccountDirectory, group_id: str) -> bool:
        known = book._groups.pop(group_id, None) is not None
        known |= book._members.pop(group_id, None) is not None
        if not known:
            return False
        book._touch(groups=True)
        await self.storage.update_data(_book_key(book.app_id, "groups"), **{group_id: None})
        await self.storage.clear(_members_key(book.app_id, group_id))
        return True

    async def _put_members(
        self, book: AccountDirectory, group_id: str, changes: Mapping[str, DirectoryMember | None]
    ) -> bool:
        if not changes:
            return False
        if group_id not in book._groups:
            await self._put_group(book, DirectoryGroup(group_id))
        members = book._members.setdefault(group_id, {})
        for wxid, member in changes.items():
            if member is None:
                members.pop(wxid, None)
            else:
                members[wxid] = member
        book._touch()
        fields = {w: None if m is None else m._json() for w, m in changes.items()}
        await self.storage.update_data(_members_key(book.app_id, group_id), **fields)
        return True

    # -- syncing -----------------------------------------------------------------------------

    async def sync(self, app_id: str) -> SyncReport:
        """Diff ``app_id``'s directory against the server and keep the result.

        One account's calls run one after another (the docs: calls of one account must not
        overlap): ``fetchContactsList`` (its cache if it times out), ``getBriefInfo`` 20 at a
        time, then ``getChatroomInfo`` for each group listed or known from pushes. A failed
        call keeps its records as they were and is named in the report.

        Raises:
            GeweError: ``fetchContactsList`` itself failed (nothing is changed).
        """
        book = await self.load(app_id)
        async with self._syncing.setdefault(app_id, asyncio.Lock()):
            book._during_sync = []
            try:
                report = await self._sync(book)
            finally:
                missed, book._during_sync = book._during_sync, None
            for event in missed:
                await self.apply(event)
        return report

    async def _sync(self, book: AccountDirectory) -> SyncReport:
        app_id = book.app_id
        client = self.client
        listed = await client.contacts.fetch_contacts_list_or_cache(app_id)
        errors: list[str] = []
        added = changed = removed = 0

        contacts: dict[str, DirectoryContact] = {}
        if not listed.friends:  # a new account: getBriefInfo refuses an empty list
            result = None
        else:
            result = await client.contacts.get_brief_info_many(app_id, listed.friends)
        for info in result.results if result is not None else ():
            contacts[info.user_name] = DirectoryContact(
                info.user_name, _text(info.nick_name), _text(info.remark), _text(info.alias)
            )
        for chunk in result.failed if result is not None else ():
            errors.append(f"getBriefInfo of {len(chunk.items)} wxids: {chunk.error}")
            for wxid in chunk.items:
                if wxid in book._contacts:
                    contacts[wxid] = book._contacts[wxid]
        a, c, r = _diff(book._contacts, contacts)
        added, changed, removed = added + a, changed + c, removed + r

        groups: dict[str, DirectoryGroup] = {}
        members: dict[str, dict[str, DirectoryMember]] = {}
        for group_id in dict.fromkeys([*listed.chatrooms, *book._groups]):
            try:
                room = await client.group.get_chatroom_info(app_id, group_id)
            except GeweAPIError as exc:
                if group_id in listed.chatrooms:
                    errors.append(f"getChatroomInfo of {group_id}: {exc}")
                    if group_id in book._groups:
                        groups[group_id] = book._groups[group_id]
                        members[group_id] = book._members.get(group_id, {})
                # Known only from pushes and refused: the account is no longer in it.
                continue
            groups[group_id] = DirectoryGroup(
                group_id, _text(room.nick_name), _text(room.chat_room_owner), _text(room.remark)
            )
            members[group_id] = {
                m.wxid: DirectoryMember(m.wxid, _text(m.nick_name), _text(m.display_name))
                for m in room.member_list
            }
        a, c, r = _diff(book._groups, groups)
        added, changed, removed = added + a, changed + c, removed + r
        for group_id in groups:
            a, c, r = _diff(book._members.get(group_id, {}), members[group_id])
            added, changed, removed = added + a, changed + c, removed + r
        gone = set(book._groups) - set(groups)
        removed += sum(len(book._members.get(g, {})) for g in gone)

        storage = self.storage
        await storage.set_data(
            _book_key(app_id, "contacts"), {w: c._json() for w, c in contacts.items()}
        )
        await storage.set_data(
            _book_key(app_id, "groups"), {g: x._json() for g, x in groups.items()}
        )
        for group_id in groups:
            await storage.set_data(
                _members_key(app_id, group_id),
                {w: m._json() for w, m in members[group_id].items()},
            )
        for group_id in gone:
            await storage.clear(_members_key(app_id, group_id))
        now = self._clock()
        await storage.update_data(_book_key(app_id, "meta"), synced_at=now, updated_at=now)
        book._contacts, book._groups, book._members = contacts, groups, members
        book._touch(contacts=True, groups=True)
        book.synced_at = now
        report = SyncReport(app_id, added, changed, removed, tuple(errors))
        log.info(
            "directory of %s synced: %d added, %d changed, %d removed, %d errors",
            app_id,
            added,
            changed,
            removed,
            len(errors),
        )
        return report

    async def run(self, app_ids: Iterable[str], *, interval: float = 3600.0) -> None:
        """Sync each of ``app_ids`` every ``interval`` seconds until cancelled.

        Accounts are synced one after another (a sync is many calls); a failed sync is
        logged and tried again at the next round.
        """
        if isinstance(interval, bool) or not isinstance(interval, int | float) or interval <= 0:
            raise ValueError(f"interval must be a positive number of seconds, got {interval!r}")
        ids = list(app_ids)
        while True:
            for app_id in ids:
                try:
                    await self.sync(app_id)
                except GeweError as exc:
                    log.warning("directory sync of %s failed: %s", app_id, exc)
                except Exception:  # a storage or a bug: the loop goes on, the next round retries
                    log.exception("directory sync of %s failed", app_id)
            await asyncio.sleep(interval)

    # -- filters -----------------------------------------------------------------------------

    def sender_named(self, name: str) -> Filter:
        """A filter: the message's sender has this name (in the directory, ignoring case).

        In a group, their nickname there counts too.
        """
        wanted = name.casefold()

        def check(event: CallbackEvent) -> bool:
            if not isinstance(event, MessageEvent) or event.sender_wxid is None:
                return False
            book = self.account(event.app_id)
            names = {book.name(event.sender_wxid)}
            if event.is_group:
                names.add(book.name(event.sender_wxid, group_id=event.chat_id))
            return any(n is not None and n.casefold() == wanted for n in names)

        return Filter(check, f"sender_named({name!r})")

    def group_named(self, name: str) -> Filter:
        """A filter: the message was posted in a group of this name or remark (ignoring case)."""
        wanted = name.casefold()

        def check(event: CallbackEvent) -> bool:
            if not isinstance(event, MessageEvent) or not event.is_group:
                return False
            group = self.account(event.app_id).group(event.chat_id)
            return group is not None and wanted in {_fold(group.name), _fold(group.remark)}

        return Filter(check, f"group_named({name!r})")


def _diff(old: Mapping[str, object], new: Mapping[str, object]) -> tuple[int, int, int]:
    added = sum(1 for k in new if k not in old)
    changed = sum(1 for k, v in new.items() if k in old and old[k] != v)
    removed = sum(1 for k in old if k not in new)
    return added, changed, removed
