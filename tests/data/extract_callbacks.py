"""Turn every callback example of the official pages into a JSON fixture, one file per example.

Run from the repository root with the shared spec beside it:
    python tests/data/extract_callbacks.py ../shared/spec tests/data/callbacks
The output is committed, so the tests need neither the spec nor this script.

The examples in 消息模块/回调消息详解.md carry Chinese annotations after the values
(``"MsgType": 1,   消息类型 1是文本消息``, ``"string": "123" # 消息内容``): they are not JSON.
This script cuts each line where, outside a JSON string, a character appears that JSON cannot
hold there (a ``#`` or a non-ASCII character), checks that what it cut is only such an
annotation, and keeps the rest of the text as it is (trailing spaces aside), so the fixtures
hold exactly the documented values, ids above 2**63 and odd escapes included.

The test push has no documented body: 开发指南/消息订阅.md only says it contains the text
“验证回调地址是否可用”. Its fixture (``test.json``) uses the shape clients in the wild check for,
``{"testMsg": <that text>, "token": ...}``, with a made-up token.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# Headings of 回调消息详解.md, in page order, and the kind of each of their examples.
KINDS: dict[str, tuple[str, ...]] = {
    "文本消息": ("text",),
    "图片消息": ("image",),
    "语音消息": ("voice",),
    "视频消息": ("video",),
    "emoji表情": ("emoji",),
    "公众号链接": ("link",),
    "文件消息（发送文件的通知）": ("file_notice",),
    "文件消息（文件发送完成）": ("file",),
    "名片消息": ("name_card",),
    "好友添加请求通知": ("friend_request",),
    "好友通过验证及好友资料变更的通知消息": ("contact_changed",),
    "小程序消息": ("mini_program",),
    "引用消息": ("quote",),
    "转账消息": ("transfer",),
    "红包消息": ("red_packet",),
    "视频号消息": ("channels",),
    "撤回消息": ("revoke",),
    "拍一拍消息": ("pat",),
    "地理位置": ("location",),
    # iPad login: the invitation card; Mac login: the join notice (sysmsg delchatroommember);
    # and a body that is not the GeWe envelope at all (wcId/data/messageType).
    "群聊邀请": ("group_invite", "group_member_joined", "unknown"),
    "被移除群聊通知": ("removed_from_group",),
    "踢出群聊通知": ("group_member_removed",),
    "解散群聊通知": ("group_dissolved",),
    "修改群名称": ("group_renamed",),
    "更换群主通知": ("group_owner_changed",),
    "群信息变更通知": ("group_info_changed",),
    "发布群公告": ("group_announcement",),
    "群待办": ("group_todo",),
    "删除好友通知": ("contact_deleted",),
    "退出群聊": ("group_quit",),
    "掉线通知": ("offline",),
}

# Outside strings, JSON holds only these (numbers, true/false/null, punctuation, spaces).
JSON_CHARS = frozenset('{}[]:,"-+.0123456789eEtruefalsn \t')
# A label before an example, as in ``ipad登录方式回调信息=> {``.
LABEL = re.compile(r"^\s*[^\s\"{}\[\]][^\"]*=>\s*(?=\{)")


def strip_annotation(line: str) -> str:
    """The line without the annotation that follows its JSON, if any."""
    in_string = escaped = False
    for i, char in enumerate(line):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char not in JSON_CHARS:
            note = line[i:]
            if not (note.startswith("#") or not note[0].isascii()):
                raise ValueError(f"not an annotation: {note!r} in {line!r}")
            return line[:i].rstrip()
    return line.rstrip()


def examples(page: str) -> list[tuple[str, str]]:
    """(heading, JSON text) for every example on the page, in order."""
    found = []
    for section in re.split(r"^#### ", page, flags=re.MULTILINE)[1:]:
        heading = section.split("\n", 1)[0].strip()
        for block in re.findall(r"```json\n(.*?)```", section, flags=re.DOTALL):
            current: list[str] = []
            for raw_line in block.split("\n"):
                line = raw_line
                if LABEL.match(line):
                    if any(part.strip() for part in current):
                        found.append((heading, "\n".join(current)))
                    current = []
                    line = LABEL.sub("", line)
                current.append(strip_annotation(line))
            found.append((heading, "\n".join(current)))
    return found


def test_example(guide: str) -> str:
    """The test push, built around the phrase the subscription guide quotes."""
    match = re.search(r"包含文字“([^”]+)”的JSON回调", guide)
    if match is None:
        raise ValueError("the subscription guide no longer quotes the test phrase")
    body = {"testMsg": match.group(1), "token": "test_token_not_a_real_one"}
    return json.dumps(body, ensure_ascii=False, indent=4)


def main(spec_root: str, out_dir: str) -> None:
    spec = Path(spec_root, "geweapi")
    page = (spec / "消息模块" / "回调消息详解.md").read_text(encoding="utf-8")
    guide = (spec / "开发指南" / "消息订阅.md").read_text(encoding="utf-8")
    found = examples(page)
    headings = [heading for heading, _ in found]
    if list(dict.fromkeys(headings)) != list(KINDS):
        raise ValueError(f"the page's headings changed: {headings}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for heading, text in found:
        index = counts[heading] = counts.get(heading, -1) + 1
        kind = KINDS[heading][index]
        json.loads(text)  # every fixture is JSON, once the annotations are gone
        (out / f"{kind}.json").write_text(text.strip() + "\n", encoding="utf-8")
    (out / "test.json").write_text(test_example(guide) + "\n", encoding="utf-8")
    written = sum(len(kinds) for kinds in KINDS.values()) + 1
    print(f"{written} fixtures written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
