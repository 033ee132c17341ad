"""client.sns: exact JSON, documented answers, the fake, paging and the posting flows."""

from __future__ import annotations

import json

import httpx
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gewe_async import GeweAPIError, GeweDeviceOfflineError
from gewe_async._api.sns import SNS_DETAILS
from gewe_async._api.sns._reading import SnsIdRequest
from gewe_async._paging import Page, paginate
from gewe_async.testing import FakeGewe
from gewe_async.testing._feeds import MOMENT_ID_BASE, FakeMoment
from gewe_async.types.sns import (
    CommentOperation,
    LikeOperation,
    Moment,
    MomentPage,
    MomentPostError,
    PostedMoment,
    UploadedImage,
    UploadedVideo,
    VisibleScope,
)
from tests.feeds_support import (
    Recording,
    fake_client,
    fits_request_schema,
    request_schema,
    through_the_fake,
)
from tests.helpers import NO_RETRY, OFFICIAL, envelope
from tests.wire import call_and_capture, documented_answer

BIG = 14287710653886042567  # above 2**63: must go out exactly
IMAGE = UploadedImage("http://x.cn/0", "http://x.cn/150", "704de7eb", 1920, 1080, 1096)
VIDEO = UploadedVideo("http://x.cn/v", "http://x.cn/t", "6e95f9d7", 1315979)
NOBODY = {"allowWxIds": [], "atWxIds": [], "disableWxIds": []}
AUDIENCE = NOBODY | {"allowTagIds": [], "disableTagIds": [], "privacy": False}
IMAGE_WIRE = {
    "fileUrl": "http://x.cn/0",
    "thumbUrl": "http://x.cn/150",
    "fileMd5": "704de7eb",
    "width": 1920,
    "height": 1080,
    "length": 1096,
}
FINDER = {
    "id": BIG,
    "username": "v2_0600@finder",
    "nickname": "爱德华",
    "head_url": "https://wx.qlogo.cn/finderhead/0",
    "nonce_id": "8507486792812551167_0_0_2_2_1724662626395281",
    "media_type": 4,
    "url": "http://wxapp.tc.qq.com/251/20302/stodownload?a=1",
    "thumb_url": "http://wxapp.tc.qq.com/251/20350/stodownload?b=2",
    "thumb_url_token": "&token=oA9SZ4",
    "width": 1000,
    "height": "2000",
    "video_play_len": 2,
    "description": "#哈哈",
}

