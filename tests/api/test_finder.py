"""client.finder: exact JSON for all 31 endpoints, documented answers, the fake, paging."""

from __future__ import annotations

import json

import attrs
import httpx
import jsonschema
import pytest

from gewe_async import GeweAPIError
from gewe_async.testing import FakeGewe
from gewe_async.types.finder import (
    ChannelsLogin,
    CommentPage,
    FinderContact,
    FinderObject,
    FinderProfile,
    FinderRole,
    FollowPage,
    LikeFavFlag,
    MentionPage,
    MentionScene,
    ObjectDetails,
    ObjectPage,
    PrivateLetterSync,
    SearchInfo,
    SearchResult,
    UploadedFinderVideo,
    UserPage,
)
from tests.feeds_support import (
    fake_client,
    fits_request_schema,
    response_schema,
    through_the_fake,
)
from tests.helpers import NO_RETRY, OFFICIAL, envelope
from tests.wire import call_and_capture, documented_answer

ME = "v2_wx_1@finder"  # the fake's Channels username for wx_1
OBJ = 14195037502970006567  # above 2**63
THEM = "v2_them@finder"
QR = "https://weixin.qq.com/sph/ArJBdPlIM"
me = {"my_user_name": ME, "my_role_type": FinderRole.FINDER}
ME_WIRE = {"appId": "wx_1", "myUserName": ME, "myRoleType": 3}
ON = {"object_id": OBJ, "object_nonce_id": "166_0_39"}
ON_WIRE = ME_WIRE | {"objectId": OBJ, "objectNonceId": "166_0_39"}
VIDEO = UploadedFinderVideo(
    file_key="finder_upload_1",
    file_url="http://wxapp.tc.qq.com/251/20302/a",
    thumb_url="http://wxapp.tc.qq.com/251/20350/b",
    mp4_identify="ed39cc64",
    thumb_md5="704de7eb",
    file_size=1315979,
)

