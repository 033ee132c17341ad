"""The public surface, pinned: adding or removing a public name means updating this file.

Modelled on httpx's ``tests/test_exported_members.py``: every module a user imports from has
an exact ``__all__``; each name in it imports, and each is documented (the docstring
mkdocstrings renders in the API reference, read statically with griffe as the docs build does).
"""

from __future__ import annotations

import importlib
import typing

import griffe
import pytest

EXPORTS: dict[str, frozenset[str]] = {
    "gewe_async": frozenset(
        {
            "AiohttpTransport",
            "AsyncGeweClient",
            "BatchOptions",
            "BatchResult",
            "CallEvent",
            "DEFAULT_BASE_URL",
            "DEFAULT_TIMEOUT",
            "DEFAULT_TOTAL_TIMEOUT",
            "EventHook",
            "GeweAPIError",
            "GeweAlreadyLoggedInError",
            "GeweAuthError",
            "GeweCallbackError",
            "GeweClientClosedError",
            "GeweConfigError",
            "GeweDeviceNotFoundError",
            "GeweDeviceOfflineError",
            "GeweError",
            "GeweEventLoopError",
            "GeweHTTPStatusError",
            "GeweInsecureTransportWarning",
            "GeweLoginExpiredError",
            "GeweResponseError",
            "GeweResponseTooLargeError",
            "GeweSeatLimitError",
            "GeweTimeoutError",
            "GeweTransportError",
            "Limits",
            "Outcome",
            "ProgressCallback",
            "RequestOptions",
            "Retries",
            "TimeoutTypes",
            "__version__",
            "iter_batch",
            "run_batch",
        }
    ),
    "gewe_async.fleet": frozenset(
        {
            # Schedules, outbox and broadcast, budgets (docs/fleet.md).
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
            "AccountDirectory",
            "AccountEvent",
            "AccountHealth",
            "AccountMonitor",
            "AccountOffline",
            "AccountOnline",
            "AccountSilent",
            "AccountStatus",
            "Directory",
            "DirectoryContact",
            "DirectoryGroup",
            "DirectoryMember",
            "HealthCause",
            "Listener",
            "SyncReport",
        }
    ),
    "gewe_async.bot": frozenset(
        {
            "ASGIReceiver",
            "AiohttpReceiver",
            "Answer",
            "CallNext",
            "Context",
            "Delivery",
            "Dispatcher",
            "Entry",
            "ErrorHandler",
            "Handler",
            "Journal",
            "JournalFullError",
            "JournalMetrics",
            "JournalStats",
            "BaseJournal",
            "DeadLetter",
            "Outcome",
            "Retry",
            "RetryPolicy",
            "is_transient",
            "MemoryJournal",
            "Middleware",
            "Receiver",
            "RedisJournal",
            "Router",
            "Runner",
            "SqliteJournal",
            "Worker",
            "filters",
            "fsm",
            "journal_from_url",
            "HandlerFailedError",
            "HandlerTimeoutError",
            "Health",
            "MemoryStorage",
            "RedisStorage",
            "SecretRedactor",
            "SqliteStorage",
            "State",
            "StatesGroup",
            "Throttle",
            "redact_secret_in_logs",
            "storage_from_url",
        }
    ),
    "gewe_async.callbacks": frozenset(
        {
            "CallbackEvent",
            "CallbackKind",
            "ChannelsMessage",
            "ContactChanged",
            "ContactDeleted",
            "EmojiMessage",
            "FileMessage",
            "FileNotice",
            "FriendRequest",
            "GeweCallbackError",
            "GroupAnnouncement",
            "GroupDissolved",
            "GroupInfoChanged",
            "GroupInvite",
            "GroupMember",
            "GroupMemberJoined",
            "GroupMemberRemoved",
            "GroupNotice",
            "GroupOwnerChanged",
            "GroupQuit",
            "GroupRenamed",
            "GroupTodo",
            "ImageMessage",
            "LinkMessage",
            "LocationMessage",
            "MessageEvent",
            "MiniProgramMessage",
            "NameCardMessage",
            "Offline",
            "PatMessage",
            "QuoteMessage",
            "QuotedMessage",
            "RedPacketMessage",
            "RemovedFromGroup",
            "RevokeMessage",
            "TestCallback",
            "TextMessage",
            "TransferMessage",
            "UnknownEvent",
            "UnknownMessage",
            "VideoMessage",
            "VoiceMessage",
            "parse_callback",
        }
    ),
    "gewe_async.testing": frozenset(
        {
            "BotHarness",
            "CallbackBuilders",
            "CallbackFaults",
            "FakeDevice",
            "FakeGewe",
            "FakeRoute",
            "Faults",
            "MessageOptions",
            "NoticeOptions",
            "Outbox",
            "OutboxMessage",
            "Push",
            "RecordedRequest",
            "channels_payload",
            "contact_changed_payload",
            "contact_deleted_payload",
            "emoji_payload",
            "file_notice_payload",
            "file_payload",
            "friend_request_payload",
            "group_announcement_payload",
            "group_dissolved_payload",
            "group_info_changed_payload",
            "group_invite_payload",
            "group_member_joined_payload",
            "group_member_removed_payload",
            "group_owner_changed_payload",
            "group_quit_payload",
            "group_renamed_payload",
            "group_todo_payload",
            "image_payload",
            "link_payload",
            "location_payload",
            "mini_program_payload",
            "name_card_payload",
            "offline_payload",
            "pat_payload",
            "quote_payload",
            "red_packet_payload",
            "removed_from_group_payload",
            "revoke_payload",
            "test_payload",
            "text_payload",
            "transfer_payload",
            "video_payload",
            "voice_payload",
        }
    ),
    "gewe_async.media": frozenset(
        {
            "GeweMediaError",
            "MediaHost",
            "MediaKind",
            "MediaLimits",
            "MediaSource",
            "ReceiverMediaHost",
            "S3MediaHost",
            "Voice",
            "silk_duration",
            "to_silk",
        }
    ),
    "gewe_async.resources": frozenset(
        {
            "ContactsAPI",
            "FavorAPI",
            "FinderAPI",
            "GroupAPI",
            "ImAPI",
            "LabelAPI",
            "LoginAPI",
            "MessageAPI",
            "PersonalAPI",
            "SnsAPI",
        }
    ),
    "gewe_async.types": frozenset(
        {
            "contacts",
            "favor",
            "finder",
            "group",
            "im",
            "label",
            "login",
            "message",
            "personal",
            "sns",
        }
    ),
    "gewe_async.types.contacts": frozenset(
        {
            "AddContactOption",
            "AddContactScene",
            "Chunk",
            "ChunkedResult",
            "ContactInfo",
            "ContactSearchResult",
            "ContactsList",
            "FriendRelation",
            "FriendRequestTickets",
            "PhoneBookOperation",
            "PhoneContact",
            "Relation",
        }
    ),
    "gewe_async.types.favor": frozenset(
        {
            "Favorite",
            "FavoriteSummary",
            "FavoriteSyncPage",
        }
    ),
    "gewe_async.types.finder": frozenset(
        {
            "ChannelsAccount",
            "ChannelsLogin",
            "CommentPage",
            "DelayedOperation",
            "FinderAlias",
            "FinderComment",
            "FinderCommentOperation",
            "FinderContact",
            "FinderExtInfo",
            "FinderMedia",
            "FinderMention",
            "FinderObject",
            "FinderObjectDesc",
            "FinderProfile",
            "FinderRole",
            "FollowOperation",
            "FollowPage",
            "Heart",
            "LetterContact",
            "LetterContent",
            "LetterMsgInfo",
            "LikeFavFlag",
            "MentionPage",
            "MentionScene",
            "ObjectDetails",
            "ObjectPage",
            "PrivateLetter",
            "PrivateLetterSync",
            "Role",
            "SearchCategory",
            "SearchFilter",
            "SearchInfo",
            "SearchResult",
            "ThumbsUp",
            "UploadedFinderVideo",
            "UserPage",
        }
    ),
    "gewe_async.types.group": frozenset(
        {
            "AdminOperation",
            "ChatroomAnnouncement",
            "ChatroomInfo",
            "ChatroomMember",
            "ChatroomMemberDetail",
            "ChatroomMemberList",
            "ChatroomQrCode",
            "ContactListOperation",
            "CreatedChatroom",
            "JoinedChatroom",
        }
    ),
    "gewe_async.types.im": frozenset(
        {
            "ContactSearchResult",
            "WeComContact",
            "WeComContactDetail",
            "WeComSearchScene",
        }
    ),
    "gewe_async.types.label": frozenset(
        {
            "Label",
        }
    ),
    "gewe_async.types.login": frozenset(
        {
            "AccountLogin",
            "DeviceType",
            "DialogLogin",
            "LoggedIn",
            "LoginCheck",
            "LoginInfo",
            "LoginQrCode",
            "LoginState",
            "LoginStatus",
            "LoginUpdate",
            "Region",
        }
    ),
    "gewe_async.types.message": frozenset(
        {
            "EmojiUrl",
            "FileUrl",
            "HasContent",
            "Message",
            "MENTION_ALL",
            "Quoted",
            "SentImage",
            "SentMessage",
            "SentVideo",
        }
    ),
    "gewe_async.types.personal": frozenset(
        {
            "LoginRecord",
            "PrivacyOption",
            "Profile",
            "QrCode",
            "SafetyInfo",
            "Sex",
        }
    ),
    "gewe_async.types.sns": frozenset(
        {
            "CommentOperation",
            "DownloadedVideo",
            "LikeOperation",
            "Moment",
            "MomentComment",
            "MomentLike",
            "MomentOptions",
            "MomentPage",
            "MomentPostError",
            "PostedMoment",
            "UploadedImage",
            "UploadedVideo",
            "VisibleScope",
        }
    ),
}


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_all_is_pinned(module: str) -> None:
    assert set(importlib.import_module(module).__all__) == EXPORTS[module]


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_all_has_no_duplicates(module: str) -> None:
    names = importlib.import_module(module).__all__
    assert len(names) == len(set(names))


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_every_exported_name_imports(module: str) -> None:
    mod = importlib.import_module(module)
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert missing == []