# path -> (call, the exact body it sends)
CALLS = {
    "sns/snsList": (
        lambda c: c.sns.sns_list("wx_1"),
        {"appId": "wx_1", "maxId": 0, "firstPageMd5": "", "decrypt": True},
    ),
    "sns/contactsSnsList": (
        lambda c: c.sns.contacts_sns_list("wx_1", "wxid_f", BIG, "5b6cd464e80df435", False),
        {
            "appId": "wx_1",
            "wxid": "wxid_f",
            "maxId": BIG,
            "firstPageMd5": "5b6cd464e80df435",
            "decrypt": False,
        },
    ),
    "sns/snsDetails": (
        lambda c: c.sns.sns_details("wx_1", BIG),
        {"appId": "wx_1", "snsId": BIG},
    ),
    "sns/delSns": (lambda c: c.sns.del_sns("wx_1", BIG), {"appId": "wx_1", "snsId": BIG}),
    "sns/downloadSnsVideo": (
        lambda c: c.sns.download_sns_video("wx_1", "<TimelineObject/>"),
        {"appId": "wx_1", "snsXml": "<TimelineObject/>"},
    ),
    "sns/snsSetPrivacy": (
        lambda c: c.sns.sns_set_privacy("wx_1", BIG, False),
        {"appId": "wx_1", "snsId": BIG, "open": False},
    ),
    "sns/snsVisibleScope": (
        lambda c: c.sns.sns_visible_scope("wx_1", VisibleScope.MONTH),
        {"appId": "wx_1", "option": 3},
    ),
    "sns/strangerVisibilityEnabled": (
        lambda c: c.sns.stranger_visibility_enabled("wx_1", True),
        {"appId": "wx_1", "enabled": True},
    ),
    "sns/likeSns": (
        lambda c: c.sns.like_sns("wx_1", BIG, LikeOperation.UNLIKE, "wxid_f"),
        {"appId": "wx_1", "snsId": BIG, "operType": 2, "wxid": "wxid_f"},
    ),
    "sns/commentSns": (
        lambda c: c.sns.comment_sns("wx_1", BIG, 1, "wxid_f", content="好"),
        {
            "appId": "wx_1",
            "snsId": BIG,
            "operType": 1,
            "wxid": "wxid_f",
            "commentId": 0,
            "content": "好",
        },
    ),
    "sns/uploadSnsImage": (
        lambda c: c.sns.upload_sns_image("wx_1", ["http://a.cn/1.png"]),
        {"appId": "wx_1", "imgUrls": ["http://a.cn/1.png"]},
    ),
    "sns/uploadSnsVideo": (
        lambda c: c.sns.upload_sns_video("wx_1", "http://a.cn/t.png", "http://a.cn/v.mp4"),
        {"appId": "wx_1", "thumbUrl": "http://a.cn/t.png", "videoUrl": "http://a.cn/v.mp4"},
    ),
    "sns/sendTextSns": (
        lambda c: c.sns.send_text_sns("wx_1", "hi", at_wx_ids=["wxid_f"], privacy=True),
        {"appId": "wx_1", "content": "hi"} | AUDIENCE | {"atWxIds": ["wxid_f"], "privacy": True},
    ),
    "sns/sendImgSns": (
        lambda c: c.sns.send_img_sns("wx_1", [IMAGE], "img"),
        {"appId": "wx_1", "content": "img", "imgInfos": [IMAGE_WIRE]} | AUDIENCE,
    ),
    "sns/sendVideoSns": (
        lambda c: c.sns.send_video_sns("wx_1", VIDEO, disable_tag_ids=["3"]),
        {
            "appId": "wx_1",
            "content": "",
            "videoInfo": {
                "fileUrl": "http://x.cn/v",
                "thumbUrl": "http://x.cn/t",
                "fileMd5": "6e95f9d7",
                "length": 1315979,
            },
        }
        | AUDIENCE
        | {"disableTagIds": ["3"]},
    ),
    "sns/sendUrlSns": (
        lambda c: c.sns.send_url_sns("wx_1", "T", "D", "https://a.cn/p", "https://a.cn/t.jpg"),
        {
            "appId": "wx_1",
            "title": "T",
            "description": "D",
            "linkUrl": "https://a.cn/p",
            "thumbUrl": "https://a.cn/t.jpg",
            "content": "",
        }
        | AUDIENCE,
    ),
    "sns/forwardSns": (
        lambda c: c.sns.forward_sns("wx_1", "<TimelineObject/>"),
        {"appId": "wx_1", "snsXml": "<TimelineObject/>"} | AUDIENCE,
    ),
    "sns/sendFinderSns": (
        lambda c: c.sns.send_finder_sns("wx_1", **FINDER),
        {
            "appId": "wx_1",
            "id": BIG,
            "username": "v2_0600@finder",
            "nickname": "爱德华",
            "headUrl": "https://wx.qlogo.cn/finderhead/0",
            "nonceId": "8507486792812551167_0_0_2_2_1724662626395281",
            "mediaType": "4",
            "url": "http://wxapp.tc.qq.com/251/20302/stodownload?a=1",
            "thumbUrl": "http://wxapp.tc.qq.com/251/20350/stodownload?b=2",
            "thumbUrlToken": "&token=oA9SZ4",
            "width": "1000",
            "height": "2000",
            "videoPlayLen": "2",
            "description": "#哈哈",
        }
        | NOBODY,
    ),
}


