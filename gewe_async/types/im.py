"""Models of the WeCom module (``/im/*``): WeCom (企业微信) contacts of a WeChat account.

Official documentation (doc.geweapi.com): the 联系人模块 section (企微 pages).
"""

from __future__ import annotations

from enum import IntEnum

import attrs

from gewe_async.types.contacts import ContactSearchResult

__all__ = ["ContactSearchResult", "WeComContact", "WeComContactDetail", "WeComSearchScene"]


class WeComSearchScene(IntEnum):
    """What ``im.search`` searches by (``scene``)."""

    QR_CODE = 1
    """1 企微二维码: the content of a WeCom contact's QR code."""


@attrs.frozen
class WeComContact:
    """A WeCom contact of the account (``im/sync``)."""

    user_name: str
    """Their WeCom username (``...@openim``)."""
    nick_name: str | None = None
    """Their name."""
    remark: str | None = None
    """This account's remark for them."""
    big_head_img: str | None = None
    """URL of the large avatar."""
    small_head_img: str | None = None
    """URL of the small avatar."""
    app_id: str | None = None
    """The page's ``appId`` of the contact."""
    desc_wording_id: str | None = None
    """The id of their company."""


@attrs.frozen
class WeComContactDetail(WeComContact):
    """A WeCom contact with their company (``im/detail``)."""

    wording: str | None = None
    """Their company's name."""
    wording_pinyin: str | None = None
    """The company name's pinyin initials."""
    wording_quanpin: str | None = None
    """The company name in full pinyin."""