def test_every_types_module_is_listed() -> None:
    import gewe_async.types

    assert {f"gewe_async.types.{name}" for name in gewe_async.types.__all__} <= set(EXPORTS)


@pytest.fixture(scope="module")
def package() -> griffe.Module:
    loaded = griffe.load("gewe_async", resolve_aliases=True, resolve_external=False)
    assert isinstance(loaded, griffe.Module)
    return loaded


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_every_exported_name_is_documented(module: str, package: griffe.Module) -> None:
    found = package if module == "gewe_async" else package[module.removeprefix("gewe_async.")]
    undocumented = [
        name
        for name in EXPORTS[module]
        if found[name].docstring is None or not found[name].docstring.value.strip()
    ]
    assert undocumented == []


def test_api_groups_live_in_resources() -> None:
    import gewe_async
    import gewe_async.resources
    from gewe_async import AsyncGeweClient

    for name in gewe_async.resources.__all__:
        assert name not in gewe_async.__all__
        group = name.removesuffix("API").lower()
        assert AsyncGeweClient.__dict__[group].attrname == group, name


@pytest.mark.parametrize("name", sorted(EXPORTS["gewe_async.resources"]))
def test_old_group_names_are_deprecated_aliases(name: str) -> None:
    import gewe_async
    import gewe_async.resources

    with pytest.warns(DeprecationWarning, match="gewe_async.resources"):
        moved = getattr(gewe_async, name)
    assert moved is getattr(gewe_async.resources, name)


