"""FakeGewe's message module: documented answers, the outbox, revoke rules, downloads, forwards."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import attrs
import jsonschema
import pytest

from gewe_async import GeweAPIError
from gewe_async.testing import FakeGewe
from gewe_async.types.message import Quoted, SentImage, SentVideo
from tests.helpers import OFFICIAL, raw_post
from tests.message_calls import CALLS, FILE_XML, IMAGE_XML, MD5, TO, VIDEO_XML, VOICE_XML

A = "wx_1"


def attr(xml: str, child: str, name: str) -> str:
    element = ET.fromstring(xml).find(child)
    assert element is not None
    return element.attrib[name]


@pytest.fixture
def fake() -> FakeGewe:
    """A fake with two devices; wx_1 has received the official examples' media."""
    fake = FakeGewe(token="fake-token")
    device = fake.add_device(A)
    fake.add_device("wx_2")
    outbox = device.outbox
    outbox.know_media(attr(IMAGE_XML, "img", "cdnmidimgurl"), "https://cdn.test/img.png")
    outbox.know_media(attr(VIDEO_XML, "videomsg", "cdnvideourl"), "https://cdn.test/v.mp4")
    outbox.know_media(attr(VOICE_XML, "voicemsg", "voiceurl"), "https://cdn.test/v.silk")
    attach = ET.fromstring(FILE_XML).findtext("appmsg/appattach/cdnattachurl")
    assert attach is not None
    outbox.know_media(attach, "https://cdn.test/info.json")
    outbox.know_media(MD5, "https://cdn.test/emoji.gif")
    outbox.know_media("3057", "https://cdn.test/cdn.json")
    return fake


def official_schema(path: str) -> dict[str, Any]:
    return OFFICIAL[path]["response_schema"]


@pytest.mark.parametrize("path", CALLS)
async def test_every_answer_fits_the_official_response_schema(fake, path):
    """Each /message/ endpoint of the fake answers ret 200 in its page's response schema."""
    body = dict(CALLS[path][1])
    if path == "message/revokeMsg":
        text = {"appId": A, "toWxid": TO, "content": "x"}
        sent = await raw_post(fake, "message/postText", text, "fake-token")
        data = sent["data"]
        body.update(msgId=str(data["msgId"]), newMsgId=str(data["newMsgId"]))
    answer = await raw_post(fake, path, body, "fake-token")

    assert answer["ret"] == 200, answer
    jsonschema.validate(answer, official_schema(path))


@pytest.mark.parametrize("path", CALLS)
async def test_every_endpoint_works_through_the_client(fake, path):
    """Each client method gets an answer from the fake that decodes."""
    async with fake.client() as client:
        if path == "message/revokeMsg":
            sent = await client.message.post_text(A, TO, "x")
            await client.message.revoke(A, sent)
        else:
            await CALLS[path][0](client.message)


async def test_outbox_logs_sends_by_chat_and_type(fake):
    """The device's outbox lists what it sent, queryable by chat and by type."""
    async with fake.client() as client:
        await client.message.post_text(A, "wxid_a", "one")
        await client.message.post_image(A, "wxid_a", "https://x.test/a.png")
        await client.message.post_text(A, TO, "two")
        await client.message.post_text("wx_2", "wxid_a", "other device")
    outbox = fake.devices[A].outbox
    assert [m.content for m in outbox.to("wxid_a")] == ["one", "https://x.test/a.png"]
    assert [m.content for m in outbox.to("wxid_a", type=1)] == ["one"]
    assert [m.to_wxid for m in outbox.of_type(1)] == ["wxid_a", TO]
    assert outbox.texts() == ["one", "two"]
    assert fake.devices["wx_2"].outbox.texts() == ["other device"]


async def test_message_ids_are_unique_and_above_2_53(fake):
    """newMsgId is unique across devices and larger than a float can hold exactly."""
    async with fake.client() as client:
        sent = [await client.message.post_text(a, TO, "x") for a in (A, "wx_2") for _ in range(5)]
    ids = [s.new_msg_id for s in sent]
    assert len(set(ids)) == len(ids)
    assert all(i > 2**53 for i in ids)
    assert sent[0].new_msg_id == fake.devices[A].outbox.messages[0].new_msg_id


async def test_revoke_works_for_own_messages_within_two_minutes(fake):
    """Revoke takes the message out of the outbox; again, or after 2 minutes, it is refused."""
    async with fake.client() as client:
        first = await client.message.post_text(A, TO, "oops")
        late = await client.message.post_text(A, TO, "too late")
        await client.message.revoke(A, first)
        assert fake.devices[A].outbox.texts() == ["too late"]
        with pytest.raises(GeweAPIError, match="已撤回"):
            await client.message.revoke(A, first)

        fake.devices[A].outbox.advance(119)
        still = await client.message.post_text(A, TO, "fresh")
        fake.devices[A].outbox.advance(2)
        with pytest.raises(GeweAPIError, match="2分钟"):
            await client.message.revoke(A, late)
        await client.message.revoke(A, still)
    assert fake.devices[A].outbox.texts() == ["too late"]


