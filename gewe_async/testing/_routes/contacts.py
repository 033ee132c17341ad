"""The fake's ``/contacts/*`` endpoints, on the device's `SocialGraph`."""

from __future__ import annotations

import hashlib
from typing import Any

from gewe_async.callbacks import CallbackKind
from gewe_async.testing._graph import SocialGraph
from gewe_async.testing._routes._social import bad, flag, number, social_route, text, wxids
from gewe_async.testing._state import FakeDevice

# The smaller of each page's figures, as the client's (getBriefInfo says 20 and maxItems 100).
LOOKUP_MAX = 20


@social_route("contacts/addContacts", "scene", "option", "v3", "v4")
def _add_contacts(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    option = number(body, "option", (2, 3, 4))
    v3, v4, content = text(body, "v3"), text(body, "v4"), text(body, "content")
    if type(body["scene"]) is not int:
        raise bad("scene")
    if option == 2:
        person = next((p for p in graph.people.values() if v3 in (p.v3, p.wxid)), None)
        if person is None or v4 != person.v4:
            raise bad("v3", "无效")
        graph.sent_requests.append((person.wxid, content))
        return None
    request = next((r for r in graph.requests if (r.v3, r.v4) == (v3, v4)), None)
    if request is None:
        raise bad("v4", "好友请求不存在或已过期")
    graph.requests.remove(request)
    if option == 3:
        graph.people[request.wxid].friend = True
        graph.notify(CallbackKind.CONTACT_CHANGED, wxid=request.wxid)
    return None


@social_route("contacts/checkRelation", "wxids")
def _check_relation(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    friends = set(graph.friends())
    return [
        {"wxid": w, "relation": 0 if w in friends else 1}
        for w in wxids(body, "wxids", maximum=LOOKUP_MAX)
    ]


@social_route("contacts/deleteFriend", "wxid")
def _delete_friend(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    person = graph.friend(text(body, "wxid"))
    person.friend = False
    person.labels.clear()
    person.remark = None
    graph.notify(CallbackKind.CONTACT_DELETED, wxid=person.wxid)


def _contacts_list(graph: SocialGraph, device: FakeDevice) -> dict[str, Any]:
    return {
        "friends": graph.friends(),
        "chatrooms": [
            g.chatroom_id for g in graph.groups.values() if g.saved and device.wxid in g.members
        ],
        "ghs": list(graph.official_accounts),
    }


@social_route("contacts/fetchContactsList")
def _fetch_contacts_list(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    graph.contacts_list_cached = True
    return _contacts_list(graph, device)


@social_route("contacts/fetchContactsListCache")
def _fetch_contacts_list_cache(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    # The page's answer carries no data until a fetchContactsList has produced the list.
    return _contacts_list(graph, device) if graph.contacts_list_cached else None


def _infos(graph: SocialGraph, body: dict[str, Any]) -> list[dict[str, Any]]:
    return [graph.person(w).info_json() for w in wxids(body, "wxids", maximum=LOOKUP_MAX)]


@social_route("contacts/getBriefInfo", "wxids")
def _get_brief_info(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _infos(graph, body)


@social_route("contacts/getDetailInfo", "wxids")
def _get_detail_info(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _infos(graph, body)


def _md5(phone: str) -> str:
    return hashlib.md5(phone.encode(), usedforsecurity=False).hexdigest()


@social_route("contacts/getPhoneAddressList")
def _get_phone_address_list(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    wanted = body.get("phones") or graph.phone_book
    if not isinstance(wanted, list):
        raise bad("phones")
    found = []
    for person in graph.people.values():
        if person.phone in wanted and person.phone in graph.phone_book:
            info = person.info_json()
            found.append(
                {
                    "userName": person.wxid,
                    "nickName": person.nick_name,
                    "alias": person.alias,
                    "sex": person.sex,
                    "signature": person.signature or "",
                    "country": person.country or "",
                    "province": person.province or "",
                    "city": person.city or "",
                    "bigHeadImgUrl": info["bigHeadImgUrl"],
                    "smallHeadImgUrl": info["smallHeadImgUrl"],
                    "personalCard": 0,
                    "phoneMd5": _md5(person.phone),
                    "v4": None,
                }
            )
    return found


@social_route("contacts/search", "contactsInfo")
def _search(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    query = text(body, "contactsInfo")
    person = next((p for p in graph.people.values() if query in (p.wxid, p.alias, p.phone)), None)
    if person is None:
        raise bad("contactsInfo", "用户不存在")
    info = person.info_json()
    return {
        "v3": person.v3,
        "nickName": person.nick_name,
        "sex": person.sex,
        "signature": person.signature,
        "bigHeadImgUrl": info["bigHeadImgUrl"],
        "smallHeadImgUrl": info["smallHeadImgUrl"],
        "v4": person.v4,
    }


@social_route("contacts/setFriendPermissions", "wxid", "onlyChat")
def _set_friend_permissions(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    graph.friend(text(body, "wxid")).only_chat = flag(body, "onlyChat")


@social_route("contacts/setFriendRemark", "wxid")
def _set_friend_remark(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    graph.friend(text(body, "wxid")).remark = text(body, "remark")


@social_route("contacts/uploadPhoneAddressList", "phones", "opType")
def _upload_phone_address_list(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    phones = body["phones"]
    if not isinstance(phones, list) or not all(isinstance(p, str) for p in phones):
        raise bad("phones")
    if number(body, "opType", (1, 2)) == 1:
        graph.phone_book.extend(p for p in phones if p not in graph.phone_book)
    else:
        graph.phone_book[:] = [p for p in graph.phone_book if p not in phones]