# path -> (call, the exact body it sends)
CALLS = {
    "finder/getProfile": (lambda c: c.finder.get_profile("wx_1"), {"appId": "wx_1"}),
    "finder/getQrCode": (lambda c: c.finder.get_qr_code("wx_1", **me), ME_WIRE),
    "finder/createFinder": (
        lambda c: c.finder.create_finder("wx_1", nick_name="未来", head_img="https://q.cn/0"),
        {"appId": "wx_1", "nickName": "未来", "headImg": "https://q.cn/0"},
    ),
    "finder/updateProfile": (
        lambda c: c.finder.update_profile("wx_1", **me, signature="理智", sex=1),
        ME_WIRE | {"signature": "理智", "sex": 1},
    ),
    "finder/scanLoginChannels": (
        lambda c: c.finder.scan_login_channels("wx_1", qr_content=QR),
        {"appId": "wx_1", "qrContent": QR},
    ),
    "finder/follow": (
        lambda c: c.finder.follow("wx_1", **me, to_user_name=THEM),
        ME_WIRE | {"toUserName": THEM, "opType": 1},
    ),
    "finder/followList": (
        lambda c: c.finder.follow_list("wx_1", **me),
        ME_WIRE | {"lastBuffer": ""},
    ),
    "finder/searchFollow": (
        lambda c: c.finder.search_follow("wx_1", **me, to_user_name=THEM, keyword="彩妹"),
        ME_WIRE | {"toUserName": THEM, "keyword": "彩妹"},
    ),
    "finder/scanFollow": (
        lambda c: c.finder.scan_follow("wx_1", **me, qr_content=THEM, object_id=OBJ),
        ME_WIRE | {"qrContent": THEM, "objectId": str(OBJ), "objectNonceId": "", "proxyIp": ""},
    ),
    "finder/search": (
        lambda c: c.finder.search("wx_1", content="人民日报"),
        {
            "appId": "wx_1",
            "content": "人民日报",
            "category": 1,
            "filter": 0,
            "page": 0,
            "offset": 0,
            "cookie": "",
            "searchId": "",
        },
    ),
    "finder/userPage": (
        lambda c: c.finder.user_page(
            "wx_1", to_user_name=THEM, search_info=SearchInfo("ck", "sid")
        ),
        {
            "appId": "wx_1",
            "toUserName": THEM,
            "lastBuffer": "",
            "maxId": 0,
            "searchInfo": {"cookies": "ck", "searchId": "sid"},
        },
    ),
    "finder/scanQrCode": (
        lambda c: c.finder.scan_qr_code("wx_1", **me, qr_content=QR),
        ME_WIRE | {"qrContent": QR},
    ),
    "finder/likeFavList": (
        lambda c: c.finder.like_fav_list("wx_1", **me, flag=LikeFavFlag.HEART),
        ME_WIRE | {"flag": 1, "lastBuffer": ""},
    ),
    "finder/mentionList": (
        lambda c: c.finder.mention_list("wx_1", **me, req_scene=MentionScene.COMMENT),
        ME_WIRE | {"reqScene": 4, "lastBuff": ""},
    ),
    "finder/browse": (
        lambda c: c.finder.browse("wx_1", **me, **ON),
        ON_WIRE | {"sessionBuffer": ""},
    ),
    "finder/idFav": (
        lambda c: c.finder.id_fav("wx_1", **me, **ON, to_user_name=THEM, session_buffer="sb"),
        ON_WIRE | {"toUserName": THEM, "sessionBuffer": "sb", "opType": 1},
    ),
    "finder/idLike": (
        lambda c: c.finder.id_like("wx_1", **me, **ON, to_user_name=THEM, op_type=4),
        ON_WIRE | {"toUserName": THEM, "sessionBuffer": "", "opType": 4},
    ),
    "finder/finderOpt": (
        lambda c: c.finder.finder_opt("wx_1", **me, to_user_name=THEM, id=OBJ, op_type=3, remain=3),
        ME_WIRE | {"toUserName": THEM, "id": str(OBJ), "opType": 3, "remain": 3},
    ),
    "finder/comment": (
        lambda c: c.finder.comment("wx_1", **me, **ON, content="评论内容"),
        ON_WIRE
        | {
            "opType": 0,
            "content": "评论内容",
            "commentId": "",
            "refCommentId": 0,
            "rootCommentId": 0,
            "replyUserName": "",
            "sessionBuffer": "",
            "proxyIp": "",
        },
    ),
    "finder/commentList": (
        lambda c: c.finder.comment_list("wx_1", object_id=OBJ, session_buffer="sb"),
        {
            "appId": "wx_1",
            "objectId": OBJ,
            "objectNonceId": "",
            "sessionBuffer": "sb",
            "lastBuffer": "",
            "refCommentId": 0,
            "rootCommentId": 0,
        },
    ),
    "finder/scanBrowse": (
        lambda c: c.finder.scan_browse("wx_1", **me, qr_content=QR, object_id=OBJ),
        ME_WIRE | {"qrContent": QR, "objectId": OBJ},
    ),
    "finder/scanFav": (
        lambda c: c.finder.scan_fav("wx_1", **me, qr_content=QR, object_id=OBJ),
        ME_WIRE | {"qrContent": QR, "objectId": OBJ},
    ),
    "finder/scanLike": (
        lambda c: c.finder.scan_like("wx_1", **me, qr_content=QR),
        ME_WIRE | {"qrContent": QR, "objectId": 0},
    ),
    "finder/scanComment": (
        lambda c: c.finder.scan_comment(
            "wx_1", **me, qr_content=QR, object_id=OBJ, comment_content="hhh"
        ),
        ME_WIRE
        | {
            "qrContent": QR,
            "objectId": OBJ,
            "commentContent": "hhh",
            "refCommentId": 0,
            "rootCommentId": 0,
            "replyUsername": "",
        },
    ),
    "finder/publishFinderWeb": (
        lambda c: c.finder.publish_finder_web(
            "wx_1",
            title="t",
            description="#d#",
            video_url="https://a.cn/v.mp4",
            thumb_url="https://a.cn/t.jpg",
        ),
        {
            "appId": "wx_1",
            "title": "t",
            "description": "#d#",
            "videoUrl": "https://a.cn/v.mp4",
            "thumbUrl": "https://a.cn/t.jpg",
        },
    ),
    "finder/uploadFinderVideo": (
        lambda c: c.finder.upload_finder_video(
            "wx_1", video_url="https://a.cn/v.mp4", cover_img_url="http://a.cn/c.png"
        ),
        {"appId": "wx_1", "videoUrl": "https://a.cn/v.mp4", "coverImgUrl": "http://a.cn/c.png"},
    ),
    "finder/publishFinderCdn": (
        lambda c: c.finder.publish_finder_cdn(
            "wx_1", **me, video_cdn=VIDEO, description="hhh", topic=["#hh"]
        ),
        ME_WIRE
        | {
            "description": "hhh",
            "topic": ["#hh"],
            "videoCdn": {
                "fileKey": "finder_upload_1",
                "fileUrl": "http://wxapp.tc.qq.com/251/20302/a",
                "thumbUrl": "http://wxapp.tc.qq.com/251/20350/b",
                "mp4Identify": "ed39cc64",
                "thumbMD5": "704de7eb",
                "fileSize": 1315979,
            },
        },
    ),
    "finder/contactList": (
        lambda c: c.finder.contact_list("wx_1", **me, query_info="fv1_x@findermsgstranger"),
        ME_WIRE | {"queryInfo": "fv1_x@findermsgstranger"},
    ),
    "finder/postPrivateLetter": (
        lambda c: c.finder.post_private_letter(
            "wx_1", my_user_name=ME, to_user_name=THEM, msg_session_id="s@findermsg", content="hi"
        ),
        {
            "appId": "wx_1",
            "myUserName": ME,
            "toUserName": THEM,
            "msgSessionId": "s@findermsg",
            "content": "hi",
        },
    ),
    "finder/postPrivateLetterImg": (
        lambda c: c.finder.post_private_letter_img(
            "wx_1",
            my_user_name=ME,
            to_user_name=THEM,
            msg_session_id="s@findermsg",
            img_url="http://a.cn/1.png",
        ),
        {
            "appId": "wx_1",
            "myUserName": ME,
            "toUserName": THEM,
            "msgSessionId": "s@findermsg",
            "imgUrl": "http://a.cn/1.png",
        },
    ),
    "finder/syncPrivateLetterMsg": (
        lambda c: c.finder.sync_private_letter_msg("wx_1"),
        {"appId": "wx_1", "keyBuff": ""},
    ),
}

