"""A push holding a lone UTF-16 surrogate is refused (issue 19, item 6).

JSON may escape a surrogate on its own (``"\\udc00"``), and json decodes it into a str no
encoder can write: the event's keys (journals, queues) and its handlers would fail later, far
from the cause. The parser refuses such a body with GeweCallbackError (the receiver answers
400); a valid pair (an emoji escaped with ensure_ascii) parses as the character it is.
"""

from __future__ import annotations

import json

import pytest

from gewe_async.callbacks import GeweCallbackError, parse_callback


def text_push(
    content: str = "hi", app_id: str = "wx_1", sender: str = "wxid_b"
) -> dict[str, object]:
    return {
        "TypeName": "AddMsg",
        "Appid": app_id,
        "Wxid": "wxid_a",
        "Data": {
            "MsgId": 1,
            "NewMsgId": 2,
            "MsgType": 1,
            "FromUserName": {"string": sender},
            "ToUserName": {"string": "wxid_a"},
            "Content": {"string": content},
            "CreateTime": 1705043418,
        },
    }


LONE = "\udc00"

# Where a lone surrogate may sit: a message's text, the key fields, a non-message push.
BODIES = {
    "text": text_push(content=f"a{LONE}b"),
    "app_id": text_push(app_id=f"wx_{LONE}"),
    "chat": text_push(sender=f"wxid_{LONE}"),
    "high_alone": text_push(content="\ud83d!"),
    "offline": {"TypeName": "Offline", "Appid": "wx_1", "Wxid": f"wxid_{LONE}"},
    "unknown": {"TypeName": "Novel", "Appid": "wx_1", "Data": {"x": LONE}},
    "key": {"TypeName": "Novel", "Appid": "wx_1", "Data": {LONE: 1}},
}


def as_escaped(body: object) -> bytes:
    return json.dumps(body).encode()  # ensure_ascii: the surrogate as a \\udXXX escape


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_escaped_lone_surrogate_is_refused(body: object) -> None:
    encoded = as_escaped(body)
    assert b"\\ud" in encoded
    with pytest.raises(GeweCallbackError, match="surrogate"):
        parse_callback(encoded)
    with pytest.raises(GeweCallbackError, match="surrogate"):
        parse_callback(encoded.decode())


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_raw_lone_surrogate_is_refused(body: object) -> None:
    text = json.dumps(body, ensure_ascii=False)
    with pytest.raises(GeweCallbackError, match="surrogate"):
        parse_callback(text)  # a str holding the surrogate itself
    with pytest.raises(GeweCallbackError, match="surrogate"):
        parse_callback(text.encode("utf-8", "surrogatepass"))  # ED B0 80, as json reads it
    with pytest.raises(GeweCallbackError, match="surrogate"):
        parse_callback(text.encode("utf-16", "surrogatepass"))  # json's other encodings


def test_escaped_pair_is_the_character() -> None:
    encoded = as_escaped(text_push(content="a😀b"))
    assert b"\\ud83d\\ude00" in encoded
    event = parse_callback(encoded)
    assert event.text == "a😀b"  # type: ignore[attr-defined]
    event.idempotency_key.encode()
    event.chat_key.encode()


def test_escaped_backslash_before_u_is_text() -> None:
    event = parse_callback(as_escaped(text_push(content="C:\\udc00")))
    assert event.text == "C:\\udc00"  # type: ignore[attr-defined]


def test_keys_of_accepted_bodies_encode() -> None:
    for body in (text_push(content="plain"), {"TypeName": "Novel", "Appid": "wx_1", "Data": {}}):
        event = parse_callback(as_escaped(body))
        event.idempotency_key.encode()
        event.chat_key.encode()
