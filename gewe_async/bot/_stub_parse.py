"""A minimal stand-in for `gewe_async.callbacks.parse_callback`, until the full parser is merged.

It knows only the test push and text messages (``AddMsg`` with ``MsgType`` 1); every other
envelope becomes an ``UnknownEvent``. ``bot/_dispatcher.py`` imports it in one place, so that
switching to the real parser is a one-line change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gewe_async.callbacks import (
    CallbackEvent,
    GeweCallbackError,
    TestCallback,
    TextMessage,
    UnknownEvent,
)

TEST_MARKER = "验证回调地址是否可用"
_AT_USERS = re.compile(r"<atuserlist>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</atuserlist>", re.S)


def _string(value: Any) -> str:
    if isinstance(value, Mapping):
        inner = value.get("string")
        return inner if isinstance(inner, str) else ""
    return value if isinstance(value, str) else ""


def parse_callback(body: bytes | str | Mapping[str, Any]) -> CallbackEvent:
    """Turn a pushed body into an event; raise `GeweCallbackError` if it is not a callback."""
    if isinstance(body, bytes | str):
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise GeweCallbackError(f"not JSON: {exc!r}") from None
    else:
        payload = body
    if not isinstance(payload, Mapping):
        raise GeweCallbackError(f"not a JSON object but {type(payload).__name__}")
    if "TypeName" not in payload and TEST_MARKER in json.dumps(payload, ensure_ascii=False):
        return TestCallback(
            app_id=_string(payload.get("Appid")), wxid=None, type_name="", raw=payload
        )
    type_name, app_id = payload.get("TypeName"), payload.get("Appid")
    if not isinstance(type_name, str) or not isinstance(app_id, str) or not app_id:
        raise GeweCallbackError("no callback envelope (TypeName and Appid)")
    wxid = payload.get("Wxid") if isinstance(payload.get("Wxid"), str) else None
    data = payload.get("Data")
    if type_name != "AddMsg" or not isinstance(data, Mapping) or data.get("MsgType") != 1:
        return UnknownEvent(app_id=app_id, wxid=wxid, type_name=type_name, raw=payload)
    try:
        return _text(payload, data, app_id, wxid)
    except (KeyError, TypeError, ValueError, OverflowError):
        return UnknownEvent(app_id=app_id, wxid=wxid, type_name=type_name, raw=payload)


def _text(
    payload: Mapping[str, Any], data: Mapping[str, Any], app_id: str, wxid: str | None
) -> TextMessage:
    from_wxid, to_wxid = _string(data["FromUserName"]), _string(data["ToUserName"])
    content = _string(data.get("Content"))
    is_group = from_wxid.endswith("@chatroom") or to_wxid.endswith("@chatroom")
    is_self = wxid is not None and from_wxid == wxid
    chat_id = to_wxid if is_self else from_wxid
    sender: str | None = from_wxid
    if is_group and not is_self:
        member, sep, rest = content.partition(":\n")
        sender, content = (member, rest) if sep else (None, content)
    source = data.get("MsgSource")
    found = _AT_USERS.search(source) if isinstance(source, str) else None
    mentions = tuple(w for w in found.group(1).split(",") if w) if found else ()
    push = data.get("PushContent")
    return TextMessage(
        app_id=app_id,
        wxid=wxid,
        type_name="AddMsg",
        raw=payload,
        msg_id=int(data["MsgId"]),
        new_msg_id=int(data["NewMsgId"]),
        msg_type=1,
        from_wxid=from_wxid,
        to_wxid=to_wxid,
        create_time=datetime.fromtimestamp(int(data["CreateTime"]), UTC),
        chat_id=chat_id,
        sender_wxid=sender,
        is_group=is_group,
        is_self=is_self,
        mentions=mentions,
        push_content=push if isinstance(push, str) else None,
        content=content,
        text=content,
    )
