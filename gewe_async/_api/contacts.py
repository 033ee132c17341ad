"""The contacts module (``/contacts/*``): friends, look-ups, remarks and the phone address book.

Official documentation (doc.geweapi.com): the 联系人模块 section.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any, Final, TypeVar, Unpack

import attrs
import httpx

from gewe_async import _validators as v
from gewe_async._api._common import AppIdRequest
from gewe_async._api._social import WxidRequest, WxidsRequest, at_most, clean_text, wxid_list
from gewe_async._chunks import ChunkedResult, run_chunks
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, declared
from gewe_async.exceptions import GeweTimeoutError
from gewe_async.types.contacts import (
    AddContactOption,
    AddContactScene,
    ContactInfo,
    ContactSearchResult,
    ContactsList,
    FriendRequestTickets,
    PhoneBookOperation,
    PhoneContact,
    Relation,
)

__all__ = ["ContactsAPI"]

T = TypeVar("T")

# getBriefInfo's page says "最大20个" beside `maxItems: 100`; we follow the smaller. getDetailInfo
# and checkRelation say 20 in both places.
BRIEF_INFO_MAX: Final = 20
DETAIL_INFO_MAX: Final = 20
CHECK_RELATION_MAX: Final = 20

#: fetchContactsList is documented as slow, growing with the number of friends. 3 minutes per
#: attempt (the client's default is 30 s) and 4 for the whole call; past that, the fallback is
#: fetchContactsListCache (see `fetch_contacts_list_or_cache`).
FETCH_CONTACTS_LIST_TIMEOUT: Final = httpx.Timeout(180.0, connect=5.0)
FETCH_CONTACTS_LIST_TOTAL_TIMEOUT: Final = 240.0


# -- requests -----------------------------------------------------------------------------

_PHONE: Final = re.compile(r"\+?[0-9]{5,20}")


def _to_phones(value: Any) -> list[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"phones must be a list of phone numbers, got {type(value).__name__}")
    for phone in value:
        if not isinstance(phone, str) or not _PHONE.fullmatch(phone):
            raise ValueError(f"phones: {phone!r:.40} is not a phone number (digits, optional +)")
    return list(value)


def _scene(value: object) -> int:
    # Sending: one of the documented AddContactScene values. Accepting: whatever scene the
    # request's callback carried, so any non-negative int passes.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"scene must be a non-negative int (an AddContactScene), got {value!r:.40}")
    return int(value)


def _option(value: object) -> AddContactOption:
    return v.to_int_enum(AddContactOption, value)


def _phone_book_operation(value: object) -> PhoneBookOperation:
    return v.to_int_enum(PhoneBookOperation, value)


def _ticket(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    v.non_empty_text(_, attribute, value)
    if any(c.isspace() for c in value):
        raise ValueError(f"{attribute.name} must be a ticket without spaces, got {value!r:.60}")


@attrs.frozen(kw_only=True)
class AddContactsRequest(AppIdRequest):
    """Body of ``contacts/addContacts``."""

    scene: int = attrs.field(converter=_scene)
    option: AddContactOption = attrs.field(converter=_option)
    v3: str = attrs.field(validator=_ticket)
    v4: str = attrs.field(validator=_ticket)
    content: str = attrs.field(validator=clean_text)  # required: sent even when ""


@attrs.frozen(kw_only=True)
class GetPhoneAddressListRequest(AppIdRequest):
    """Body of ``contacts/getPhoneAddressList`` (no ``phones``: every number)."""

    phones: list[str] | None = attrs.field(
        default=None, converter=attrs.converters.optional(_to_phones)
    )


@attrs.frozen(kw_only=True)
class SearchRequest(AppIdRequest):
    """Body of ``contacts/search``."""

    contacts_info: str = attrs.field(validator=[v.non_empty_text, clean_text])


@attrs.frozen(kw_only=True)
class SetFriendPermissionsRequest(WxidRequest):
    """Body of ``contacts/setFriendPermissions``."""

    only_chat: bool = attrs.field(validator=v.boolean)


@attrs.frozen(kw_only=True)
class SetFriendRemarkRequest(WxidRequest):
    """Body of ``contacts/setFriendRemark``."""

    remark: str = attrs.field(validator=clean_text)


@attrs.frozen(kw_only=True)
class UploadPhoneAddressListRequest(AppIdRequest):
    """Body of ``contacts/uploadPhoneAddressList``."""

    phones: list[str] = attrs.field(converter=_to_phones)
    op_type: PhoneBookOperation = attrs.field(converter=_phone_book_operation)

    def __attrs_post_init__(self) -> None:
        if not self.phones:
            raise ValueError("phones must list at least one number")


# -- endpoints ----------------------------------------------------------------------------

# Sends a friend request (or accepts/declines one): a repeat greets the person twice.
ADD_CONTACTS: Final[Endpoint[None]] = Endpoint("contacts/addContacts", AddContactsRequest, None)
# Reads.
CHECK_RELATION: Final = Endpoint(
    "contacts/checkRelation", WxidsRequest, list[Relation], retry_safe=True
)
FETCH_CONTACTS_LIST: Final = Endpoint(
    "contacts/fetchContactsList", AppIdRequest, ContactsList, retry_safe=True
)
FETCH_CONTACTS_LIST_CACHE: Final[Endpoint[ContactsList | None]] = Endpoint(
    "contacts/fetchContactsListCache",
    AppIdRequest,
    ContactsList | None,  # type: ignore[arg-type]  # no data until the list is ready
    retry_safe=True,
)
GET_BRIEF_INFO: Final = Endpoint(
    "contacts/getBriefInfo", WxidsRequest, list[ContactInfo], retry_safe=True
)
GET_DETAIL_INFO: Final = Endpoint(
    "contacts/getDetailInfo", WxidsRequest, list[ContactInfo], retry_safe=True
)
GET_PHONE_ADDRESS_LIST: Final = Endpoint(
    "contacts/getPhoneAddressList", GetPhoneAddressListRequest, list[PhoneContact], retry_safe=True
)
SEARCH: Final = Endpoint("contacts/search", SearchRequest, ContactSearchResult, retry_safe=True)
# Not retried: once deleted, a repeat is refused as "not a friend", turning success into failure.
DELETE_FRIEND: Final[Endpoint[None]] = Endpoint("contacts/deleteFriend", WxidRequest, None)
# Setters of absolute values: repeating one changes nothing.
SET_FRIEND_PERMISSIONS: Final[Endpoint[None]] = Endpoint(
    "contacts/setFriendPermissions", SetFriendPermissionsRequest, None, retry_safe=True
)
SET_FRIEND_REMARK: Final[Endpoint[None]] = Endpoint(
    "contacts/setFriendRemark", SetFriendRemarkRequest, None, retry_safe=True
)
# Adding numbers already there, or removing numbers already gone, changes nothing.
UPLOAD_PHONE_ADDRESS_LIST: Final[Endpoint[None]] = Endpoint(
    "contacts/uploadPhoneAddressList", UploadPhoneAddressListRequest, None, retry_safe=True
)

ENDPOINTS: Final = declared(globals())


class ContactsAPI(APIGroup):
    """``client.contacts``: friends, look-ups, remarks and the phone address book.

    Every method takes the device's ``app_id`` first, and accepts ``timeout=`` (and the other
    [`RequestOptions`][gewe_async.RequestOptions]) for that call. The look-ups by a list of wxids
    take at most 20 per call; their ``*_many`` twins take any number and split it.
    """

    __slots__ = ()

    async def add_contacts(
        self,
        app_id: str,
        *,
        scene: AddContactScene | int,
        option: AddContactOption | int,
        v3: str,
        v4: str,
        content: str = "",
        **options: Unpack[RequestOptions],
    ) -> None:
        """Send, accept or decline a friend request (``contacts/addContacts``).

        ``v3``/``v4`` come from [`search()`][gewe_async.resources.ContactsAPI.search] (to add
        someone) or from the request's callback (to accept or decline it); ``content`` is the
        greeting. The page advises calling this only after the account has been online for 3 days.
        """
        request = AddContactsRequest(
            app_id=app_id, scene=scene, option=option, v3=v3, v4=v4, content=content
        )
        await self._call(ADD_CONTACTS, request, options)

    async def accept_friend_request(
        self,
        app_id: str,
        request: FriendRequestTickets | None = None,
        *,
        v3: str | None = None,
        v4: str | None = None,
        scene: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Accept a friend request, straight from its callback event or from its tickets.

        ```python
        await client.contacts.accept_friend_request(app_id, event)  # has .v3, .v4, .scene
        await client.contacts.accept_friend_request(app_id, v3=v3, v4=v4, scene=6)
        ```

        Raises:
            TypeError: Neither an object with the tickets nor all three of ``v3``, ``v4`` and
                ``scene`` were given.
        """
        if request is not None:
            v3, v4, scene = request.v3, request.v4, request.scene
        if v3 is None or v4 is None or scene is None:
            raise TypeError("accept_friend_request needs a request event, or v3, v4 and scene")
        await self.add_contacts(
            app_id, scene=scene, option=AddContactOption.ACCEPT, v3=v3, v4=v4, **options
        )

    async def check_relation(
        self, app_id: str, wxids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> list[Relation]:
        """Check whether up to 20 contacts are still friends (``contacts/checkRelation``)."""
        return await self._at_most(CHECK_RELATION, app_id, wxids, CHECK_RELATION_MAX, options)

    async def check_relation_many(
        self, app_id: str, wxids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> ChunkedResult[Relation]:
        """Like [`check_relation()`][gewe_async.resources.ContactsAPI.check_relation], any number.

        Sends 20 per request; answers in input order, with one outcome per chunk.
        """
        return await self._chunked(CHECK_RELATION, app_id, wxids, CHECK_RELATION_MAX, options)

    async def delete_friend(
        self, app_id: str, wxid: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Delete a friend (``contacts/deleteFriend``)."""
        await self._call(DELETE_FRIEND, WxidRequest(app_id=app_id, wxid=wxid), options)

    async def fetch_contacts_list(
        self, app_id: str, **options: Unpack[RequestOptions]
    ) -> ContactsList:
        """List the wxids of friends, saved groups and official accounts.

        (``contacts/fetchContactsList``.) The server takes longer the more friends there are,
        so this call waits up to 3 minutes per attempt and 4 in all unless
        ``timeout=``/``total_timeout=`` say otherwise. Only groups saved to the address book
        are listed. See
        [`fetch_contacts_list_or_cache()`][gewe_async.resources.ContactsAPI.fetch_contacts_list_or_cache]
        for the documented fallback when it times out.
        """
        options = {
            "timeout": FETCH_CONTACTS_LIST_TIMEOUT,
            "total_timeout": FETCH_CONTACTS_LIST_TOTAL_TIMEOUT,
            **options,
        }
        return await self._call(FETCH_CONTACTS_LIST, AppIdRequest(app_id=app_id), options)

    async def fetch_contacts_list_cache(
        self, app_id: str, **options: Unpack[RequestOptions]
    ) -> ContactsList | None:
        """The result of the last ``fetchContactsList``, once ready.

        (``contacts/fetchContactsListCache``.) ``None`` while it is not ready yet. The server
        keeps it for 10 minutes.
        """
        return await self._call(FETCH_CONTACTS_LIST_CACHE, AppIdRequest(app_id=app_id), options)

    async def fetch_contacts_list_or_cache(
        self,
        app_id: str,
        *,
        poll_interval: float = 10.0,
        wait: float = 600.0,
        **options: Unpack[RequestOptions],
    ) -> ContactsList:
        """``fetchContactsList``, falling back to its cache when it times out, as the page says.

        On a [`GeweTimeoutError`][gewe_async.exceptions.GeweTimeoutError], polls
        ``fetchContactsListCache`` every ``poll_interval`` seconds (the page says 10) until it
        answers, for at most ``wait`` seconds (the cache's 10 minutes by default).

        Raises:
            GeweTimeoutError: The list did not come, directly or from the cache, within ``wait``.
        """
        try:
            return await self.fetch_contacts_list(app_id, **options)
        except GeweTimeoutError as exc:
            first = exc
        try:
            async with asyncio.timeout(wait):
                while True:  # polling is what the page prescribes; there is nothing to wait on
                    cached = await self.fetch_contacts_list_cache(app_id)
                    if cached is not None:
                        return cached
                    await asyncio.sleep(poll_interval)
        except TimeoutError:
            raise GeweTimeoutError(
                f"fetchContactsList timed out and its cache was not ready within {wait:g} s",
                endpoint=FETCH_CONTACTS_LIST_CACHE.path,
                app_id=app_id,
            ) from first

    async def get_brief_info(
        self, app_id: str, wxids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> list[ContactInfo]:
        """Profiles of up to 20 contacts or strangers (``contacts/getBriefInfo``)."""
        return await self._at_most(GET_BRIEF_INFO, app_id, wxids, BRIEF_INFO_MAX, options)

    async def get_brief_info_many(
        self, app_id: str, wxids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> ChunkedResult[ContactInfo]:
        """Like [`get_brief_info()`][gewe_async.resources.ContactsAPI.get_brief_info], any number.

        Sends 20 per request; answers in input order, with one outcome per chunk.
        """
        return await self._chunked(GET_BRIEF_INFO, app_id, wxids, BRIEF_INFO_MAX, options)

    async def get_detail_info(
        self, app_id: str, wxids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> list[ContactInfo]:
        """Full profiles of up to 20 friends (``contacts/getDetailInfo``)."""
        return await self._at_most(GET_DETAIL_INFO, app_id, wxids, DETAIL_INFO_MAX, options)

    async def get_detail_info_many(
        self, app_id: str, wxids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> ChunkedResult[ContactInfo]:
        """Like [`get_detail_info()`][gewe_async.resources.ContactsAPI.get_detail_info], any number.

        Sends 20 per request; answers in input order, with one outcome per chunk.
        """
        return await self._chunked(GET_DETAIL_INFO, app_id, wxids, DETAIL_INFO_MAX, options)

    async def get_phone_address_list(
        self,
        app_id: str,
        phones: Sequence[str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> list[PhoneContact]:
        """WeChat users found from the phone book's numbers (``contacts/getPhoneAddressList``).

        Without ``phones``, every number uploaded.
        """
        request = GetPhoneAddressListRequest(
            app_id=app_id, phones=None if phones is None else list(phones)
        )
        return await self._call(GET_PHONE_ADDRESS_LIST, request, options)

    async def search(
        self, app_id: str, contacts_info: str, **options: Unpack[RequestOptions]
    ) -> ContactSearchResult:
        """Find someone by WeChat ID or phone number (``contacts/search``).

        Pass the answer's ``v3``/``v4`` to
        [`add_contacts()`][gewe_async.resources.ContactsAPI.add_contacts] to send them a friend
        request.
        """
        request = SearchRequest(app_id=app_id, contacts_info=contacts_info)
        return await self._call(SEARCH, request, options)

    async def set_friend_permissions(
        self, app_id: str, wxid: str, only_chat: bool, **options: Unpack[RequestOptions]
    ) -> None:
        """Set whether a friend is chat-only (仅聊天) (``contacts/setFriendPermissions``)."""
        request = SetFriendPermissionsRequest(app_id=app_id, wxid=wxid, only_chat=only_chat)
        await self._call(SET_FRIEND_PERMISSIONS, request, options)

    async def set_friend_remark(
        self, app_id: str, wxid: str, remark: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Set the remark (备注) of a friend (``contacts/setFriendRemark``)."""
        request = SetFriendRemarkRequest(app_id=app_id, wxid=wxid, remark=remark)
        await self._call(SET_FRIEND_REMARK, request, options)

    async def upload_phone_address_list(
        self,
        app_id: str,
        phones: Sequence[str],
        op_type: PhoneBookOperation | int = PhoneBookOperation.UPLOAD,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Add numbers to the phone book, or remove them (``contacts/uploadPhoneAddressList``)."""
        request = UploadPhoneAddressListRequest(app_id=app_id, phones=list(phones), op_type=op_type)
        await self._call(UPLOAD_PHONE_ADDRESS_LIST, request, options)

    async def _at_most(
        self,
        endpoint: Endpoint[list[T]],
        app_id: str,
        wxids: Sequence[str],
        maximum: int,
        options: RequestOptions,
    ) -> list[T]:
        # The body of the reads of up to ``maximum`` wxids; the error names the method
        # (checkRelation -> check_relation) and its ``_many`` twin, which takes any number.
        name = _snake(endpoint.name)
        checked = at_most(wxid_list(wxids), maximum, name)
        return await self._call(endpoint, WxidsRequest(app_id=app_id, wxids=checked), options)

    async def _chunked(
        self,
        endpoint: Endpoint[list[T]],
        app_id: str,
        wxids: Sequence[str],
        maximum: int,
        options: RequestOptions,
    ) -> ChunkedResult[T]:
        checked = wxid_list(wxids)
        v.app_id(None, attrs.fields(WxidsRequest).app_id, app_id)

        async def call(chunk: tuple[str, ...]) -> list[T]:
            return await self._call(endpoint, WxidsRequest(app_id=app_id, wxids=chunk), options)

        return await run_chunks(checked, maximum, call, _key)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _key(answer: Any) -> str:
    # ContactInfo is keyed by user_name, Relation by wxid.
    return str(getattr(answer, "user_name", None) or getattr(answer, "wxid", ""))
