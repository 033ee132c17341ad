"""The personal module (``/personal/*``): the logged-in account's own profile and settings.

Official documentation (doc.geweapi.com): the 个人资料模块 section.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api._common import AppIdRequest, built, optional
from gewe_async._batch import BatchOptions, BatchResult
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, declared
from gewe_async.types.personal import LoginRecord, PrivacyOption, Profile, QrCode, SafetyInfo, Sex

__all__ = ["PersonalAPI"]


# -- requests -----------------------------------------------------------------------------


def _to_privacy_option(value: object) -> PrivacyOption:
    return v.to_int_enum(PrivacyOption, value)


@attrs.frozen(kw_only=True)
class PrivacySettingsRequest(AppIdRequest):
    """Body of ``personal/privacySettings``."""

    option: PrivacyOption = attrs.field(converter=_to_privacy_option)
    open: bool = attrs.field(validator=v.boolean)


@attrs.frozen
class UpdateHeadImgRequest:
    """Body of ``personal/updateHeadImg``."""

    app_id: str = attrs.field(validator=v.app_id)
    head_img_url: str = attrs.field(validator=v.http_url)


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


@attrs.frozen(kw_only=True)
class UpdateProfileRequest(AppIdRequest):
    """Body of ``personal/updateProfile``: the appId and one group of fields."""

    nick_name: str | None = optional(v.text)
    country: str | None = optional(v.text)
    province: str | None = optional(v.text)
    city: str | None = optional(v.text)
    sex: Sex | None = attrs.field(default=None, converter=_optional_sex)
    signature: str | None = optional(v.text)

    def __attrs_post_init__(self) -> None:
        given = {
            name for group in _PROFILE_GROUPS for name in group if getattr(self, name) is not None
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

ENDPOINTS: Final = declared(globals())


class PersonalAPI(APIGroup):
    """``client.personal``: the logged-in account's own profile, QR code, devices and privacy.

    Every method takes the device's ``app_id`` first, and accepts ``timeout=`` to override the
    client's timeout for that call.
    """

    __slots__ = ()

    async def get_profile(self, app_id: str, **options: Unpack[RequestOptions]) -> Profile:
        """Fetch the account's profile (``personal/getProfile``).

        For example:

        ```python
        profile = await client.personal.get_profile("wx_123")
        print(profile.nick_name, profile.alias or "(no WeChat ID)")
        ```
        """
        return await self._call(GET_PROFILE, AppIdRequest(app_id=app_id), options)

    async def get_qr_code(self, app_id: str, **options: Unpack[RequestOptions]) -> QrCode:
        """Fetch the account's own QR code (``personal/getQrCode``).

        ``QrCode.image`` has the decoded image bytes:

        ```python
        Path("me.jpg").write_bytes((await client.personal.get_qr_code("wx_123")).image)
        ```
        """
        return await self._call(GET_QR_CODE, AppIdRequest(app_id=app_id), options)

    async def get_safety_info(
        self, app_id: str, **options: Unpack[RequestOptions]
    ) -> list[LoginRecord]:
        """List the devices the account logged in from (``personal/getSafetyInfo``)."""
        info = await self._call(GET_SAFETY_INFO, AppIdRequest(app_id=app_id), options)
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
            option: A [`PrivacyOption`][gewe_async.types.personal.PrivacyOption], or its documented
                number (4, 7, 8, 25, 38, 39, 40).
            open: ``True`` to turn the switch on, ``False`` to turn it off.

        Raises:
            ValueError: ``option`` is not one of the documented switches.
            TypeError: ``open`` is not a bool.
        """
        request = PrivacySettingsRequest(app_id=app_id, option=option, open=open)
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
        request = UpdateProfileRequest(
            app_id=app_id,
            nick_name=nick_name,
            country=country,
            province=province,
            city=city,
            sex=sex,
            signature=signature,
        )
        await self._call(UPDATE_PROFILE, request, options)

    async def update_head_img(
        self, app_id: str, head_img_url: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Set the account's avatar to the image at ``head_img_url`` (``personal/updateHeadImg``).

        The phone's WeChat shows the new avatar only after it is restarted.

        Raises:
            ValueError: ``head_img_url`` is not an absolute http(s) URL.
        """
        request = UpdateHeadImgRequest(app_id=app_id, head_img_url=head_img_url)
        await self._call(UPDATE_HEAD_IMG, request, options)

    # -- fleet helpers: one call per appId, every outcome kept (see run_batch) ---------------

    async def get_profiles(
        self, app_ids: Iterable[str], **batch: Unpack[BatchOptions]
    ) -> BatchResult[Profile]:
        """Fetch the profiles of many devices at once; one outcome per appId.

        ```python
        result = await client.personal.get_profiles(app_ids, deadline=60)
        for app_id, profile in result.results.items():
            print(app_id, profile.nick_name)
        for outcome in result.failed:
            print(outcome.app_id, outcome.error)
        ```

        Takes the keyword arguments of [`run_batch()`][gewe_async.run_batch] (``concurrency``,
        ``on_progress``, ``fail_fast``, ``deadline``) and ``timeout=`` per call.

        Raises:
            ValueError: An appId is malformed or appears twice (before anything is sent).
        """
        return await self._fan_out(
            GET_PROFILE, (AppIdRequest(app_id=app_id) for app_id in app_ids), batch
        )

    async def update_head_imgs(
        self, head_img_urls: Mapping[str, str], **batch: Unpack[BatchOptions]
    ) -> BatchResult[None]:
        """Set the avatars of many devices at once, from ``{app_id: head_img_url}``.

        ```python
        result = await client.personal.update_head_imgs({"wx_1": url1, "wx_2": url2})
        assert not result.failed
        ```

        Takes the same keyword arguments as
        [`get_profiles()`][gewe_async.resources.PersonalAPI.get_profiles].

        Raises:
            ValueError: An appId or URL is malformed (before anything is sent).
        """
        requests = [
            built(UpdateHeadImgRequest, a, head_img_url=u) for a, u in head_img_urls.items()
        ]
        return await self._fan_out(UPDATE_HEAD_IMG, requests, batch)
