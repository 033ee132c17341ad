"""FakeGewe's forwardImage/forwardVideo answers: the sent record plus the medium's CDN copy."""

from __future__ import annotations

import pytest

from gewe_async.testing import FakeGewe
from tests.helpers import raw_post

A = "wx_1"
TO = "wxid_friend"


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe(token="fake-token")
    fake.add_device(A)
    return fake


async def forward(fake: FakeGewe, endpoint: str, xml: str) -> dict[str, object]:
    answer = await raw_post(fake, endpoint, {"appId": A, "toWxid": TO, "xml": xml})
    assert answer["ret"] == 200, answer
    return answer["data"]


@pytest.mark.parametrize(
    ("img", "file_id"),
    [
        ('cdnmidimgurl="mid" cdnthumburl="thumb"', "mid"),
        ('cdnmidimgurl="" cdnthumburl="thumb"', "thumb"),
        ('cdnthumburl="thumb"', "thumb"),
        ("", ""),
    ],
    ids=["mid", "empty-mid", "thumb-only", "none"],
)
async def test_forward_image_answers_its_cdn_copy(fake, img, file_id):
    """The file id is the normal-size image's, else the thumbnail's; sizes are numbers."""
    xml = (
        f'<msg><img aeskey="k" {img} length="12" cdnthumbwidth="3" cdnthumbheight="4"'
        ' md5="m"/></msg>'
    )
    data = await forward(fake, "message/forwardImage", xml)
    assert data["toWxid"] == TO
    assert data["type"] is None
    assert isinstance(data["createTime"], int)
    assert {k: data[k] for k in ("aesKey", "fileId", "length", "width", "height", "md5")} == {
        "aesKey": "k",
        "fileId": file_id,
        "length": 12,
        "width": 3,
        "height": 4,
        "md5": "m",
    }


async def test_forward_video_answers_its_cdn_copy_without_a_time(fake):
    """A video's answer has the video's CDN id and size, and no createTime (as documented)."""
    xml = '<msg><videomsg aeskey="k" cdnvideourl="vid" cdnthumburl="thumb"/></msg>'
    data = await forward(fake, "message/forwardVideo", xml)
    assert data["createTime"] is None
    assert (data["aesKey"], data["fileId"], data["length"]) == ("k", "vid", 0)
    assert set(data) == {
        "toWxid",
        "createTime",
        "msgId",
        "newMsgId",
        "type",
        "aesKey",
        "fileId",
        "length",
    }