def test_every_sns_endpoint_is_in_the_table():
    """The tables cover the 18 /sns/ endpoints of the official pages."""

    assert set(CALLS) == {p for p in OFFICIAL if p.startswith("sns/")}


@pytest.mark.parametrize("path", CALLS)
async def test_sends_exact_json_that_fits_the_official_schema(api, client, path):
    """Each sns method sends exactly the expected body, valid against the page's schema."""
    call, body = CALLS[path]
    sent, _ = await call_and_capture(api, client, path, call)
    assert sent == body
    fits_request_schema(path, sent)


async def test_big_ids_go_out_as_exact_json_integers(api, client):
    """An snsId above 2**63 is written digit for digit, not as a float."""
    route = api.post("/sns/snsDetails").mock(
        return_value=httpx.Response(200, json=documented_answer("sns/snsDetails"))
    )
    await client.sns.sns_details("wx_1", BIG)
    assert b'"snsId":14287710653886042567' in route.calls.last.request.content


async def test_documented_answers_parse(api, client):
    """The lists, details, posts and uploads decode the official examples."""
    _, page = await call_and_capture(api, client, "sns/snsList", CALLS["sns/snsList"][0])
    assert isinstance(page, MomentPage)
    assert page.sns_list is not None
    assert len(page.sns_list) == 10
    assert page.sns_list[0].likes == []
    _, contacts = await call_and_capture(
        api, client, "sns/contactsSnsList", CALLS["sns/contactsSnsList"][0]
    )
    assert contacts.sns_list[0].comments[2].reply_comment_id == 1
    _, details = await call_and_capture(api, client, "sns/snsDetails", CALLS["sns/snsDetails"][0])
    assert isinstance(details, Moment)
    assert details.like_count == len(details.likes) == 4
    _, posted = await call_and_capture(api, client, "sns/sendTextSns", CALLS["sns/sendTextSns"][0])
    assert isinstance(posted, PostedMoment)
    assert posted.user_name == "zhangchuan2288"
    _, images = await call_and_capture(
        api, client, "sns/uploadSnsImage", CALLS["sns/uploadSnsImage"][0]
    )
    assert images[0].width == 1920
    _, url = await call_and_capture(
        api, client, "sns/downloadSnsVideo", CALLS["sns/downloadSnsVideo"][0]
    )
    assert url.startswith("http://oos-sccd.ctyunapi.cn/")


async def test_exact_ids_survive_decoding(api, client):
    """An id above 2**63 in an answer comes back as the same int."""
    answer = {"id": BIG + 1, "userName": "u", "nickName": "n", "createTime": 1703238562}
    api.post("/sns/sendTextSns").mock(return_value=httpx.Response(200, json=envelope(answer)))
    assert (await client.sns.send_text_sns("wx_1", "x")).id == BIG + 1


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.sns.sns_details("wx_1", 1.5e19), TypeError),
        (lambda c: c.sns.sns_details("wx_1", 2**64), ValueError),
        (lambda c: c.sns.del_sns("wx_1", 0), ValueError),
        (lambda c: c.sns.sns_visible_scope("wx_1", 5), ValueError),
        (lambda c: c.sns.sns_set_privacy("wx_1", BIG, 1), TypeError),
        (lambda c: c.sns.like_sns("wx_1", BIG, 3, "wxid_f"), ValueError),
        (lambda c: c.sns.comment_sns("wx_1", BIG, 1, "wxid_f"), ValueError),
        (lambda c: c.sns.comment_sns("wx_1", BIG, 2, "wxid_f"), ValueError),
        (lambda c: c.sns.comment_sns("wx_1", BIG, 1, "wxid_f", content="a\x00"), ValueError),
        (lambda c: c.sns.upload_sns_image("wx_1", []), ValueError),
        (lambda c: c.sns.upload_sns_image("wx_1", "http://a.cn/1.png"), TypeError),
        (lambda c: c.sns.upload_sns_image("wx_1", ["ftp://a.cn/1.png"]), ValueError),
        (lambda c: c.sns.send_text_sns("wx_1", " "), ValueError),
        (lambda c: c.sns.send_text_sns("wx_1", "x", at_wx_ids="wxid_f"), TypeError),
        (lambda c: c.sns.send_text_sns("wx_1", "x", allow_wx_ids=["a b"]), ValueError),
        (lambda c: c.sns.send_img_sns("wx_1", []), TypeError),
        (lambda c: c.sns.send_img_sns("wx_1", [IMAGE_WIRE]), TypeError),
        (lambda c: c.sns.send_finder_sns("wx_1", **(FINDER | {"width": -1})), TypeError),
        (lambda c: c.sns.post_images("wx_1", ["http://a.cn/1.png"], privacy="yes"), TypeError),
        (lambda c: c.sns.post_video("wx_1", "http://a.cn/v.mp4", "nope"), ValueError),
    ],
)
async def test_bad_input_is_refused_before_sending(api, client, call, error):
    """Floats for ids, unknown enum values, empty content and bad lists never reach the server."""
    route = api.post(url__regex=r".*").mock(return_value=httpx.Response(200, json=envelope()))
    with pytest.raises(error):
        await call(client)
    assert not route.called


