"""The message module's calls, with the exact JSON each must send (all 23 endpoints).

Shared by the wire tests (tests/api/test_message.py) and the fake's (tests/testing/routes/).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gewe_async._api.message import MessageAPI
from tests.helpers import OFFICIAL

A = "wx_1"
TO = "34757816141@chatroom"


def example(path: str, field: str = "xml") -> str:
    """A field of the page's own request example (the XML of a received message)."""
    return str(OFFICIAL[path]["request_example"][field])


IMAGE_XML = example("message/downloadImage")
VIDEO_XML = example("message/downloadVideo")
VOICE_XML = example("message/downloadVoice")
FILE_XML = example("message/forwardFile")
LINK_XML = example("message/forwardUrl")
MINI_XML = example("message/forwardMiniApp")
APPMSG = example("message/postAppMsg", "appmsg")
MD5 = "4cc7540a85b5b6cf4ba14e9f4ae08b7c"
FINDER = {
    k: v
    for k, v in OFFICIAL["message/sendFinderMsg"]["request_example"].items()
    if k not in ("appId", "proxyIp", "toWxid")
}

Call = Callable[[MessageAPI], Any]

#: path -> (the call, the JSON it must send). Bodies are written out in full on purpose.
CALLS: dict[str, tuple[Call, dict[str, Any]]] = {
    "message/postText": (
        lambda m: m.post_text(A, TO, "hi", ats="wxid_a"),
        {"appId": A, "toWxid": TO, "content": "hi", "ats": "wxid_a"},
    ),
    "message/postImage": (
        lambda m: m.post_image(A, TO, "https://x.test/a.png"),
        {"appId": A, "toWxid": TO, "imgUrl": "https://x.test/a.png"},
    ),
    "message/postFile": (
        lambda m: m.post_file(A, TO, "https://x.test/a.xls", "a.xls"),
        {"appId": A, "toWxid": TO, "fileUrl": "https://x.test/a.xls", "fileName": "a.xls"},
    ),
    "message/postVoice": (
        lambda m: m.post_voice(A, TO, "https://x.test/v.silk", 2000),
        {"appId": A, "toWxid": TO, "voiceUrl": "https://x.test/v.silk", "voiceDuration": 2000},
    ),
    "message/postVideo": (
        lambda m: m.post_video(A, TO, "https://x.test/v.mp4", "https://x.test/t.jpg", 10),
        {
            "appId": A,
            "toWxid": TO,
            "videoUrl": "https://x.test/v.mp4",
            "thumbUrl": "https://x.test/t.jpg",
            "videoDuration": 10,
        },
    ),
    "message/postLink": (
        lambda m: m.post_link(A, TO, "T", "D", "https://x.test/p", "https://x.test/t.jpg"),
        {
            "appId": A,
            "toWxid": TO,
            "title": "T",
            "desc": "D",
            "linkUrl": "https://x.test/p",
            "thumbUrl": "https://x.test/t.jpg",
        },
    ),
    "message/postNameCard": (
        lambda m: m.post_name_card(A, TO, "谭艳", "wxid_card"),
        {"appId": A, "toWxid": TO, "nickName": "谭艳", "nameCardWxid": "wxid_card"},
    ),
    "message/postEmoji": (
        lambda m: m.post_emoji(A, TO, MD5, 102357),
        {"appId": A, "toWxid": TO, "emojiMd5": MD5, "emojiSize": 102357},
    ),
    "message/postAppMsg": (
        lambda m: m.post_app_msg(A, TO, APPMSG),
        {"appId": A, "toWxid": TO, "appmsg": APPMSG},
    ),
    "message/postMiniApp": (
        lambda m: m.post_mini_app(
            A,
            TO,
            mini_app_id="wx123",
            display_name="百果园+",
            page_path="pages/index.html",
            cover_img_url="https://x.test/c.jpg",
            title="T",
            user_name="gh_1@app",
        ),
        {
            "appId": A,
            "toWxid": TO,
            "miniAppId": "wx123",
            "displayName": "百果园+",
            "pagePath": "pages/index.html",
            "coverImgUrl": "https://x.test/c.jpg",
            "title": "T",
            "userName": "gh_1@app",
        },
    ),
    "message/forwardImage": (
        lambda m: m.forward_image(A, TO, IMAGE_XML),
        {"appId": A, "toWxid": TO, "xml": IMAGE_XML},
    ),
    "message/forwardVideo": (
        lambda m: m.forward_video(A, TO, VIDEO_XML),
        {"appId": A, "toWxid": TO, "xml": VIDEO_XML},
    ),
    "message/forwardFile": (
        lambda m: m.forward_file(A, TO, FILE_XML),
        {"appId": A, "toWxid": TO, "xml": FILE_XML},
    ),
    "message/forwardUrl": (
        lambda m: m.forward_url(A, TO, LINK_XML),
        {"appId": A, "toWxid": TO, "xml": LINK_XML},
    ),
    "message/forwardMiniApp": (
        lambda m: m.forward_mini_app(A, TO, MINI_XML, "https://x.test/c.jpg"),
        {"appId": A, "toWxid": TO, "xml": MINI_XML, "coverImgUrl": "https://x.test/c.jpg"},
    ),
    "message/sendFinderMsg": (
        lambda m: m.send_finder_msg(
            A,
            TO,
            id=FINDER["id"],
            username=FINDER["username"],
            nickname=FINDER["nickname"],
            head_url=FINDER["headUrl"],
            nonce_id=FINDER["nonceId"],
            media_type=4,
            width=1000,
            height="2000",
            url=FINDER["url"],
            thumb_url=FINDER["thumbUrl"],
            thumb_url_token=FINDER["thumbUrlToken"],
            description=FINDER["description"],
            video_play_len=2,
        ),
        {"appId": A, "toWxid": TO, **FINDER, "mediaType": "4", "width": "1000"},
    ),
    "message/revokeMsg": (
        lambda m: m.revoke_msg(A, TO, 769533801, 5271007655758710001, 1704163145),
        {
            "appId": A,
            "toWxid": TO,
            "msgId": "769533801",
            "newMsgId": "5271007655758710001",
            "createTime": "1704163145",
        },
    ),
    "message/downloadImage": (
        lambda m: m.download_image(A, IMAGE_XML, type=1),
        {"appId": A, "xml": IMAGE_XML, "type": 1},
    ),
    "message/downloadVoice": (
        lambda m: m.download_voice(A, VOICE_XML, 1169533812),
        {"appId": A, "xml": VOICE_XML, "msgId": 1169533812},
    ),
    "message/downloadVideo": (
        lambda m: m.download_video(A, VIDEO_XML),
        {"appId": A, "xml": VIDEO_XML},
    ),
    "message/downloadFile": (
        lambda m: m.download_file(A, FILE_XML),
        {"appId": A, "xml": FILE_XML},
    ),
    "message/downloadEmojiMd5": (
        lambda m: m.download_emoji_md5(A, MD5),
        {"appId": A, "emojiMd5": MD5},
    ),
    "message/downloadCdn": (
        lambda m: m.download_cdn(
            A, aes_key="f46b", file_id="3057", type=5, total_size=63, suffix="json"
        ),
        {
            "appId": A,
            "aesKey": "f46b",
            "fileId": "3057",
            "type": "5",
            "totalSize": "63",
            "suffix": "json",
        },
    ),
}