async def test_revoke_refuses_another_devices_message(fake):
    """A device cannot revoke what another device sent, nor a message with other ids."""
    async with fake.client() as client:
        theirs = await client.message.post_text("wx_2", TO, "not yours")
        with pytest.raises(GeweAPIError, match="消息不存在"):
            await client.message.revoke(A, theirs)
        mine = await client.message.post_text(A, TO, "mine")
        with pytest.raises(GeweAPIError, match="消息不存在"):
            await client.message.revoke(A, attrs.evolve(mine, to_wxid="wxid_other"))
        with pytest.raises(GeweAPIError, match="消息不存在"):
            await client.message.revoke(A, attrs.evolve(mine, msg_id=mine.msg_id + 1))
    assert fake.devices["wx_2"].outbox.texts() == ["not yours"]


@pytest.mark.parametrize(
    ("path", "xml"),
    [
        ("message/forwardImage", "<msg><videomsg/></msg>"),
        ("message/forwardVideo", "not xml at all"),
        ("message/forwardFile", "<html><appmsg><type>6</type></appmsg></html>"),
        ("message/forwardUrl", "<msg><appmsg><type>6</type></appmsg></msg>"),
        ("message/downloadImage", "<msg><img/"),
    ],
)
async def test_fake_refuses_xml_that_is_not_such_a_message(fake, path, xml):
    """Forwarding or downloading XML that is not that kind of message is a ret 500."""
    body = {"appId": A, "toWxid": TO, "xml": xml, "type": 2}
    answer = await raw_post(fake, path, body, "fake-token")
    assert answer["ret"] == 500
    assert answer["data"]["code"] == "-1"
    assert len(fake.devices[A].outbox) == 0


async def test_download_of_unknown_media_is_refused(fake):
    """Only media the device knows can be downloaded."""
    async with fake.client() as client:
        with pytest.raises(GeweAPIError, match="下载失败"):
            await client.message.download_image("wx_2", IMAGE_XML)


@attrs.frozen
class Event:
    """Stands in for a received message event of the callbacks module (same attribute names)."""

    content: str
    new_msg_id: int = 2**60 + 1
    msg_id: int = 1169533812
    from_wxid: str = "wxid_friend"
    sender_wxid: str = "wxid_friend"
    chat_id: str = "wxid_friend"
    msg_type: int = 3


@pytest.mark.parametrize(
    ("content", "url"),
    [
        (IMAGE_XML, "https://cdn.test/img.png"),
        (f"wxid_member:\n{IMAGE_XML}", "https://cdn.test/img.png"),
        (VIDEO_XML, "https://cdn.test/v.mp4"),
        (VOICE_XML, "https://cdn.test/v.silk"),
        (FILE_XML, "https://cdn.test/info.json"),
        (f'<msg><emoji md5="{MD5}" len="10"/></msg>', "https://cdn.test/emoji.gif"),
    ],
    ids=["image", "group-image", "video", "voice", "file", "emoji"],
)
async def test_download_picks_the_endpoint_from_the_message(fake, content, url):
    """download(event) returns the URL of whatever media the message carries."""
    async with fake.client() as client:
        assert await client.message.download(A, Event(content)) == url
    assert fake.requests[-1].endpoint.startswith("message/download")


async def test_download_refuses_messages_without_media(fake):
    """Text, links and voice without a msg_id have nothing download() can fetch."""
    async with fake.client() as client:
        with pytest.raises(ValueError, match="no media"):
            await client.message.download(A, "<msg><appmsg><type>5</type></appmsg></msg>")
        with pytest.raises(ValueError, match="msg_id"):
            await client.message.download(A, VOICE_XML)
        with pytest.raises(ValueError, match="nothing to download"):
            await client.message.download(A, Event("just a text message", msg_type=1))
        with pytest.raises(ValueError, match="nothing to forward"):
            await client.message.forward(A, TO, Event("hello", msg_type=1))
    assert fake.requests == []


async def test_bot_receives_an_image_and_sends_it_back(fake):
    """A received image is downloaded and forwarded back to its sender from its event."""
    event = Event(IMAGE_XML)
    async with fake.client() as client:
        url = await client.message.download(A, event)
        back = await client.message.forward(A, event.from_wxid, event)
    assert url == "https://cdn.test/img.png"
    assert isinstance(back, SentImage)
    (sent,) = fake.devices[A].outbox.to("wxid_friend", type=3)
    assert sent.endpoint == "message/forwardImage"
    assert sent.content == IMAGE_XML


