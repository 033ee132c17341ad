"""The personal module (``/personal/*``): the logged-in account's own profile and settings.

Official pages: ``geweapi/个人资料模块/``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import IntEnum
from typing import Any, Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._batch import BatchOptions, BatchResult
from gewe_async._config import RequestOptions
from gewe_async._converter import WIRE_NAME
from gewe_async._endpoint import APIGroup, Endpoint

__all__ = [
    "LoginRecord",
    "PersonalAPI",
    "PrivacyOption",
    "Profile",
    "QrCode",
    "SafetyInfo",
    "Sex",
]


# -- values -------------------------------------------------------------------------------


class PrivacyOption(IntEnum):
    """The privacy switches of ``privacy_settings`` (the ``option`` field), as documented."""

    REQUIRE_FRIEND_VERIFICATION = 4
    """加我为朋友时需要验证: friend requests need my approval."""
    RECOMMEND_PHONE_CONTACTS = 7
    """向我推荐通讯录朋友: recommend friends from my phone's address book."""
    FIND_BY_PHONE = 8
    """添加我的方式 手机号: others may add me by phone number."""
    FIND_BY_WECHAT_ID = 25
    """添加我的方式 微信号: others may add me by WeChat ID."""
    FIND_BY_GROUP_CHAT = 38
    """添加我的方式 群聊: others may add me from a group chat."""
    FIND_BY_QR_CODE = 39
    """添加我的方式 我的二维码: others may add me with my QR code."""
    FIND_BY_CONTACT_CARD = 40
    """添加我的方式 名片: others may add me from a shared contact card."""


class Sex(IntEnum):
    """The ``sex`` values ``update_profile`` accepts (1 male, 2 female)."""

    MALE = 1
    FEMALE = 2


# -- answers ------------------------------------------------------------------------------


@attrs.frozen
class Profile:
    """The account's profile, as ``personal/getProfile`` returns it.

    Fields the server may send as ``null`` (``alias`` does for accounts that never chose a
    WeChat ID) are ``None`` then.
    """

    wxid: str
    """The permanent WeChat ID (``wxid_...``)."""
    nick_name: str
    """The display name."""
    uin: int
    """WeChat's internal numeric account id."""
    sex: int
    """0 unknown, 1 male, 2 female."""
    alias: str | None = None
    """The user-chosen WeChat ID (微信号), or ``None`` when the account has none."""
    mobile: str | None = None
    """The bound phone number."""
    signature: str | None = None
    """The status line (个性签名)."""
    country: str | None = None
    """Country code, such as ``CN``."""
    province: str | None = None
    """Province, as WeChat spells it (``Jiangsu``)."""
    city: str | None = None
    """City, as WeChat spells it (``Xuzhou``)."""
    big_head_img_url: str | None = None
    """URL of the large avatar."""
    small_head_img_url: str | None = None
    """URL of the small (132 px) avatar."""
    reg_country: str | None = None
    """The country the account was registered in."""
    sns_bg_img: str | None = None
    """URL of the Moments cover image."""


@attrs.frozen
class QrCode:
    """The account's own QR code (others scan it to add the account)."""

    qr_code: str = attrs.field(validator=v.base64_image, repr=lambda s: f"<{len(s)} chars>")
    """The image as base64, as the server sent it."""

    @property
    def image(self) -> bytes:
        """The decoded image (JPEG in the documented answer)."""
        return v.decode_image(self.qr_code)


@attrs.frozen
class LoginRecord:
    """One device the account logged in from, as listed by ``personal/getSafetyInfo``."""

    uuid: str
    """The device's id."""
    device_name: str
    """Its name (``iPhone 13 Pro``)."""
    device_type: str
    """Its model and system (``iPhone iOS17.2``)."""
    last_time: datetime
    """When it was last used (UTC; the server sends Unix seconds)."""


@attrs.frozen
class SafetyInfo:
    """The answer of ``personal/getSafetyInfo``: the account's login records."""

    records: list[LoginRecord] = attrs.field(metadata={WIRE_NAME: "list"})
    """The devices, most recent first (``data.list`` on the wire)."""


# -- requests -----------------------------------------------------------------------------


@attrs.frozen
class AppIdRequest:
    """A request body with only the device's appId."""

    app_id: str = attrs.field(validator=v.app_id)


