"""Models of the personal module (``/personal/*``): the account's own profile and settings.

Official documentation (doc.geweapi.com): the 个人资料模块 section.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

import attrs

from gewe_async import _validators as v
from gewe_async._converter import WIRE_NAME

__all__ = [
    "LoginRecord",
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
