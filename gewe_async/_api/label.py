"""The label module (``/label/*``): the account's contact labels (标签).

Official documentation (doc.geweapi.com): the 标签模块 section.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from typing import Any, Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api._common import AppIdRequest
from gewe_async._api._social import clean_text, to_int_id, to_wxids, wxid_list
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, declared
from gewe_async.types.label import Label, _LabelList

__all__ = ["LabelAPI"]


# -- requests -----------------------------------------------------------------------------


def _to_label_ids(value: Any) -> str:
    # The page sends label ids comma-joined in one string ("1,2,3").
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"label_ids must be a list of int ids, got {type(value).__name__}")
    return ",".join(str(to_int_id(i, "label_ids")) for i in value)


def _non_empty_label_ids(value: Any) -> str:
    joined = _to_label_ids(value)
    if not joined:
        raise ValueError("label_ids must name at least one label")
    return joined


@attrs.frozen(kw_only=True)
class AddLabelRequest(AppIdRequest):
    """Body of ``label/add``."""

    label_name: str = attrs.field(validator=[v.non_empty_text, clean_text])


@attrs.frozen(kw_only=True)
class DeleteLabelRequest(AppIdRequest):
    """Body of ``label/delete``."""

    label_ids: str = attrs.field(converter=_non_empty_label_ids)


@attrs.frozen(kw_only=True)
class ModifyMemberListRequest(AppIdRequest):
    """Body of ``label/modifyMemberList``: every label the contacts keep (an empty list: none)."""

    label_ids: str = attrs.field(converter=_to_label_ids)
    wx_ids: list[str] = attrs.field(converter=to_wxids)


# -- endpoints ----------------------------------------------------------------------------

# The page: an existing name returns that label instead of a new one, so a repeat is harmless.
ADD: Final = Endpoint("label/add", AddLabelRequest, Label, retry_safe=True)
# Not retried: after the labels are gone a repeat may be refused, turning success into failure.
DELETE: Final[Endpoint[None]] = Endpoint("label/delete", DeleteLabelRequest, None)
LIST: Final = Endpoint("label/list", AppIdRequest, _LabelList, retry_safe=True)
# Sets the complete label set of the contacts (the page's 全量修改): absolute, so repeatable.
MODIFY_MEMBER_LIST: Final[Endpoint[None]] = Endpoint(
    "label/modifyMemberList", ModifyMemberListRequest, None, retry_safe=True
)

ENDPOINTS: Final = declared(globals())


class LabelAPI(APIGroup):
    """``client.label``: the account's contact labels (标签).

    Every method takes the device's ``app_id`` first and accepts ``timeout=`` (and the other
    [`RequestOptions`][gewe_async.RequestOptions]) for that call.
    """

    __slots__ = ()

    async def add(self, app_id: str, label_name: str, **options: Unpack[RequestOptions]) -> Label:
        """Create a label, or return the one of that name if it exists (``label/add``)."""
        return await self._call(ADD, AddLabelRequest(app_id=app_id, label_name=label_name), options)

    async def delete(
        self, app_id: str, label_ids: Sequence[int], **options: Unpack[RequestOptions]
    ) -> None:
        """Delete labels by id (``label/delete``)."""
        await self._call(DELETE, DeleteLabelRequest(app_id=app_id, label_ids=label_ids), options)

    async def list(self, app_id: str, **options: Unpack[RequestOptions]) -> builtins.list[Label]:
        """Every label of the account (``label/list``)."""
        return (await self._call(LIST, AppIdRequest(app_id=app_id), options)).label_list

    async def modify_member_list(
        self,
        app_id: str,
        label_ids: Sequence[int],
        wx_ids: Sequence[str],
        **options: Unpack[RequestOptions],
    ) -> None:
        """Set the complete label set of contacts (``label/modifyMemberList``).

        WeChat keeps labels on the phone, so this *replaces* each contact's labels with
        ``label_ids``: to add one label, pass the labels they have plus the new one. See
        [`add_members()`][gewe_async.resources.LabelAPI.add_members], which does that for you.
        """
        request = ModifyMemberListRequest(app_id=app_id, label_ids=label_ids, wx_ids=wx_ids)
        await self._call(MODIFY_MEMBER_LIST, request, options)

    async def add_members(
        self,
        app_id: str,
        label_id: int,
        wxids: Sequence[str],
        **options: Unpack[RequestOptions],
    ) -> None:
        """Put ``label_id`` on any number of contacts, keeping the labels they already have.

        Reads each contact's labels (``getBriefInfo``, 20 per request), then sends one
        ``modifyMemberList`` per distinct resulting label set.

        Raises:
            GeweError: A read or a change failed (the changes sent before it stay made).
        """
        await self._relabel(app_id, label_id, wxids, options, add=True)

    async def remove_members(
        self,
        app_id: str,
        label_id: int,
        wxids: Sequence[str],
        **options: Unpack[RequestOptions],
    ) -> None:
        """Take ``label_id`` off contacts, keeping their other labels (see ``add_members``)."""
        await self._relabel(app_id, label_id, wxids, options, add=False)

    async def _relabel(
        self,
        app_id: str,
        label_id: int,
        wxids: Sequence[str],
        options: RequestOptions,
        *,
        add: bool,
    ) -> None:
        to_int_id(label_id, "label_id")
        checked = wxid_list(wxids)
        infos = (
            await self._client.contacts.get_brief_info_many(app_id, checked, **options)
        ).unwrap()
        groups: dict[tuple[int, ...], builtins.list[str]] = {}
        for info in infos:
            labels = set(info.label_ids)
            if add:
                labels.add(label_id)
            else:
                labels.discard(label_id)
            groups.setdefault(tuple(sorted(labels)), []).append(info.user_name)
        for labels_kept, members in groups.items():
            request = ModifyMemberListRequest(app_id=app_id, label_ids=labels_kept, wx_ids=members)
            await self._call(MODIFY_MEMBER_LIST, request, options)