def _to_privacy_option(value: object) -> PrivacyOption:
    return v.to_int_enum(PrivacyOption, value)


@attrs.frozen
class PrivacySettingsRequest:
    """Body of ``personal/privacySettings``."""

    app_id: str = attrs.field(validator=v.app_id)
    option: PrivacyOption = attrs.field(converter=_to_privacy_option)
    open: bool = attrs.field(validator=v.boolean)


@attrs.frozen
class UpdateHeadImgRequest:
    """Body of ``personal/updateHeadImg``."""

    app_id: str = attrs.field(validator=v.app_id)
    head_img_url: str = attrs.field(validator=v.http_url)


_optional_text = attrs.field(default=None, validator=attrs.validators.optional(v.text))

# The page's prose (修改个人信息需要单独设置每一项) says to send one item per call: the nickname
# alone, or the region as country/province/city. Its schema marks five fields required, which
# contradicts its own prose and example; we follow the prose.
_PROFILE_GROUPS: Final = (
    ("nick_name",),
    ("country", "province", "city"),
    ("sex",),
    ("signature",),
)


def _optional_sex(value: object) -> Sex | None:
    return None if value is None else v.to_int_enum(Sex, value)


@attrs.frozen
class UpdateProfileRequest:
    """Body of ``personal/updateProfile``: the appId and one group of fields."""

    app_id: str = attrs.field(validator=v.app_id)
    nick_name: str | None = _optional_text
    country: str | None = _optional_text
    province: str | None = _optional_text
    city: str | None = _optional_text
    sex: Sex | None = attrs.field(default=None, converter=_optional_sex)
    signature: str | None = _optional_text

    def __attrs_post_init__(self) -> None:
        given = {
            name
            for name in ("nick_name", "country", "province", "city", "sex", "signature")
            if getattr(self, name) is not None
        }
        if not given:
            raise ValueError(
                "update_profile needs a field to change: nick_name, signature, sex, or the "
                "region (country, province, city)"
            )
        groups = [g for g in _PROFILE_GROUPS if given & set(g)]
        if len(groups) > 1:
            names = " and ".join("/".join(g) for g in groups)
            raise ValueError(
                f"update_profile changes one item per call (GeWe's rule); got {names}: make one "
                "call for each"
            )


# -- endpoints ----------------------------------------------------------------------------

GET_PROFILE: Final = Endpoint("personal/getProfile", AppIdRequest, Profile, retry_safe=True)
GET_QR_CODE: Final = Endpoint("personal/getQrCode", AppIdRequest, QrCode, retry_safe=True)
GET_SAFETY_INFO: Final = Endpoint(
    "personal/getSafetyInfo", AppIdRequest, SafetyInfo, retry_safe=True
)
# The three setters set absolute values, so repeating one is harmless.
PRIVACY_SETTINGS: Final[Endpoint[None]] = Endpoint(
    "personal/privacySettings", PrivacySettingsRequest, None, retry_safe=True
)
UPDATE_PROFILE: Final[Endpoint[None]] = Endpoint(
    "personal/updateProfile", UpdateProfileRequest, None, retry_safe=True
)
UPDATE_HEAD_IMG: Final[Endpoint[None]] = Endpoint(
    "personal/updateHeadImg", UpdateHeadImgRequest, None, retry_safe=True
)

ENDPOINTS: Final = (
    GET_PROFILE,
    GET_QR_CODE,
    GET_SAFETY_INFO,
    PRIVACY_SETTINGS,
    UPDATE_PROFILE,
    UPDATE_HEAD_IMG,
)