# -- the fake ------------------------------------------------------------------------------

OWN = MOMENT_ID_BASE + 1000  # the first Moment the fixture posts
FRIENDS = MOMENT_ID_BASE + 2000  # the friend's Moment it seeds


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe(token="fake-token")
    device = fake.add_device("wx_1", wxid="wxid_me", nick_name="Me")
    device.feeds.page_size = 3

    device.feeds.moments.insert(
        0, FakeMoment(device.feeds.new_moment_id(), "wxid_me", "Me", "first")
    )
    device.feeds.add_contact_moment("wxid_f", "friend's", nick_name="F")
    return fake


FAKE_CALLS = {
    **{p: c for p, (c, _) in CALLS.items()},
    "sns/contactsSnsList": lambda c: c.sns.contacts_sns_list("wx_1", "wxid_f"),
    "sns/snsDetails": lambda c: c.sns.sns_details("wx_1", OWN),
    "sns/delSns": lambda c: c.sns.del_sns("wx_1", OWN),
    "sns/snsSetPrivacy": lambda c: c.sns.sns_set_privacy("wx_1", OWN, False),
    "sns/likeSns": lambda c: c.sns.like_sns("wx_1", FRIENDS, 1, "wxid_f"),
    "sns/commentSns": lambda c: c.sns.comment_sns("wx_1", FRIENDS, 1, "wxid_f", content="好"),
}


@pytest.mark.parametrize("path", CALLS)
async def test_fake_answers_fit_the_official_schemas(fake, path):
    """The fake answers every sns endpoint in the documented shape, and the client parses it."""
    await through_the_fake(fake, path, FAKE_CALLS[path])


async def test_fake_moments_post_list_like_comment_privacy_delete(fake):
    """A Moment posted on the fake is listed, liked, commented, made private and deleted."""
    async with fake.client() as client:
        posted = await client.sns.send_text_sns("wx_1", "hello")
        [moment] = [m async for m in client.sns.iter_sns_list("wx_1", limit=1)]
        assert (moment.id, moment.user_name) == (posted.id, "wxid_me")
        assert "<contentDesc>hello</contentDesc>" in moment.sns_xml
        await client.sns.like("wx_1", moment)
        await client.sns.comment("wx_1", moment, "first!")
        details = await client.sns.sns_details("wx_1", moment.id)
        assert [x.user_name for x in details.likes] == ["wxid_me"]
        await client.sns.comment("wx_1", details, "reply", reply_to=details.comments[0])
        details = await client.sns.sns_details("wx_1", moment.id)
        assert [(c.content, c.reply_comment_id) for c in details.comments] == [
            ("first!", 0),
            ("reply", details.comments[0].comment_id),
        ]
        await client.sns.delete_comment("wx_1", details, details.comments[0])
        await client.sns.unlike("wx_1", details)
        await client.sns.sns_set_privacy("wx_1", moment.id, False)
        details = await client.sns.sns_details("wx_1", moment.id)
        assert [c.content for c in details.comments] == ["reply"]
        assert details.likes == []
        assert fake.devices["wx_1"].feeds.moments[0].private is True
        await client.sns.delete("wx_1", posted)
        with pytest.raises(GeweAPIError, match="朋友圈不存在"):
            await client.sns.sns_details("wx_1", moment.id)