@pytest.mark.parametrize(
    ("xml", "endpoint"),
    [
        (VIDEO_XML, "message/forwardVideo"),
        (FILE_XML, "message/forwardFile"),
        (CALLS["message/forwardUrl"][1]["xml"], "message/forwardUrl"),
    ],
)
async def test_forward_picks_the_endpoint_from_the_message(fake, xml, endpoint):
    """forward() sends videos, files and links through their own endpoints."""
    async with fake.client() as client:
        await client.message.forward(A, TO, xml)
    assert fake.devices[A].outbox.messages[-1].endpoint == endpoint


async def test_forward_mini_app_needs_a_cover(fake):
    """A mini-program is forwarded only with a cover image."""
    mini = CALLS["message/forwardMiniApp"][1]["xml"]
    async with fake.client() as client:
        with pytest.raises(ValueError, match="cover_img_url"):
            await client.message.forward(A, TO, mini)
        await client.message.forward(A, TO, mini, cover_img_url="https://x.test/c.png")
    assert fake.devices[A].outbox.messages[-1].appmsg_type == 33


async def test_resend_reuses_the_cdn_fields_of_post_image(fake):
    """resend(post_image's answer) forwards the uploaded image; it downloads as the original."""
    async with fake.client() as client:
        first = await client.message.post_image(A, "wxid_a", "https://x.test/a.png")
        again = await client.message.resend(A, "wxid_b", first)
        (sent,) = fake.devices[A].outbox.to("wxid_b")
        url = await client.message.download_image(A, sent.content)
    assert sent.endpoint == "message/forwardImage"
    assert isinstance(again, SentImage)
    assert (again.file_id, again.aes_key, again.md5) == (first.file_id, first.aes_key, first.md5)
    assert url == "https://x.test/a.png"


async def test_resend_reuses_the_cdn_fields_of_post_video(fake):
    """resend(post_video's answer) forwards the uploaded video with its CDN id and size."""
    async with fake.client() as client:
        video, thumb = "https://x.test/v.mp4", "https://x.test/t"
        first = await client.message.post_video(A, "wxid_a", video, thumb, 7)
        again = await client.message.resend(A, "wxid_b", first, play_length=7)
        url = await client.message.download(A, fake.devices[A].outbox.to("wxid_b")[0].content)
    assert isinstance(again, SentVideo)
    assert (again.file_id, again.length) == (first.file_id, first.length)
    assert url == "https://x.test/v.mp4"


async def test_quote_reply_is_an_appmsg_57_quoting_the_event(fake):
    """post_quote sends an appmsg of type 57 whose refermsg names the quoted message."""
    event = Event("<b>bold</b> & more", msg_type=1, chat_id="123@chatroom")
    async with fake.client() as client:
        await client.message.post_quote(
            A, "123@chatroom", "I <3 this ]]> & that", Quoted.of(event, display_name="Ann")
        )
    (sent,) = fake.devices[A].outbox.to("123@chatroom")
    assert sent.appmsg_type == 57
    root = ET.fromstring(sent.content)
    assert root.findtext("title") == "I <3 this ]]> & that"
    assert root.findtext("refermsg/svrid") == str(event.new_msg_id)
    assert root.findtext("refermsg/fromusr") == "123@chatroom"
    assert root.findtext("refermsg/chatusr") == "wxid_friend"
    assert root.findtext("refermsg/displayname") == "Ann"
    assert root.findtext("refermsg/content") == "<b>bold</b> & more"
    assert root.findtext("refermsg/type") == "1"


async def test_bot_sends_then_revokes_its_own_message(fake):
    """A message a bot sent is revoked from the answer post_text returned."""
    async with fake.client() as client:
        sent = await client.message.post_text(A, TO, "wrong chat")
        await client.message.revoke(A, sent)
    outbox = fake.devices[A].outbox
    assert outbox.texts() == []
    assert outbox.revoked == {sent.new_msg_id}


async def test_fleet_send_runs_each_account_over_its_own_chats(fake):
    """post_text_fleet gives one outcome per account holding one outcome per chat."""
    fake.set_offline("wx_2")
    async with fake.client() as client:
        result = await client.message.post_text_fleet(
            {A: ["wxid_a", "wxid_b"], "wx_2": ["wxid_c"]}, "hello"
        )
    mine, theirs = result.outcomes
    assert mine.result is not None
    assert [o.app_id for o in mine.result.succeeded] == ["wxid_a", "wxid_b"]
    assert theirs.result is not None
    assert [type(o.error).__name__ for o in theirs.result.failed] == ["GeweDeviceOfflineError"]
    assert fake.devices[A].outbox.texts() == ["hello", "hello"]
