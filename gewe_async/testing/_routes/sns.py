"""The fake's ``/sns/*`` endpoints: a device's own Moments (post, list, like, comment, delete)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from gewe_async.testing._feeds import FakeMoment
from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes._registry import FakeServer, route, text
from gewe_async.testing._state import FakeDevice


def _page(device: FakeDevice, moments: list[FakeMoment], body: dict[str, Any]) -> Any:
    max_id = body.get("maxId") or 0
    if type(max_id) is not int:
        raise FakeRefusal.failed("maxId 格式错误")
    after = [m for m in moments if not max_id or m.id < max_id]
    page = after[: device.feeds.page_size]
    first = moments[: device.feeds.page_size]
    md5 = hashlib.md5(
        ",".join(str(m.id) for m in first).encode(), usedforsecurity=False
    ).hexdigest()[:16]
    return {
        "firstPageMd5": body.get("firstPageMd5") or md5,
        "maxId": page[-1].id if page else 0,
        "requestTime": int(time.time()),
        "snsCount": len(page),
        "snsList": [m.wire() for m in page],
    }


@route("sns/snsList")
def _sns_list(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _page(device, device.feeds.moments, body)


@route("sns/contactsSnsList", required=("appId", "wxid"))
def _contacts_sns_list(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _page(device, device.feeds.contact_moments.get(text(body, "wxid"), []), body)


def _moment(device: FakeDevice, body: dict[str, Any]) -> FakeMoment:
    moment = device.feeds.find_moment(body["snsId"])
    if moment is None:
        raise FakeRefusal.failed("朋友圈不存在")
    return moment


def _own(device: FakeDevice, body: dict[str, Any]) -> FakeMoment:
    moment = _moment(device, body)
    if moment.user_name != device.wxid:
        raise FakeRefusal.failed("只能操作自己的朋友圈")
    return moment


@route("sns/snsDetails", required=("appId", "snsId"))
def _sns_details(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _moment(device, body).wire(details=True)


@route("sns/delSns", required=("appId", "snsId"))
def _del_sns(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    device.feeds.moments.remove(_own(device, body))


@route("sns/snsSetPrivacy", required=("appId", "snsId", "open"))
def _sns_set_privacy(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _own(device, body).private = body["open"] is False


@route("sns/snsVisibleScope", required=("appId", "option"))
def _sns_visible_scope(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    if body["option"] not in (1, 2, 3, 4):
        raise FakeRefusal.invalid("option 只支持 1-4")
    device.feeds.visible_scope = body["option"]


@route("sns/strangerVisibilityEnabled", required=("appId", "enabled"))
def _stranger_visibility(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    device.feeds.strangers_see_moments = body["enabled"] is True


def _of_author(device: FakeDevice, body: dict[str, Any]) -> FakeMoment:
    moment = _moment(device, body)
    if moment.user_name != body["wxid"]:
        raise FakeRefusal.failed("wxid 与朋友圈作者不符")
    return moment


def _oper_type(body: dict[str, Any]) -> None:
    if type(body["operType"]) is not int or body["operType"] not in (1, 2):
        raise FakeRefusal.invalid("operType 只支持 1/2")


@route("sns/likeSns", required=("appId", "snsId", "operType", "wxid"))
def _like_sns(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _oper_type(body)
    moment = _of_author(device, body)
    moment.likes = [x for x in moment.likes if x["userName"] != device.wxid]
    if body["operType"] == 1:
        moment.likes.append(
            {
                "createTime": int(time.time()),
                "nickName": device.nick_name,
                "source": 0,
                "type": 1,
                "userName": device.wxid,
            }
        )


@route("sns/commentSns", required=("appId", "snsId", "operType", "wxid"))
def _comment_sns(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _oper_type(body)
    moment = _of_author(device, body)
    comment_id = body.get("commentId") or 0
    if body["operType"] == 2:
        kept = [c for c in moment.comments if c["commentId"] != comment_id]
        if len(kept) == len(moment.comments):
            raise FakeRefusal.failed("评论不存在")
        moment.comments = kept
        return None
    moment.comments.append(
        {
            # Real comment ids grow by 32 or so; the fake's follow the same pattern.
            "commentId": 1 + 32 * len(moment.comments),
            "content": text(body, "content"),
            "createTime": int(time.time()),
            "isNotRichText": 1,
            "nickName": device.nick_name,
            "replyCommentId": comment_id,
            "source": 0,
            "type": 2,
            "userName": device.wxid,
        }
    )
    return None


def _cdn(kind: str, url: str) -> tuple[str, str]:
    digest = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()
    return f"http://shmmsns.qpic.cn/mmsns/{kind}{digest}/0", digest


@route("sns/uploadSnsImage")
def _upload_sns_image(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    urls = body.get("imgUrls")
    if not isinstance(urls, list) or not urls:
        raise FakeRefusal("imgUrls不可为空")
    answer = []
    for url in urls:
        file_url, md5 = _cdn("img", str(url))
        answer.append(
            {
                "fileUrl": file_url,
                "thumbUrl": file_url.removesuffix("/0") + "/150",
                "fileMd5": md5,
                "length": 1096,
                "width": 1920,
                "height": 1080,
            }
        )
    return answer


@route("sns/uploadSnsVideo", required=("appId", "thumbUrl", "videoUrl"))
def _upload_sns_video(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    file_url, md5 = _cdn("video", text(body, "videoUrl"))
    thumb_url, _ = _cdn("thumb", text(body, "thumbUrl"))
    return {"fileMd5": md5, "fileUrl": file_url, "length": 1315979, "thumbUrl": thumb_url}


@route("sns/downloadSnsVideo", required=("appId", "snsXml"))
def _download_sns_video(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    digest = hashlib.md5(text(body, "snsXml").encode(), usedforsecurity=False).hexdigest()
    return {"fileUrl": f"http://oos-sccd.ctyunapi.cn/{device.app_id}/{digest}.mp4"}


def _post(device: FakeDevice, body: dict[str, Any], style: int, media: list[Any]) -> Any:
    for name in ("allowWxIds", "atWxIds", "disableWxIds", "allowTagIds", "disableTagIds"):
        if not isinstance(body.get(name, []), list):
            raise FakeRefusal.invalid(f"{name} 格式错误")
    moment = FakeMoment(
        device.feeds.new_moment_id(),
        device.wxid,
        device.nick_name,
        str(body.get("content") or body.get("description") or ""),
        style,
        media,
        private=body.get("privacy") is True,
    )
    device.feeds.moments.insert(0, moment)
    return {
        "id": moment.id,
        "userName": moment.user_name,
        "nickName": moment.nick_name,
        "createTime": moment.create_time,
    }


@route("sns/sendTextSns", required=("appId", "content"))
def _send_text_sns(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _post(device, body, 2, [])


@route("sns/sendImgSns", required=("appId", "imgInfos"))
def _send_img_sns(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    images = body["imgInfos"]
    if not isinstance(images, list) or not all(isinstance(i, dict) for i in images):
        raise FakeRefusal.invalid("imgInfos 格式错误")
    media = [{"type": 2, "url": i.get("fileUrl"), "thumb": i.get("thumbUrl")} for i in images]
    return _post(device, body, 1, media)


@route("sns/sendVideoSns", required=("appId", "videoInfo"))
def _send_video_sns(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    video = body["videoInfo"]
    if not isinstance(video, dict) or not video.get("fileUrl"):
        raise FakeRefusal.invalid("videoInfo 格式错误")
    media = [{"type": 6, "url": video["fileUrl"], "thumb": video.get("thumbUrl")}]
    return _post(device, body, 15, media)


@route("sns/sendUrlSns", required=("appId", "title", "linkUrl", "thumbUrl", "description"))
def _send_url_sns(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _post(device, body, 3, [{"type": 2, "url": body["linkUrl"], "thumb": body["thumbUrl"]}])


@route("sns/forwardSns", required=("appId", "snsXml", "allowWxIds", "atWxIds", "disableWxIds"))
def _forward_sns(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _post(device, {**body, "content": ""}, 3, [])


@route(
    "sns/sendFinderSns",
    required=("appId", "id", "username", "nonceId", "url", "thumbUrl", "mediaType"),
)
def _send_finder_sns(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _post(device, body, 28, [{"type": 6, "url": body["url"], "thumb": body["thumbUrl"]}])
    return None