async def test_like_on_a_friends_moment_sends_the_author(fake):
    """like() takes the author's wxid from the Moment the list returned."""
    async with fake.client() as client:
        [moment] = [m async for m in client.sns.iter_contacts_sns_list("wx_1", "wxid_f")]
        await client.sns.like("wx_1", moment)
    assert fake.requests[-1].body == {
        "appId": "wx_1",
        "snsId": FRIENDS,
        "operType": 1,
        "wxid": "wxid_f",
    }
    assert fake.devices["wx_1"].feeds.find_moment(FRIENDS).likes[0]["userName"] == "wxid_me"


# -- paging --------------------------------------------------------------------------------


async def _post_many(fake: FakeGewe, n: int) -> list[int]:
    async with fake.client() as client:
        return [(await client.sns.send_text_sns("wx_1", f"m{i}")).id for i in range(n)]


async def test_iter_sns_list_walks_every_page_newest_first_and_stops(fake):
    """Eight Moments in pages of three: all listed once, newest first, then it stops."""
    ids = await _post_many(fake, 7)
    fake.requests.clear()
    async with fake.client() as client:
        listed = [m.id async for m in client.sns.iter_sns_list("wx_1")]
    assert listed == [*reversed(ids), OWN]
    bodies = [r.body for r in fake.requests]
    assert [b["maxId"] for b in bodies] == [0, ids[4], ids[1], OWN]  # the last is empty
    first_md5 = bodies[1]["firstPageMd5"]
    assert first_md5
    assert all(b["firstPageMd5"] == first_md5 for b in bodies[1:])


async def test_iter_sns_list_limit_fetches_only_the_pages_it_needs(fake):
    """limit=4 with pages of three: two requests, four Moments; limit=0 sends nothing."""
    await _post_many(fake, 7)
    fake.requests.clear()
    async with fake.client() as client:
        assert len([m async for m in client.sns.iter_sns_list("wx_1", limit=4)]) == 4
        assert [m async for m in client.sns.iter_sns_list("wx_1", limit=0)] == []
    assert len(fake.requests) == 2


async def test_iter_sns_list_raises_an_error_in_the_middle_after_the_pages_before(fake):
    """The device goes offline after page one: its three Moments came, then the typed error."""
    await _post_many(fake, 7)
    got = []

    async def walk(client) -> None:
        async for moment in client.sns.iter_sns_list("wx_1"):
            got.append(moment)
            fake.set_offline("wx_1")

    async with fake.client(retries=NO_RETRY) as client:
        with pytest.raises(GeweDeviceOfflineError):
            await walk(client)
    assert len(got) == 3


def test_iter_refuses_a_bad_limit_at_the_call(client):
    """A negative or non-int limit fails when the iterator is made, before any request."""
    with pytest.raises(ValueError, match="negative"):
        client.sns.iter_sns_list("wx_1", limit=-1)
    with pytest.raises(TypeError):
        client.sns.iter_sns_list("wx_1", limit=2.0)


async def test_paginate_stops_when_the_server_repeats_a_cursor():
    """A server answering the same continuation again ends the iteration instead of looping."""
    calls = []

    async def fetch(cursor: str) -> Page[int, str]:
        calls.append(cursor)
        assert len(calls) < 10, "the iteration does not stop"
        return Page([len(calls)], "A" if cursor == "" else "B" if cursor == "A" else "A")

    assert [x async for x in paginate(fetch, "", None)] == [1, 2, 3]
    assert calls == ["", "A", "B"]