def test_unknown_top_level_name_is_an_attribute_error() -> None:
    import gewe_async

    with pytest.raises(AttributeError, match="NoSuchAPI"):
        gewe_async.NoSuchAPI  # noqa: B018


def _classes_in(hint: object) -> set[type]:
    found = {hint} if isinstance(hint, type) else set()
    for arg in typing.get_args(hint):
        found |= _classes_in(arg)
    return found


def test_models_live_in_types_not_in_api() -> None:
    """No class a group's method takes or returns is defined in ``gewe_async._api``.

    Models, enums and protocols live in ``gewe_async.types.<group>``; ``gewe_async._api`` defines
    only the ``*API`` classes (served by ``gewe_async.resources``) and private request bodies.
    """
    import inspect

    import gewe_async.resources

    misplaced = set()
    for name in gewe_async.resources.__all__:
        group = getattr(gewe_async.resources, name)
        for method_name, method in inspect.getmembers(group, inspect.isfunction):
            if method_name.startswith("_"):
                continue
            for hint in typing.get_type_hints(method).values():
                misplaced |= {
                    f"{name}.{method_name}: {cls.__module__}.{cls.__qualname__}"
                    for cls in _classes_in(hint)
                    if cls.__module__.startswith("gewe_async._api")
                }
    for module, names in EXPORTS.items():
        exported = [getattr(importlib.import_module(module), name) for name in names]
        misplaced |= {
            f"{module}: {value.__module__}.{value.__qualname__}"
            for value in exported
            if isinstance(value, type)
            and value.__module__.startswith("gewe_async._api")
            and not value.__name__.endswith("API")
        }
    assert misplaced == set()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("gewe_async._api.finder", "gewe_async.types.finder:Role"),
        ("gewe_async._api.message", "gewe_async.types.message:Message"),
        ("gewe_async._api.sns", "gewe_async.types.sns:DownloadedVideo"),
    ],
)
def test_moved_models_keep_their_old_import_path(old: str, new: str) -> None:
    module, _, name = new.partition(":")
    with pytest.warns(DeprecationWarning, match=module):
        moved = getattr(importlib.import_module(old), name)
    assert moved is getattr(importlib.import_module(module), name)


def test_friend_request_tickets_still_import_from_the_contacts_group() -> None:
    from gewe_async._api.contacts import FriendRequestTickets
    from gewe_async.types import contacts

    assert FriendRequestTickets is contacts.FriendRequestTickets
