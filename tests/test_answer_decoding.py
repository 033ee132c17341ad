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