# -- the posting flows ---------------------------------------------------------------------


async def test_post_images_uploads_then_posts(fake):
    """post_images uploads the URLs, then posts what the upload returned."""
    async with fake.client() as client:
        posted = await client.sns.post_images(
            "wx_1", ["http://a.cn/1.png", "http://a.cn/2.png"], "两张", privacy=True
        )
    upload, send = fake.requests
    assert (upload.endpoint, send.endpoint) == ("sns/uploadSnsImage", "sns/sendImgSns")
    assert len(send.body["imgInfos"]) == 2
    assert send.body["imgInfos"][0]["fileUrl"].startswith("http://shmmsns.qpic.cn/")
    assert send.body["privacy"] is True
    assert fake.devices["wx_1"].feeds.moments[0].id == posted.id


async def test_post_video_uploads_then_posts(fake):
    """post_video uploads the video and cover, then posts them."""
    async with fake.client() as client:
        posted = await client.sns.post_video("wx_1", "http://a.cn/v.mp4", "http://a.cn/t.png")
    assert [r.endpoint for r in fake.requests] == ["sns/uploadSnsVideo", "sns/sendVideoSns"]
    assert fake.devices["wx_1"].feeds.moments[0].style == 15
    assert posted.id == fake.devices["wx_1"].feeds.moments[0].id


async def test_post_images_reports_a_failed_upload(api, client):
    """An upload refused by the server: step 'upload', the API error kept, nothing sent."""
    api.post("/sns/uploadSnsImage").mock(
        return_value=httpx.Response(200, json={"ret": 500, "msg": "imgUrls不可为空"})
    )
    send = api.post("/sns/sendImgSns").mock(return_value=httpx.Response(200, json=envelope()))
    with pytest.raises(MomentPostError) as caught:
        await client.sns.post_images("wx_1", ["http://a.cn/1.png"])
    assert caught.value.step == "upload"
    assert isinstance(caught.value.error, GeweAPIError)
    assert caught.value.__cause__ is caught.value.error
    assert caught.value.uploaded is None
    assert not send.called


async def test_post_images_reports_a_failed_send_with_the_uploads(api, client):
    """A send refused: step 'send', and the uploaded images to retry the send alone."""
    api.post("/sns/uploadSnsImage").mock(
        return_value=httpx.Response(200, json=documented_answer("sns/uploadSnsImage"))
    )
    api.post("/sns/sendImgSns").mock(
        return_value=httpx.Response(
            200, json={"ret": 500, "msg": "操作失败", "data": {"code": "-1", "msg": "微信已离线"}}
        )
    )
    with pytest.raises(MomentPostError) as caught:
        await client.sns.post_images("wx_1", ["http://a.cn/1.png"])
    assert caught.value.step == "send"
    assert isinstance(caught.value.error, GeweDeviceOfflineError)
    assert caught.value.uploaded == (
        UploadedImage(
            file_url="http://szmmsns.qpic.cn/mmsns/FzeKA69P5uJr4JZ7M7h6bAeMo2q/0",
            thumb_url="http://szmmsns.qpic.cn/mmsns/FzeKA69P5uJr4JZ7M7h6bAeMo2q/150",
            file_md5="704de7ebbc107a51a4f0986253a6d3b6",
            width=1920,
            height=1080,
            length=1096,
        ),
    )
    assert "send step" in str(caught.value)


async def test_post_images_refuses_an_upload_that_lost_images(api, client):
    """Two URLs but one image uploaded: an upload failure, and nothing is posted."""
    api.post("/sns/uploadSnsImage").mock(
        return_value=httpx.Response(200, json=documented_answer("sns/uploadSnsImage"))
    )
    send = api.post("/sns/sendImgSns").mock(return_value=httpx.Response(200, json=envelope()))
    with pytest.raises(MomentPostError) as caught:
        await client.sns.post_images("wx_1", ["http://a.cn/1.png", "http://a.cn/2.png"])
    assert caught.value.step == "upload"
    assert not send.called