#: The documented answer each call decodes into (the type it returns).
RETURNS = {
    "finder/getProfile": FinderProfile,
    "finder/getQrCode": str,
    "finder/createFinder": FinderContact,
    "finder/scanLoginChannels": ChannelsLogin,
    "finder/follow": FinderContact,
    "finder/followList": FollowPage,
    "finder/scanFollow": FinderContact,
    "finder/search": SearchResult,
    "finder/userPage": UserPage,
    "finder/scanQrCode": ObjectDetails,
    "finder/likeFavList": ObjectPage,
    "finder/mentionList": MentionPage,
    "finder/commentList": CommentPage,
    "finder/scanComment": object,
    "finder/publishFinderWeb": int,
    "finder/uploadFinderVideo": UploadedFinderVideo,
    "finder/contactList": list,
    "finder/postPrivateLetter": int,
    "finder/postPrivateLetterImg": int,
    "finder/syncPrivateLetterMsg": PrivateLetterSync,
}


def test_every_finder_endpoint_is_in_the_table():
    """The table covers the 31 /finder/ endpoints of the official pages."""
    assert set(CALLS) == {p for p in OFFICIAL if p.startswith("finder/")}
    assert len(CALLS) == 31


@pytest.mark.parametrize("path", CALLS)
async def test_sends_exact_json_that_fits_the_official_schema(api, client, path):
    """Each finder method sends exactly the expected body, valid against the page's schema."""
    call, body = CALLS[path]
    if path == "finder/publishFinderCdn":  # its page documents only a failure answer
        api.post(f"/{path}").mock(return_value=httpx.Response(200, json=envelope()))
        await call(client)
        sent = api.calls.last.request.content
        assert json.loads(sent) == body
        fits_request_schema(path, json.loads(sent))
        return
    sent, result = await call_and_capture(api, client, path, call)
    assert sent == body
    fits_request_schema(path, sent)
    assert isinstance(result, RETURNS.get(path, type(None)))