class PersonalAPI(APIGroup):
    """``client.personal``: the logged-in account's own profile, QR code, devices and privacy.

    Every method takes the device's ``app_id`` first, and accepts ``timeout=`` to override the
    client's timeout for that call.
    """

    __slots__ = ()

    async def get_profile(self, app_id: str, **options: Unpack[RequestOptions]) -> Profile:
        """Fetch the account's profile (``personal/getProfile``).

        Example::

            profile = await client.personal.get_profile("wx_123")
            print(profile.nick_name, profile.alias or "(no WeChat ID)")
        """
        return await self._call(GET_PROFILE, AppIdRequest(app_id), options)

    async def get_qr_code(self, app_id: str, **options: Unpack[RequestOptions]) -> QrCode:
        """Fetch the account's own QR code (``personal/getQrCode``).

        ``QrCode.image`` has the decoded image bytes::

            Path("me.jpg").write_bytes((await client.personal.get_qr_code("wx_123")).image)
        """
        return await self._call(GET_QR_CODE, AppIdRequest(app_id), options)

    async def get_safety_info(
        self, app_id: str, **options: Unpack[RequestOptions]
    ) -> list[LoginRecord]:
        """List the devices the account logged in from (``personal/getSafetyInfo``)."""
        info = await self._call(GET_SAFETY_INFO, AppIdRequest(app_id), options)
        return info.records

    async def privacy_settings(
        self,
        app_id: str,
        option: PrivacyOption | int,
        open: bool,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Turn one privacy switch on or off (``personal/privacySettings``).

        Args:
            app_id: The device.
            option: A :class:`PrivacyOption`, or its documented number (4, 7, 8, 25, 38, 39, 40).
            open: ``True`` to turn the switch on, ``False`` to turn it off.

        Raises:
            ValueError: ``option`` is not one of the documented switches.
            TypeError: ``open`` is not a bool.
        """
        request = PrivacySettingsRequest(app_id, option, open)
        await self._call(PRIVACY_SETTINGS, request, options)

    async def update_profile(
        self,
        app_id: str,
        *,
        nick_name: str | None = None,
        country: str | None = None,
        province: str | None = None,
        city: str | None = None,
        sex: Sex | int | None = None,
        signature: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Change one item of the profile (``personal/updateProfile``).

        GeWe changes one item per call, so give exactly one of: ``nick_name``; ``signature``;
        ``sex``; or the region (any of ``country``, ``province``, ``city``). Only the fields
        given are sent.

        Raises:
            ValueError: No field, or fields of more than one item, were given.
        """
        request = UpdateProfileRequest(app_id, nick_name, country, province, city, sex, signature)
        await self._call(UPDATE_PROFILE, request, options)

    async def update_head_img(
        self, app_id: str, head_img_url: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Set the account's avatar to the image at ``head_img_url`` (``personal/updateHeadImg``).

        The phone's WeChat shows the new avatar only after it is restarted.

        Raises:
            ValueError: ``head_img_url`` is not an absolute http(s) URL.
        """
        await self._call(UPDATE_HEAD_IMG, UpdateHeadImgRequest(app_id, head_img_url), options)

    # -- fleet helpers: one call per appId, every outcome kept (see run_batch) ---------------

    async def get_profiles(
        self, app_ids: Iterable[str], **batch: Unpack[BatchOptions]
    ) -> BatchResult[Profile]:
        """Fetch the profiles of many devices at once; one outcome per appId.

        ::

            result = await client.personal.get_profiles(app_ids, deadline=60)
            for app_id, profile in result.results.items():
                print(app_id, profile.nick_name)
            for outcome in result.failed:
                print(outcome.app_id, outcome.error)

        Takes the keyword arguments of :func:`~gewe_async.run_batch` (``concurrency``,
        ``on_progress``, ``fail_fast``, ``deadline``) and ``timeout=`` per call.

        Raises:
            ValueError: An appId is malformed or appears twice (before anything is sent).
        """
        return await self._fan_out(GET_PROFILE, map(AppIdRequest, app_ids), batch)

    async def update_head_imgs(
        self, head_img_urls: Mapping[str, str], **batch: Unpack[BatchOptions]
    ) -> BatchResult[None]:
        """Set the avatars of many devices at once, from ``{app_id: head_img_url}``.

        ::

            result = await client.personal.update_head_imgs({"wx_1": url1, "wx_2": url2})
            assert not result.failed

        Takes the same keyword arguments as :meth:`get_profiles`.

        Raises:
            ValueError: An appId or URL is malformed (before anything is sent).
        """
        requests = [_built(UpdateHeadImgRequest, a, u) for a, u in head_img_urls.items()]
        return await self._fan_out(UPDATE_HEAD_IMG, requests, batch)


def _built(cls: type[Any], app_id: str, *fields: Any) -> Any:
    """Build one request of a batch, naming the appId if its input is refused."""
    try:
        return cls(app_id, *fields)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"appId {app_id!r}: {exc}") from None