async def test_post_video_reports_each_step(fake):
    """post_video: an offline device fails at upload; a refused send fails at send."""
    fake.set_offline("wx_1")
    async with fake.client(retries=NO_RETRY) as client:
        with pytest.raises(MomentPostError) as caught:
            await client.sns.post_video("wx_1", "http://a.cn/v.mp4", "http://a.cn/t.png")
    assert caught.value.step == "upload"
    assert isinstance(caught.value.error, GeweDeviceOfflineError)


async def test_post_video_reports_a_failed_send_with_the_upload(api, client):
    """The video's send refused: step 'send', and the uploaded video kept for a retry."""
    api.post("/sns/uploadSnsVideo").mock(
        return_value=httpx.Response(200, json=documented_answer("sns/uploadSnsVideo"))
    )
    api.post("/sns/sendVideoSns").mock(
        return_value=httpx.Response(200, json={"ret": 500, "msg": "发送失败"})
    )
    with pytest.raises(MomentPostError) as caught:
        await client.sns.post_video("wx_1", "http://a.cn/v.mp4", "http://a.cn/t.png")
    assert caught.value.step == "send"
    assert isinstance(caught.value.uploaded, UploadedVideo)
    assert caught.value.uploaded.file_md5 == "6e95f9d79588843ac259b780f0cbf20f"


def test_comment_operation_values():
    """The enums carry the documented numbers."""
    assert (CommentOperation.COMMENT, CommentOperation.DELETE) == (1, 2)
    assert [s.value for s in VisibleScope] == [1, 2, 3, 4]
    assert json.dumps(LikeOperation.LIKE) == "1"


@pytest.mark.parametrize("path", ["sns/uploadSnsImage", "sns/commentSns"])
def test_the_contradictory_pages_really_contradict_themselves(path):
    """The page's own request example fails its schema, and fits the reading we follow."""

    example = OFFICIAL[path]["request_example"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(example, OFFICIAL[path]["request_schema"])
    jsonschema.validate(example, request_schema(path))


async def test_fake_lists_send_null_for_empty_likes_and_comments(fake):
    """Like the official snsList example: null, not [], when a Moment has no likes."""

    client, recording = fake_client(fake)
    async with client:
        [moment] = [m async for m in client.sns.iter_sns_list("wx_1")]
        details = await client.sns.sns_details("wx_1", moment.id)
    listed = recording.answers[0]["data"]["snsList"][0]
    assert (listed["likeList"], listed["commentList"]) == (None, None)
    assert (moment.likes, details.likes) == ([], [])
    assert recording.answers[-1]["data"]["likeList"] == []


@given(st.integers(min_value=1, max_value=2**64 - 1))
@settings(max_examples=50, deadline=None)
def test_any_uint64_id_goes_out_digit_for_digit(sns_id):
    """Every snsId from 1 to 2**64 - 1 is encoded exactly; the JSON has its decimal digits."""
    body = json.dumps(SNS_DETAILS.encode(SnsIdRequest(app_id="wx_1", sns_id=sns_id)))
    assert json.loads(body)["snsId"] == sns_id
    assert f'"snsId": {sns_id}' in body


async def test_fake_refuses_an_unknown_oper_type(fake):
    """The fake, like the page, knows operType 1 and 2 only."""
    async with httpx.AsyncClient(
        transport=Recording(fake), base_url="http://127.0.0.1/v2/api"
    ) as http:
        body = {"appId": "wx_1", "snsId": FRIENDS, "operType": 3, "wxid": "wxid_f"}
        answer = (
            await http.post("/sns/likeSns", json=body, headers={"X-GEWE-TOKEN": "fake-token"})
        ).json()
    assert answer["ret"] == 500
    assert "operType" in answer["data"]["msg"]
