"""Answers are read as JSON in whatever encoding json itself accepts, not only plain UTF-8."""

from __future__ import annotations

import json

import pytest

from gewe_async._api.personal import GET_PROFILE
from gewe_async._pipeline import decode
from gewe_async._redact import Redactor, Secret
from gewe_async._transport import Answer
from gewe_async.exceptions import GeweResponseError

PROFILE = {
    "ret": 200,
    "msg": "操作成功",
    "data": {"wxid": "wxid_1", "nickName": "好", "uin": 1, "sex": 0},
}
REDACTOR = Redactor(Secret("a-long-token-value"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32"])
def test_an_answer_in_any_json_encoding_decodes(encoding: str) -> None:
    body = json.dumps(PROFILE, ensure_ascii=False).encode(encoding)
    profile = decode(GET_PROFILE, Answer(200, [], body), REDACTOR)
    assert profile.nick_name == "好"


def test_an_answer_that_is_not_text_is_a_response_error() -> None:
    with pytest.raises(GeweResponseError, match="not JSON"):
        decode(GET_PROFILE, Answer(200, [], b"\xff\xfe\xfa"), REDACTOR)


def test_retry_after_is_read_from_the_raw_headers_in_any_case() -> None:
    answer = Answer(503, [(b"Content-Type", b"text/plain"), (b"Retry-After", b"7")], b"busy")
    assert answer.header("retry-after") == "7"
    assert answer.header("x-missing") is None


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_an_ascii_answer_in_utf_16_or_32_without_a_bom_decodes(encoding: str) -> None:
    # ASCII in UTF-16/32 without a BOM is valid UTF-8 too (with NUL bytes): json must sniff it.
    answer = {
        "ret": 200,
        "msg": "ok",
        "data": {"wxid": "wxid_1", "nickName": "Ada", "uin": 1, "sex": 0},
    }
    body = json.dumps(answer).encode(encoding)
    assert decode(GET_PROFILE, Answer(200, [], body), REDACTOR).nick_name == "Ada"
