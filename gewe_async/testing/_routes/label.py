"""The fake's ``/label/*`` endpoints, on the device's `SocialGraph`."""

from __future__ import annotations

from typing import Any

from gewe_async.testing._graph import SocialGraph
from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes._social import bad, social_route, text, wxids
from gewe_async.testing._state import FakeDevice


def _label_ids(graph: SocialGraph, body: dict[str, Any], *, empty_ok: bool) -> list[int]:
    raw = text(body, "labelIds")
    try:
        ids = [int(part) for part in raw.split(",") if part]
    except ValueError:
        raise bad("labelIds") from None
    if not ids and not empty_ok:
        raise bad("labelIds")
    unknown = [i for i in ids if i not in graph.labels]
    if unknown:
        raise FakeRefusal.failed(f"标签 {unknown[0]} 不存在")
    return ids


@social_route("label/add", "labelName")
def _add(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    name = text(body, "labelName")
    # The page: an existing name gives back that label.
    for label_id, label_name in graph.labels.items():
        if label_name == name:
            return {"labelName": name, "labelId": label_id}
    label_id = max(graph.labels, default=0) + 1
    graph.labels[label_id] = name
    return {"labelName": name, "labelId": label_id}


@social_route("label/delete", "labelIds")
def _delete(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    for label_id in _label_ids(graph, body, empty_ok=False):
        del graph.labels[label_id]
        for person in graph.people.values():
            if label_id in person.labels:
                person.labels.remove(label_id)


@social_route("label/list")
def _list(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    return {"labelList": [{"labelName": n, "labelId": i} for i, n in graph.labels.items()]}


@social_route("label/modifyMemberList", "wxIds")
def _modify_member_list(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    if "labelIds" not in body:
        raise bad("labelIds", "不可为空")
    # 全量修改: the labels given replace each contact's labels.
    label_ids = _label_ids(graph, body, empty_ok=True)
    people = [graph.friend(w) for w in wxids(body, "wxIds")]
    for person in people:
        person.labels = list(label_ids)
