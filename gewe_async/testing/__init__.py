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

from gewe_async.testing._bot import BotHarness
from gewe_async.testing._delivery import CallbackFaults, Push
from gewe_async.testing._fake import FakeGewe, Faults
from gewe_async.testing._outbox import Outbox, OutboxMessage
from gewe_async.testing._push import (
    CallbackBuilders,
    MessageOptions,
    NoticeOptions,
    channels_payload,
    contact_changed_payload,
    contact_deleted_payload,
    emoji_payload,
    file_notice_payload,
    file_payload,
    friend_request_payload,
    group_announcement_payload,
    group_dissolved_payload,
    group_info_changed_payload,
    group_invite_payload,
    group_member_joined_payload,
    group_member_removed_payload,
    group_owner_changed_payload,
    group_quit_payload,
    group_renamed_payload,
    group_todo_payload,
    image_payload,
    link_payload,
    location_payload,
    mini_program_payload,
    name_card_payload,
    offline_payload,
    pat_payload,
    quote_payload,
    red_packet_payload,
    removed_from_group_payload,
    revoke_payload,
    test_payload,
    text_payload,
    transfer_payload,
    video_payload,
    voice_payload,
)
from gewe_async.testing._routes import FakeRoute
from gewe_async.testing._state import FakeDevice, RecordedRequest

__all__ = [
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
]
