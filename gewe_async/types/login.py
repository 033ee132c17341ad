"""Models of the login module (``/login/*``): QR codes, login states, devices and regions.

Official documentation (doc.geweapi.com): the 登录模块 and 系统功能 sections.
"""

from __future__ import annotations

from enum import Enum, IntEnum, StrEnum

import attrs

from gewe_async import _validators as v

__all__ = [
    "AccountLogin",
    "DeviceType",
    "DialogLogin",
    "LoggedIn",
    "LoginCheck",
    "LoginInfo",
    "LoginQrCode",
    "LoginState",
    "LoginStatus",
    "LoginUpdate",
    "Region",
]


# -- values -------------------------------------------------------------------------------


class DeviceType(StrEnum):
    """The device a new login appears as (``type`` of ``getLoginQrCode``)."""

    IPAD = "ipad"
    """Recommended by the docs. A new account's first login needs a face check in an app."""
    MAC = "mac"
    """Allows automatic slider verification (``auto_sliding=True`` in ``check_login``)."""


class LoginStatus(IntEnum):
    """``status`` of ``checkLogin``."""

    NOT_SCANNED = 0
    """未扫码: the QR code has not been scanned yet."""
    SCANNED = 1
    """已扫码未登录: scanned, waiting for the phone to confirm."""
    LOGGED_IN = 2
    """登录成功: logged in; ``login_info`` is set."""


class Region(StrEnum):
    """The login regions of the platform's own proxies (``regionId``), as documented.

    Log in from the account owner's province: a login from another province is dropped at once.
    """

    BEIJING = "110000"
    TIANJIN = "120000"
    HEBEI = "130000"
    SHANXI = "140000"
    INNER_MONGOLIA = "150000"
    LIAONING = "210000"
    JILIN = "220000"
    HEILONGJIANG = "230000"
    SHANGHAI = "310000"
    JIANGSU = "320000"
    ZHEJIANG = "330000"
    ANHUI = "340000"
    FUJIAN = "350000"
    JIANGXI = "360000"
    SHANDONG = "370000"
    HENAN = "410000"
    HUBEI = "420000"
    HUNAN = "430000"
    GUANGDONG = "440000"
    GUANGXI = "450000"
    HAINAN = "460000"
    CHONGQING = "500000"
    SICHUAN = "510000"
    GUIZHOU = "520000"
    YUNNAN = "530000"
    TIBET = "540000"
    SHAANXI = "610000"
    GANSU = "620000"
    QINGHAI = "630000"
    NINGXIA = "640000"
    XINJIANG = "650000"


# -- answers ------------------------------------------------------------------------------


@attrs.frozen
class LoginQrCode:
    """A login QR code (``getLoginQrCode``, ``changeMacToIpad``): show it, scan it, confirm."""

    app_id: str
    """The device: new if none was given. Keep it: later logins must reuse it."""
    uuid: str
    """The code's id, for ``check_login``."""
    qr_data: str
    """What the QR code encodes (a ``weixin.qq.com`` URL): render it yourself, or use ``image``."""
    qr_img_base64: str = attrs.field(validator=v.base64_image, repr=lambda s: f"<{len(s)} chars>")
    """The QR code image as the server sent it (a base64 data URL)."""

    @property
    def image(self) -> bytes:
        """The decoded image (JPEG)."""
        return v.decode_image(self.qr_img_base64)


@attrs.frozen
class LoginInfo:
    """The account that logged in (``loginInfo`` of ``checkLogin``)."""

    wxid: str
    """The account's permanent id; keep the appId-to-wxid mapping, as the docs advise."""
    nick_name: str
    uin: int
    mobile: str | None = None
    alias: str | None = None


@attrs.frozen
class LoginCheck:
    """Where a login stands (``checkLogin``)."""

    uuid: str
    status: LoginStatus
    head_img_url: str | None = None
    """The avatar of the account that scanned, once scanned."""
    nick_name: str | None = None
    """The name of the account that scanned, once scanned."""
    expired_time: int | None = None
    """Seconds until the QR code expires."""
    login_info: LoginInfo | None = None
    """Set once logged in."""

    @property
    def logged_in(self) -> bool:
        """Whether the login is complete."""
        return self.status is LoginStatus.LOGGED_IN and self.login_info is not None


@attrs.frozen
class DialogLogin:
    """A login confirmation popped up on the phone (``dialogLogin``); poll ``check_login``."""

    app_id: str
    uuid: str


@attrs.frozen
class AccountLogin:
    """An answer of ``loginByAccount``: step 1 gives ``app_id`` and a QR image, step 2 a status.

    The page documents no schema (``data: {}``), only two examples; every field is optional.
    """

    app_id: str | None = None
    base64_img: str | None = attrs.field(default=None, repr=lambda s: f"<{len(s or '')} chars>")
    uuid: str | None = None
    head_img_url: str | None = None
    nick_name: str | None = None
    expired_time: int | None = None
    status: LoginStatus | None = None
    login_info: LoginInfo | None = None


# -- the login flow's steps ----------------------------------------------------------------


class LoginState(Enum):
    """Where a login stands, as reported by `LoginAPI.login_updates()`."""

    QR_CODE = "qr_code"
    """A QR code is ready: show ``update.qr_code`` to the account's owner."""
    SCANNED = "scanned"
    """Scanned; waiting for the phone to confirm. ``update.check`` has the scanner's name."""
    NEEDS_VERIFICATION = "needs_verification"
    """The phone asks to verify the new device (face or slider app); polling goes on."""
    LOGGED_IN = "logged_in"
    """Done: ``update.check.login_info`` is the account. The last update."""
    ALREADY_LOGGED_IN = "already_logged_in"
    """The account on this appId was logged in already. The last update."""
    EXPIRED = "expired"
    """The QR code expired before the login completed. The last update."""


@attrs.frozen
class LoginUpdate:
    """One step of a login."""

    state: LoginState
    app_id: str
    """The device: new if the flow was started without one."""
    qr_code: LoginQrCode | None = None
    """The code to show (``None`` only when the account was already logged in)."""
    check: LoginCheck | None = None
    """The last ``checkLogin`` answer, once there is one."""
    message: str | None = None
    """The server's words, for ``NEEDS_VERIFICATION``."""


@attrs.frozen
class LoggedIn:
    """The account a login ended with."""

    app_id: str
    """The device; keep it (with ``wxid``) for every later call and login."""
    wxid: str
    nick_name: str
    already: bool = False
    """``True`` when the account was logged in before the flow started."""