async def test_documented_answers_keep_exact_ids(api, client):
    """Ids in the documented answers come back as the same ints."""
    _, page = await call_and_capture(
        api, client, "finder/likeFavList", CALLS["finder/likeFavList"][0]
    )
    example = OFFICIAL["finder/likeFavList"]["response_example"]["data"]["object"][0]
    assert page.objects[0].id == example["id"]
    assert page.objects[0].object_desc.media[0].url == example["objectDesc"]["media"][0]["Url"]
    _, profile = await call_and_capture(
        api, client, "finder/getProfile", CALLS["finder/getProfile"][0]
    )
    assert profile.main_finder_username.endswith("@finder")
    assert [a.role_type for a in profile.alias_info] == [1, 3]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.finder.get_qr_code("wx_1", my_user_name=ME, my_role_type=2), ValueError),
        (lambda c: c.finder.get_qr_code("wx_1", my_user_name="", my_role_type=3), ValueError),
        (lambda c: c.finder.browse("wx_1", **me, object_id=0, object_nonce_id="n"), ValueError),
        (lambda c: c.finder.browse("wx_1", **me, object_id=1e19, object_nonce_id="n"), TypeError),
        (lambda c: c.finder.follow("wx_1", **me, to_user_name=THEM, op_type=3), ValueError),
        (
            lambda c: c.finder.finder_opt(
                "wx_1", **me, to_user_name=THEM, id="12a", op_type=1, remain=3
            ),
            TypeError,
        ),
        (
            lambda c: c.finder.finder_opt(
                "wx_1", **me, to_user_name=THEM, id=1, op_type=2, remain=3
            ),
            ValueError,
        ),
        (lambda c: c.finder.update_profile("wx_1", **me), ValueError),
        (lambda c: c.finder.search("wx_1", content="x", page=-1), ValueError),
        (lambda c: c.finder.search("wx_1", content="x\x07"), ValueError),
        (
            lambda c: c.finder.publish_finder_cdn("wx_1", **me, video_cdn={}, description="d"),
            TypeError,
        ),
        (
            lambda c: c.finder.publish_finder_cdn(
                "wx_1", **me, video_cdn=VIDEO, description="d", topic="#a"
            ),
            TypeError,
        ),
        (lambda c: c.finder.user_page("wx_1", to_user_name=THEM, search_info={}), TypeError),
        (lambda c: c.finder.iter_follow_list("wx_1", **me, limit=-1), ValueError),
        (
            lambda c: c.finder.follow(
                "wx_1", **me, to_user_name=THEM, search_info=SearchInfo("a b")
            ),
            ValueError,
        ),
    ],
)
async def test_bad_input_is_refused_before_sending(api, client, call, error):
    """Unknown roles and operations, zero or float ids, bad text never reach the server."""
    route = api.post(url__regex=r".*").mock(return_value=httpx.Response(200, json=envelope()))
    with pytest.raises(error):
        await call(client)
    assert not route.called


def test_the_finder_opt_example_is_not_json_but_its_fields_fit_the_schema():
    """finderOpt's example carries a // comment; without it, it fits the schema we follow."""
    example = OFFICIAL["finder/finderOpt"]["request_example"]
    assert isinstance(example, str)
    assert "//" in example
    cleaned = json.loads(example.replace("//1点赞 3小红心", ""))
    jsonschema.validate(cleaned, OFFICIAL["finder/finderOpt"]["request_schema"])
    assert isinstance(cleaned["id"], str)


# -- the fake ------------------------------------------------------------------------------


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe(token="fake-token")
    fake.add_device("wx_1").feeds.page_size = 2
    return fake


@pytest.mark.parametrize("path", CALLS)
async def test_fake_answers_fit_the_official_schemas(fake, path):
    """The fake answers every finder endpoint in the documented shape, and the client parses it."""
    if path == "finder/publishFinderCdn":
        await _through_the_fake_publish_cdn(fake)
        return
    result = await through_the_fake(fake, path, CALLS[path][0])
    assert isinstance(result, RETURNS.get(path, type(None)))


async def _through_the_fake_publish_cdn(fake: FakeGewe) -> None:
    client, recording = fake_client(fake)
    async with client:
        await CALLS["finder/publishFinderCdn"][0](client)
        assert recording.answers[-1] == {"ret": 200, "msg": "操作成功"}
        bad = UploadedFinderVideo("k", "http://a.cn/a", "http://a.cn/b", "m", "t", 1)
        fake.devices["wx_1"].feeds.finder_username = ME
        with pytest.raises(GeweAPIError, match="发布cdn视频失败"):
            await client.finder.publish_finder_cdn(
                "wx_1", **me, video_cdn=attrs.evolve(bad, file_key=""), description="d"
            )
    # The documented failure is exactly what the page shows, status 500 schema included.
    jsonschema.validate(recording.answers[-1], response_schema("finder/publishFinderCdn"))
    assert recording.answers[-1] == OFFICIAL["finder/publishFinderCdn"]["response_example"] | {
        "msg": "发布cdn视频失败"
    }


