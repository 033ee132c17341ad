"""The login module (``/login/*``): devices, logging accounts in and out, callbacks.

Official documentation (doc.geweapi.com): the 登录模块 and 系统功能 sections. The login flow
built on these calls (QR code, then polling) is in ``login_flow``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api._common import AppIdRequest, optional
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, declared
from gewe_async.types.login import (
    AccountLogin,
    DeviceType,
    DialogLogin,
    LoggedIn,
    LoginCheck,
    LoginQrCode,
    LoginUpdate,
    Region,
)

__all__ = ["LoginAPI"]


#: The documented polling interval of checkLogin, and the QR code's lifetime, in seconds.
POLL_INTERVAL: Final = 5.0
QR_LIFETIME: Final = 150.0


# -- requests -----------------------------------------------------------------------------


def _region(value: object) -> str:
    return value.value if isinstance(value, Region) else value  # type: ignore[return-value]


def _region_id() -> Any:
    # The three login requests that name a region take a Region or its six-digit code.
    return attrs.field(converter=_region, validator=v.region_id)


@attrs.frozen(kw_only=True)
class GetLoginQrCodeRequest:
    """Body of ``login/getLoginQrCode``; ``appId`` is sent even when empty (a new device)."""

    app_id: str = attrs.field(validator=v.optional_app_id)
    type: DeviceType = attrs.field(converter=DeviceType)
    region_id: str = _region_id()
    proxy_ip: str | None = optional(v.text)
    ttuid: str | None = optional(v.text)
    aid: str | None = optional(v.text)


@attrs.frozen(kw_only=True)
class CheckLoginRequest(AppIdRequest):
    """Body of ``login/checkLogin``."""

    uuid: str = attrs.field(validator=v.non_empty_text)
    auto_sliding: bool | None = optional(v.boolean)
    proxy_ip: str | None = optional(v.text)
    captch_code: str | None = optional(v.text)


@attrs.frozen(kw_only=True)
class DialogLoginRequest(AppIdRequest):
    """Body of ``login/dialogLogin``."""

    region_id: str = _region_id()
    proxy_ip: str | None = optional(v.text)
    aid: str | None = optional(v.text)


@attrs.frozen(kw_only=True)
class LoginByAccountRequest:
    """Body of ``login/loginByAccount``; every field is required by the schema, even if empty."""

    app_id: str = attrs.field(validator=v.optional_app_id)
    proxy_ip: str = attrs.field(validator=v.text)
    region_id: str = _region_id()
    account: str = attrs.field(validator=v.non_empty_text)
    password: str = attrs.field(validator=v.non_empty_text, repr=False)
    step: int = attrs.field(validator=attrs.validators.in_((1, 2)))


@attrs.frozen(kw_only=True)
class SetCallbackRequest:
    """Body of ``login/setCallback``: the token travels in it, so it never shows in a repr."""

    token: str = attrs.field(validator=v.non_empty_text, repr=False)
    callback_url: str = attrs.field(validator=v.http_url)


# Retry safety: fetching a QR code, checking and polling are reads; a dialog pops up on the
# phone each time and logout/reconnection change the session, so those are not repeated.
GET_LOGIN_QR_CODE = Endpoint("login/getLoginQrCode", GetLoginQrCodeRequest, LoginQrCode)
CHECK_LOGIN = Endpoint("login/checkLogin", CheckLoginRequest, LoginCheck, retry_safe=True)
DIALOG_LOGIN = Endpoint("login/dialogLogin", DialogLoginRequest, DialogLogin)
LOGIN_BY_ACCOUNT = Endpoint("login/loginByAccount", LoginByAccountRequest, AccountLogin)
SET_CALLBACK: Endpoint[None] = Endpoint(
    "login/setCallback", SetCallbackRequest, None, retry_safe=True
)
CHECK_ONLINE = Endpoint("login/checkOnline", AppIdRequest, bool, retry_safe=True)
RECONNECTION: Endpoint[None] = Endpoint("login/reconnection", AppIdRequest, None)
LOGOUT: Endpoint[None] = Endpoint("login/logout", AppIdRequest, None)
CHANGE_MAC_TO_IPAD = Endpoint("login/changeMacToIpad", AppIdRequest, LoginQrCode)

ENDPOINTS: Final = declared(globals())


class LoginAPI(APIGroup):
    """``client.login``: create devices, log accounts in and out, set the message callback.

    To log an account in, [`get_login_qr_code()`][gewe_async.resources.LoginAPI.get_login_qr_code],
    show the code, then poll [`check_login()`][gewe_async.resources.LoginAPI.check_login] every 5 s
    until it says logged in (the code lasts about 150 s); or let
    [`login()`][gewe_async.resources.LoginAPI.login] do all of it.
    """

    __slots__ = ()

    async def get_login_qr_code(
        self,
        app_id: str | None = None,
        *,
        region_id: Region | str,
        type: DeviceType | str = DeviceType.IPAD,
        proxy_ip: str | None = None,
        ttuid: str | None = None,
        aid: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> LoginQrCode:
        """Get a login QR code (``login/getLoginQrCode``), creating a device if ``app_id`` is None.

        After the first login, always pass the device's ``app_id``: a new device for the same
        account triggers WeChat's risk controls.

        Raises:
            GeweAlreadyLoggedInError: The account on ``app_id`` is logged in already.
            ValueError: ``region_id`` is not a six-digit region code, or ``type`` is unknown.
        """
        request = GetLoginQrCodeRequest(
            app_id=app_id or "",
            type=type,
            region_id=region_id,
            proxy_ip=proxy_ip,
            ttuid=ttuid,
            aid=aid,
        )
        return await self._call(GET_LOGIN_QR_CODE, request, options)

    async def check_login(
        self,
        app_id: str,
        uuid: str,
        *,
        auto_sliding: bool | None = None,
        proxy_ip: str | None = None,
        captch_code: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> LoginCheck:
        """Check (and drive) a login started with a QR code (``login/checkLogin``).

        Call it every 5 s after
        [`get_login_qr_code()`][gewe_async.resources.LoginAPI.get_login_qr_code]. ``auto_sliding``
        must be ``False`` for iPad logins; for Mac logins ``True`` lets the server pass the slider
        check. ``captch_code`` is the code the phone shows, if it asks for one.
        """
        request = CheckLoginRequest(
            app_id=app_id,
            uuid=uuid,
            auto_sliding=auto_sliding,
            proxy_ip=proxy_ip,
            captch_code=captch_code,
        )
        return await self._call(CHECK_LOGIN, request, options)

    async def dialog_login(
        self,
        app_id: str,
        *,
        region_id: Region | str,
        proxy_ip: str | None = None,
        aid: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> DialogLogin:
        """Ask the phone to confirm a login in a dialog (``login/dialogLogin``); no scan needed.

        Then poll [`check_login()`][gewe_async.resources.LoginAPI.check_login] with the returned
        ``uuid``. It does not work after the phone logged out, on a new device's second day, or
        after a risk-control logout.
        """
        request = DialogLoginRequest(app_id=app_id, region_id=region_id, proxy_ip=proxy_ip, aid=aid)
        return await self._call(DIALOG_LOGIN, request, options)

    async def login_by_account(
        self,
        app_id: str | None = None,
        *,
        account: str,
        password: str,
        step: int,
        region_id: Region | str,
        proxy_ip: str = "",
        **options: Unpack[RequestOptions],
    ) -> AccountLogin:
        """Log in with account and password (``login/loginByAccount``), in two steps.

        Step 1 (no ``app_id``) returns the new ``app_id`` and a QR code to scan with the phone;
        step 2 (with that ``app_id``) completes the login.
        """
        request = LoginByAccountRequest(
            app_id=app_id or "",
            proxy_ip=proxy_ip,
            region_id=region_id,
            account=account,
            password=password,
            step=step,
        )
        return await self._call(LOGIN_BY_ACCOUNT, request, options)

    async def set_callback(
        self, callback_url: str, *, token: str | None = None, **options: Unpack[RequestOptions]
    ) -> None:
        """Set the URL GeWe posts incoming messages to (``login/setCallback``).

        ``token`` defaults to this client's token (the body carries it; it is never logged).
        """
        secret = self._client._core.redactor.secret.value if token is None else token
        request = SetCallbackRequest(token=secret, callback_url=callback_url)
        await self._call(SET_CALLBACK, request, options)

    async def check_online(self, app_id: str, **options: Unpack[RequestOptions]) -> bool:
        """Whether the account on ``app_id`` is online (``login/checkOnline``)."""
        return await self._call(CHECK_ONLINE, AppIdRequest(app_id=app_id), options)

    async def reconnection(self, app_id: str, **options: Unpack[RequestOptions]) -> None:
        """Try to reconnect a device the server sees offline (``login/reconnection``).

        If it fails, log in again with
        [`get_login_qr_code()`][gewe_async.resources.LoginAPI.get_login_qr_code] passing ``app_id``.
        """
        await self._call(RECONNECTION, AppIdRequest(app_id=app_id), options)

    async def logout(self, app_id: str, **options: Unpack[RequestOptions]) -> None:
        """Log the account on ``app_id`` out (``login/logout``)."""
        await self._call(LOGOUT, AppIdRequest(app_id=app_id), options)

    async def change_mac_to_ipad(
        self, app_id: str, **options: Unpack[RequestOptions]
    ) -> LoginQrCode:
        """Move a Mac device to iPad: get a QR code for it (``login/changeMacToIpad``).

        Then log in with [`check_login()`][gewe_async.resources.LoginAPI.check_login] as usual.
        """
        return await self._call(CHANGE_MAC_TO_IPAD, AppIdRequest(app_id=app_id), options)

    # -- the login flow ------------------------------------------------------------------------

    def login_updates(
        self,
        app_id: str | None = None,
        *,
        region_id: Region | str,
        type: DeviceType | str = DeviceType.IPAD,
        proxy_ip: str | None = None,
        auto_sliding: bool | None = None,
        poll_interval: float = POLL_INTERVAL,
        qr_lifetime: float = QR_LIFETIME,
    ) -> AsyncIterator[LoginUpdate]:
        """Log an account in, step by step: an async iterator of `LoginUpdate`.

        Each step is a [`LoginUpdate`][gewe_async.types.login.LoginUpdate].

        Gets a QR code (for a new device when ``app_id`` is None), then polls
        [`check_login()`][gewe_async.resources.LoginAPI.check_login] every ``poll_interval`` seconds
        (the documented 5 s) until the account is logged in or the code expires (about 150 s).
        Leaving the loop cancels:

        ```python
        async for update in client.login.login_updates(region_id=Region.JIANGSU):
            if update.state is LoginState.QR_CODE:
                show(update.qr_code.qr_data)
            elif update.state is LoginState.LOGGED_IN:
                print(update.app_id, update.check.login_info.wxid)
        ```

        ``auto_sliding`` defaults to ``True`` for Mac logins and ``False`` for iPad ones (which
        must send ``False``).
        """
        from gewe_async._api.login_flow import login_updates

        return login_updates(
            self,
            app_id,
            region_id=region_id,
            type=type,
            proxy_ip=proxy_ip,
            auto_sliding=auto_sliding,
            poll_interval=poll_interval,
            qr_lifetime=qr_lifetime,
        )

    async def login(
        self,
        app_id: str | None = None,
        *,
        region_id: Region | str,
        type: DeviceType | str = DeviceType.IPAD,
        proxy_ip: str | None = None,
        auto_sliding: bool | None = None,
        poll_interval: float = POLL_INTERVAL,
        qr_lifetime: float = QR_LIFETIME,
        on_update: Callable[[LoginUpdate], object] | None = None,
    ) -> LoggedIn:
        """Log an account in and return it: `login_updates()` run to its end.

        See [`login_updates()`][gewe_async.resources.LoginAPI.login_updates].

        ``on_update`` sees every step (show the QR code from it):

        ```python
        account = await client.login.login(region_id="320000", on_update=show_qr)
        print(account.app_id, account.wxid)
        ```

        An account that was logged in already is returned with ``already=True``.

        Raises:
            GeweLoginExpiredError: The QR code expired first; start again with the same appId.
        """
        from gewe_async._api.login_flow import login

        updates = self.login_updates(
            app_id,
            region_id=region_id,
            type=type,
            proxy_ip=proxy_ip,
            auto_sliding=auto_sliding,
            poll_interval=poll_interval,
            qr_lifetime=qr_lifetime,
        )
        return await login(self, updates, on_update)
