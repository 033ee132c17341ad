"""The account's Channels identity (create, profile, QR code) and whom it follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api import _feeds as f
from gewe_async._api._common import AppIdRequest, optional
from gewe_async._api.finder._fields import (
    _cursor,
    _digits,
    _FinderCalls,
    _Me,
    _name,
    _Scan,
    _search_info,
    _to_follow_operation,
    _url,
)
from gewe_async._config import RequestOptions
from gewe_async._endpoint import Endpoint
from gewe_async.types.finder import (
    ChannelsLogin,
    FinderContact,
    FinderProfile,
    FollowOperation,
    FollowPage,
    Role,
    SearchInfo,
)

# -- requests -----------------------------------------------------------------------------


def _follow_search_info(value: object) -> SearchInfo | None:
    # follow's page marks docId required where userPage has none: "" when the caller has none.
    info = _search_info(value)
    if info is not None and info.doc_id is None:
        info = attrs.evolve(info, doc_id="")
    return info


@attrs.frozen(kw_only=True)
class CreateFinderRequest(AppIdRequest):
    nick_name: str = attrs.field(validator=f.non_empty_content)
    head_img: str = _url()
    sex: int | None = optional(f.small_int)
    signature: str | None = optional(f.content)


@attrs.frozen(kw_only=True)
class UpdateProfileRequest(_Me):
    nick_name: str | None = optional(f.non_empty_content)
    head_img: str | None = optional(v.http_url)
    signature: str | None = optional(f.content)
    sex: int | None = optional(f.small_int)
    country: str | None = optional(f.content)
    province: str | None = optional(f.content)
    city: str | None = optional(f.content)

    def __attrs_post_init__(self) -> None:
        changes = (self.nick_name, self.head_img, self.signature, self.sex, self.country)
        if all(x is None for x in (*changes, self.province, self.city)):
            raise ValueError("update_profile needs a field to change")


@attrs.frozen(kw_only=True)
class QrContentRequest(AppIdRequest):
    qr_content: str = _name()


@attrs.frozen(kw_only=True)
class FollowRequest(_Me):
    to_user_name: str = _name()
    op_type: FollowOperation = attrs.field(converter=_to_follow_operation)
    search_info: SearchInfo | None = attrs.field(default=None, converter=_follow_search_info)


@attrs.frozen(kw_only=True)
class MeListRequest(_Me):
    last_buffer: str = _cursor()


@attrs.frozen(kw_only=True)
class SearchFollowRequest(_Me):
    to_user_name: str = _name()
    keyword: str = attrs.field(validator=f.non_empty_content)


@attrs.frozen(kw_only=True)
class ScanFollowRequest(_Scan):
    # The schema and example send objectId as a string here (an int elsewhere): we follow.
    object_id: str = attrs.field(converter=_digits)
    object_nonce_id: str = _cursor()
    proxy_ip: str = _cursor()


@attrs.frozen
class _QrCode:
    qrcode_url: str


# -- endpoints ----------------------------------------------------------------------------

# Reads: repeating one changes nothing.
GET_PROFILE: Final = Endpoint("finder/getProfile", AppIdRequest, FinderProfile, retry_safe=True)
GET_QR_CODE: Final = Endpoint("finder/getQrCode", _Me, _QrCode, retry_safe=True)
FOLLOW_LIST: Final = Endpoint("finder/followList", MeListRequest, FollowPage, retry_safe=True)
# Setters of a state (followed or not, the profile's values): a repeat leaves the same state.
FOLLOW: Final = Endpoint("finder/follow", FollowRequest, FinderContact, retry_safe=True)
SCAN_FOLLOW: Final = Endpoint(
    "finder/scanFollow", ScanFollowRequest, FinderContact, retry_safe=True
)
SEARCH_FOLLOW: Final[Endpoint[None]] = Endpoint(
    "finder/searchFollow", SearchFollowRequest, retry_safe=True
)
UPDATE_PROFILE: Final[Endpoint[None]] = Endpoint(
    "finder/updateProfile", UpdateProfileRequest, retry_safe=True
)
# Creates something: a repeat creates it twice, so these are not retried. A QR code's login
# is used once: a repeat would be refused.
CREATE_FINDER: Final = Endpoint("finder/createFinder", CreateFinderRequest, FinderContact)
SCAN_LOGIN_CHANNELS: Final = Endpoint("finder/scanLoginChannels", QrContentRequest, ChannelsLogin)


class AccountCalls(_FinderCalls):
    """The ``client.finder`` methods about the account's identity and whom it follows."""

    __slots__ = ()

    async def get_profile(self, app_id: str, **options: Unpack[RequestOptions]) -> FinderProfile:
        """The account's Channels identities and limits (``finder/getProfile``)."""
        return await self._call(GET_PROFILE, AppIdRequest(app_id=app_id), options)

    async def create_finder(
        self,
        app_id: str,
        *,
        nick_name: str,
        head_img: str,
        sex: int | None = None,
        signature: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> FinderContact:
        """Create the account's Channels identity (``finder/createFinder``)."""
        return await self._call(
            CREATE_FINDER,
            CreateFinderRequest(
                app_id=app_id, nick_name=nick_name, head_img=head_img, sex=sex, signature=signature
            ),
            options,
        )

    async def update_profile(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        nick_name: str | None = None,
        head_img: str | None = None,
        signature: str | None = None,
        sex: int | None = None,
        country: str | None = None,
        province: str | None = None,
        city: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Change the Channels profile; only the fields given are sent."""
        await self._call(
            UPDATE_PROFILE,
            UpdateProfileRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                nick_name=nick_name,
                head_img=head_img,
                signature=signature,
                sex=sex,
                country=country,
                province=province,
                city=city,
            ),
            options,
        )

    async def get_qr_code(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        **options: Unpack[RequestOptions],
    ) -> str:
        """The text of the account's Channels QR code (a ``weixin.qq.com`` URL)."""
        request = _Me(app_id=app_id, my_user_name=my_user_name, my_role_type=my_role_type)
        answer: _QrCode = await self._call(GET_QR_CODE, request, options)
        return answer.qrcode_url

    async def scan_login_channels(
        self, app_id: str, *, qr_content: str, **options: Unpack[RequestOptions]
    ) -> ChannelsLogin:
        """Log in to 视频号助手 with the content of its QR code (``finder/scanLoginChannels``)."""
        return await self._call(
            SCAN_LOGIN_CHANNELS, QrContentRequest(app_id=app_id, qr_content=qr_content), options
        )

    async def follow(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        to_user_name: str,
        op_type: FollowOperation | int = FollowOperation.FOLLOW,
        search_info: SearchInfo | None = None,
        **options: Unpack[RequestOptions],
    ) -> FinderContact:
        """Follow (or, with ``op_type`` 2, unfollow) a Channels account (``finder/follow``).

        ``search_info``: when the account was found by ``search``, its ``cookies``,
        ``search_id`` and the result's ``doc_id``.
        """
        return await self._call(
            FOLLOW,
            FollowRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                to_user_name=to_user_name,
                op_type=op_type,
                search_info=search_info,
            ),
            options,
        )

    async def follow_list(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        last_buffer: str = "",
        **options: Unpack[RequestOptions],
    ) -> FollowPage:
        """One page of the accounts followed (``finder/followList``); see ``iter_follow_list``."""
        return await self._call(
            FOLLOW_LIST,
            MeListRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                last_buffer=last_buffer,
            ),
            options,
        )

    def iter_follow_list(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        limit: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[FinderContact]:
        """Iterate over the accounts followed, page after page, up to ``limit``.

        ```python
        async for account in client.finder.iter_follow_list(
            "wx_123", my_user_name=me, my_role_type=FinderRole.FINDER
        ):
            print(account.nickname)
        ```
        """
        first = MeListRequest(
            app_id=app_id, my_user_name=my_user_name, my_role_type=my_role_type, last_buffer=""
        )
        return self._buffered(FOLLOW_LIST, first, lambda page: page.contact_list, limit, options)

    async def search_follow(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        to_user_name: str,
        keyword: str,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Search for ``keyword`` and follow ``to_user_name`` from the results."""
        await self._call(
            SEARCH_FOLLOW,
            SearchFollowRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                to_user_name=to_user_name,
                keyword=keyword,
            ),
            options,
        )

    async def scan_follow(
        self,
        app_id: str,
        *,
        my_user_name: str,
        my_role_type: Role,
        qr_content: str,
        object_id: int | str = "",
        object_nonce_id: str = "",
        proxy_ip: str = "",
        **options: Unpack[RequestOptions],
    ) -> FinderContact:
        """Follow the account of a QR code or a username (``finder/scanFollow``).

        For a username, also give one of its videos' ``object_id`` and ``object_nonce_id``.
        """
        return await self._call(
            SCAN_FOLLOW,
            ScanFollowRequest(
                app_id=app_id,
                my_user_name=my_user_name,
                my_role_type=my_role_type,
                qr_content=qr_content,
                object_id=object_id,
                object_nonce_id=object_nonce_id,
                proxy_ip=proxy_ip,
            ),
            options,
        )
