"""The fake's ``/message/*`` endpoints."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from gewe_async.testing._routes._registry import route, text
from gewe_async.testing._state import FakeDevice

if TYPE_CHECKING:
    from gewe_async.testing._fake import FakeGewe


@route("message/postText", required=("appId", "toWxid", "content"))
def _posttext(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    to_wxid, content = text(body, "toWxid"), text(body, "content")
    device.sent_messages.append((to_wxid, content))
    return {
        "toWxid": to_wxid,
        "createTime": int(time.time()),
        "msgId": 0,
        # Real ids exceed 2**53 (FIELD-NOTES): so do the fake's.
        "newMsgId": 3768973957878705000 + len(device.sent_messages),
        "type": 1,
    }
