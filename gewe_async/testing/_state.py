"""What the fake server remembers: devices, their profiles and settings, and what it received."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import attrs

from gewe_async.testing._feeds import Feeds
from gewe_async.testing._graph import SocialGraph
from gewe_async.testing._outbox import Outbox
from gewe_async.types.personal import PrivacyOption


def _default_uin(app_id: str) -> int:
    # Stable per appId, so that runs repeat.
    return int.from_bytes(hashlib.sha256(app_id.encode()).digest()[:4], "big")


@attrs.define
class FleetFlags:
    """A device's troubles beside being offline (``FakeDevice.fleet``)."""

    silent: bool = False
    """Online, but the server pushes nothing for it."""
    zombie: bool = False
    """``checkOnline`` says online, but every other call is refused with ``微信已离线``."""
    reconnection_cures: bool = False
    """Whether ``login/reconnection`` brings the account back (zombie or offline)."""


@attrs.define
class FakeDevice:
    """One device of the fake: a logged-in WeChat account and its profile.

    Every profile field has a sensible default; pass any of them to
    [`add_device()`][gewe_async.testing.FakeGewe.add_device] to choose your own.
    """

    app_id: str
    wxid: str = attrs.field(default=attrs.Factory(lambda s: f"wxid_{s.app_id}", takes_self=True))
    nick_name: str = attrs.field(
        default=attrs.Factory(lambda s: f"Bot {s.app_id}", takes_self=True)
    )
    alias: str | None = None
    mobile: str | None = "13800000000"
    uin: int = attrs.field(default=attrs.Factory(lambda s: _default_uin(s.app_id), takes_self=True))
    sex: int = 1
    province: str | None = "Jiangsu"
    city: str | None = "Xuzhou"
    signature: str | None = ""
    country: str | None = "CN"
    big_head_img_url: str | None = attrs.field(
        default=attrs.Factory(
            lambda s: f"https://wx.qlogo.cn/mmhead/ver_1/{s.app_id}/0", takes_self=True
        )
    )
    small_head_img_url: str | None = attrs.field(
        default=attrs.Factory(
            lambda s: f"https://wx.qlogo.cn/mmhead/ver_1/{s.app_id}/132", takes_self=True
        )
    )
    reg_country: str | None = "CN"
    sns_bg_img: str | None = attrs.field(
        default=attrs.Factory(
            lambda s: f"http://shmmsns.qpic.cn/mmsns/{s.app_id}/0", takes_self=True
        )
    )
    online: bool = True
    """Whether the account is logged in; an offline device refuses calls with 微信已离线."""
    privacy: dict[PrivacyOption, bool] = attrs.field(
        factory=lambda: dict.fromkeys(PrivacyOption, True)
    )
    """The privacy switches, as ``privacy_settings`` last set them."""
    login_records: list[dict[str, Any]] = attrs.field(
        factory=lambda: [
            {
                "uuid": "087b139951b776e0416b5015d0b98109",
                "deviceName": "iPad",
                "deviceType": "iPad iOS17.2",
                "lastTime": int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()),
            }
        ]
    )
    """What ``getSafetyInfo`` lists, in wire form."""
    pending_login: PendingLogin | None = None
    """The login started on this device with a QR code or a dialog, until it ends."""
    outbox: Outbox = attrs.field(factory=Outbox)
    """The messages this device sent (``/message/*``)."""
    graph: SocialGraph = attrs.field(factory=SocialGraph)
    """Its contacts, groups, labels and friend requests."""
    feeds: Feeds = attrs.field(factory=Feeds)
    """Its Moments, favorites and Channels follows."""
    fleet: FleetFlags = attrs.field(factory=FleetFlags)
    """Silent or zombie (see `FakeGewe.make_silent` and `FakeGewe.make_zombie`)."""

    def profile_json(self) -> dict[str, Any]:
        """The profile as ``getProfile`` sends it: every documented field, camelCase."""
        return {
            "alias": self.alias,
            "wxid": self.wxid,
            "nickName": self.nick_name,
            "mobile": self.mobile,
            "uin": self.uin,
            "sex": self.sex,
            "province": self.province,
            "city": self.city,
            "signature": self.signature,
            "country": self.country,
            "bigHeadImgUrl": self.big_head_img_url,
            "smallHeadImgUrl": self.small_head_img_url,
            "regCountry": self.reg_country,
            "snsBgImg": self.sns_bg_img,
        }


@attrs.define
class PendingLogin:
    """A login in progress on a device: its QR code's uuid, state and deadline."""

    uuid: str
    expires_at: float
    """``time.monotonic()`` after which the code has expired."""
    status: int = 0
    """0 not scanned, 1 scanned, 2 logged in (``checkLogin``'s ``status``)."""
    needs_verification: bool = False
    """The phone asks to verify the new device; ``checkLogin`` refuses until it is done."""


@attrs.frozen(repr=False)
class RecordedRequest:
    """A request the fake received, for tests to assert on."""

    endpoint: str
    """The endpoint path, such as ``personal/getProfile``."""
    body: Any
    """The decoded JSON body (or ``None`` if it was not JSON)."""
    token_ok: bool
    """Whether it carried the fake's token."""

    @property
    def app_id(self) -> str | None:
        """The ``appId`` of the body, if any."""
        return self.body.get("appId") if isinstance(self.body, dict) else None

    def __repr__(self) -> str:
        # setCallback's body carries the token: keep it out of test output and logs.
        body = self.body
        if isinstance(body, dict):
            body = {k: "***" if k.lower() == "token" else v for k, v in body.items()}
        return (
            f"RecordedRequest(endpoint={self.endpoint!r}, body={body!r}, token_ok={self.token_ok})"
        )
