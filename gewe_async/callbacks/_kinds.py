"""The kinds of callback GeWe pushes, one value per documented kind."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CallbackKind"]


class CallbackKind(StrEnum):
    """What a pushed callback is about; every event class has one ``kind``."""

    TEXT = "text"
    IMAGE = "image"
    VOICE = "voice"
    VIDEO = "video"
    EMOJI = "emoji"
    LINK = "link"
    FILE_NOTICE = "file_notice"
    FILE = "file"
    NAME_CARD = "name_card"
    FRIEND_REQUEST = "friend_request"
    CONTACT_CHANGED = "contact_changed"
    MINI_PROGRAM = "mini_program"
    QUOTE = "quote"
    TRANSFER = "transfer"
    RED_PACKET = "red_packet"
    CHANNELS = "channels"
    REVOKE = "revoke"
    PAT = "pat"
    LOCATION = "location"
    GROUP_INVITE = "group_invite"
    GROUP_MEMBER_JOINED = "group_member_joined"
    REMOVED_FROM_GROUP = "removed_from_group"
    GROUP_MEMBER_REMOVED = "group_member_removed"
    GROUP_DISSOLVED = "group_dissolved"
    GROUP_RENAMED = "group_renamed"
    GROUP_OWNER_CHANGED = "group_owner_changed"
    GROUP_INFO_CHANGED = "group_info_changed"
    GROUP_ANNOUNCEMENT = "group_announcement"
    GROUP_TODO = "group_todo"
    CONTACT_DELETED = "contact_deleted"
    GROUP_QUIT = "group_quit"
    OFFLINE = "offline"
    TEST = "test"
    UNKNOWN = "unknown"