async def test_fake_follows_are_listed_and_paged(fake):
    """Following five accounts lists them in pages of two; unfollowing removes one."""
    async with fake.client(retries=NO_RETRY) as client:
        for i in range(5):
            await client.finder.follow("wx_1", **me, to_user_name=f"v2_{i}@finder")
        await client.finder.follow("wx_1", **me, to_user_name="v2_2@finder", op_type=2)
        fake.requests.clear()
        names = [x.username async for x in client.finder.iter_follow_list("wx_1", **me)]
        limited = [x async for x in client.finder.iter_follow_list("wx_1", **me, limit=3)]
    assert names == ["v2_0@finder", "v2_1@finder", "v2_3@finder", "v2_4@finder"]
    assert len(limited) == 3
    buffers = [r.body["lastBuffer"] for r in fake.requests]
    assert len(buffers) == 4  # two pages for all, two for the limit of 3
    assert buffers[0] == buffers[2] == ""
    assert buffers[1] == buffers[3] != ""


async def test_fake_refuses_another_accounts_identity(fake):
    """myUserName must be the device's own Channels username."""
    async with fake.client(retries=NO_RETRY) as client:
        with pytest.raises(GeweAPIError, match="myUserName"):
            await client.finder.get_qr_code("wx_1", my_user_name="v2_else@finder", my_role_type=3)


async def test_iterators_over_documented_pages_stop(fake):
    """The likeFavList, userPage, comment and mention iterators end on the fake's one page."""
    async with fake.client() as client:
        videos = [x async for x in client.finder.iter_like_fav_list("wx_1", **me)]
        user = [x async for x in client.finder.iter_user_page("wx_1", to_user_name=THEM)]
        comments = [x async for x in client.finder.iter_comment_list("wx_1", video=videos[0])]
        mentions = [
            x async for x in client.finder.iter_mention_list("wx_1", **me, req_scene=4, limit=5)
        ]
    assert all(isinstance(v, FinderObject) for v in videos + user)
    assert {v.username for v in user} == {THEM}
    assert comments
    assert mentions


async def test_channels_paging_follows_continue_flag(api, client):
    """iter_user_page sends lastBuffer and the last id as maxId, and stops at continueFlag 0."""
    pages = [
        {"object": [{"id": OBJ}, {"id": OBJ - 1}], "lastBuffer": "b1", "continueFlag": 1},
        {"object": [{"id": OBJ - 2}], "lastBuffer": "b2", "continueFlag": 0},
    ]
    route = api.post("/finder/userPage").mock(
        side_effect=[httpx.Response(200, json=envelope(p)) for p in pages]
    )
    ids = [x.id async for x in client.finder.iter_user_page("wx_1", to_user_name=THEM)]
    assert ids == [OBJ, OBJ - 1, OBJ - 2]
    second = json.loads(route.calls[1].request.content)
    assert (second["lastBuffer"], second["maxId"]) == ("b1", OBJ - 1)
    assert route.call_count == 2


@pytest.mark.parametrize(
    "path", [p for p in OFFICIAL if p.split("/")[0] in ("sns", "favor", "finder")]
)
def test_documented_examples_fit_the_schemas_the_fake_is_checked_against(path):
    """Each loosening of a schema is what the page's own example needs, nothing more."""

    jsonschema.validate(documented_answer(path), response_schema(path))


async def test_comment_ids_go_out_as_strings_of_digits(api, client):
    """finder/comment's commentId is a string on the page; an int id is sent as its digits."""
    route = api.post("/finder/comment").mock(
        return_value=httpx.Response(200, json=envelope({"commentId": None}))
    )
    await client.finder.comment(
        "wx_1", **me, **ON, content="", op_type=1, comment_id=14484855201138809377
    )
    assert b'"commentId":"14484855201138809377"' in route.calls.last.request.content


@pytest.mark.parametrize(
    ("info", "wire"),
    [
        (SearchInfo(), {"cookies": "", "searchId": "", "docId": ""}),
        (SearchInfo("ck", "sid"), {"cookies": "ck", "searchId": "sid", "docId": ""}),
        (SearchInfo("ck", "sid", "doc"), {"cookies": "ck", "searchId": "sid", "docId": "doc"}),
    ],
)
async def test_follow_sends_every_search_info_field_its_page_requires(api, client, info, wire):
    """finder/follow's page marks cookies, searchId and docId required: none is left out."""
    route = api.post("/finder/follow").mock(
        return_value=httpx.Response(200, json=envelope(documented_answer("finder/follow")["data"]))
    )
    await client.finder.follow("wx_1", **me, to_user_name=THEM, search_info=info)
    sent = json.loads(route.calls.last.request.content)
    assert sent["searchInfo"] == wire
    fits_request_schema("finder/follow", sent)
