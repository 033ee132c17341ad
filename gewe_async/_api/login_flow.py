"""The login flow: get a QR code, then poll ``checkLogin`` until logged in, expired or cancelled.

The rules come from the login pages: poll every 5 s, the code lasts about 150 s, iPad logins
pass ``autoSliding=false`` and Mac logins may let the server pass the slider check.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Final

from gewe_async._validators import number
from gewe_async.exceptions import (
    GeweAlreadyLoggedInError,
    GeweAPIError,
    GeweHTTPStatusError,
    GeweLoginExpiredError,
    GeweResponseError,
    GeweTransportError,
)
from gewe_async.types.login import (
    DeviceType,
    LoggedIn,
    LoginCheck,
    LoginState,
    LoginStatus,
    LoginUpdate,
    Region,
)

if TYPE_CHECKING:
    from gewe_async._api.login import LoginAPI

__all__ = ["login", "login_updates"]

# checkLogin refusals that are steps of the flow, not failures (matched in msg and data.msg).
_VERIFY_MARKS: Final = ("验证",)
_EXPIRED_MARKS: Final = ("过期", "失效")

#: Failures of one checkLogin that say nothing about the login: an outage, a proxy's error page.
#: checkLogin only reads the login's state, so the flow polls on until the QR code expires.
_TRANSIENT: Final = (GeweTransportError, GeweHTTPStatusError, GeweResponseError)

logger: Final = logging.getLogger("gewe_async")


async def login_updates(
    api: LoginAPI,
    app_id: str | None,
    *,
    region_id: Region | str,
    type: DeviceType | str,
    proxy_ip: str | None,
    auto_sliding: bool | None,
    poll_interval: float,
    qr_lifetime: float,
) -> AsyncIterator[LoginUpdate]:
    """The body of `LoginAPI.login_updates()` (which holds the defaults)."""
    number("poll_interval", poll_interval, allow_inf=False)
    number("qr_lifetime", qr_lifetime, allow_inf=False)
    device_type = DeviceType(type)
    if auto_sliding is None:
        auto_sliding = device_type is DeviceType.MAC  # iPad logins must send false
    try:
        qr = await api.get_login_qr_code(
            app_id, region_id=region_id, type=device_type, proxy_ip=proxy_ip
        )
    except GeweAlreadyLoggedInError:
        if app_id is None:
            raise
        yield LoginUpdate(LoginState.ALREADY_LOGGED_IN, app_id)
        return
    yield LoginUpdate(LoginState.QR_CODE, qr.app_id, qr)

    loop = asyncio.get_running_loop()
    expires = loop.time() + qr_lifetime
    last: LoginState = LoginState.QR_CODE
    check: LoginCheck | None = None
    while True:
        await asyncio.sleep(min(poll_interval, max(0.0, expires - loop.time())))
        if loop.time() >= expires:
            yield LoginUpdate(LoginState.EXPIRED, qr.app_id, qr, check)
            return
        # A check may not outlive the QR code it checks.
        limit = expires - loop.time()
        total = api._client.total_timeout
        try:
            check = await api.check_login(
                qr.app_id,
                qr.uuid,
                auto_sliding=auto_sliding,
                proxy_ip=proxy_ip,
                total_timeout=limit if total is None else min(limit, total),
            )
        except _TRANSIENT as exc:
            logger.info("login of %s: a check failed, polling on: %s", qr.app_id, exc)
            continue
        except GeweAPIError as exc:
            text = f"{exc.msg} {exc.data.get('msg', '') if isinstance(exc.data, dict) else ''}"
            if any(mark in text for mark in _EXPIRED_MARKS):
                yield LoginUpdate(LoginState.EXPIRED, qr.app_id, qr, check, exc.msg)
                return
            if not any(mark in text for mark in _VERIFY_MARKS):
                raise
            if last is not LoginState.NEEDS_VERIFICATION:
                last = LoginState.NEEDS_VERIFICATION
                yield LoginUpdate(last, qr.app_id, qr, check, text.strip())
            continue
        if check.logged_in:
            yield LoginUpdate(LoginState.LOGGED_IN, qr.app_id, qr, check)
            return
        if check.expired_time is not None and check.expired_time <= 0:
            yield LoginUpdate(LoginState.EXPIRED, qr.app_id, qr, check)
            return
        if check.status is LoginStatus.SCANNED and last is not LoginState.SCANNED:
            last = LoginState.SCANNED
            yield LoginUpdate(last, qr.app_id, qr, check)


async def login(
    api: LoginAPI,
    updates: AsyncIterator[LoginUpdate],
    on_update: Callable[[LoginUpdate], object] | None,
) -> LoggedIn:
    """The body of [`login()`][gewe_async.resources.LoginAPI.login]: the updates to their end."""
    final: LoginUpdate | None = None
    async for update in updates:
        if on_update is not None:
            on_update(update)
        final = update
    assert final is not None  # the updates always end with a final state
    if final.state is LoginState.LOGGED_IN:
        assert final.check is not None
        assert final.check.login_info is not None
        info = final.check.login_info
        return LoggedIn(final.app_id, info.wxid, info.nick_name)
    if final.state is LoginState.ALREADY_LOGGED_IN:
        profile = await api._client.personal.get_profile(final.app_id)
        return LoggedIn(final.app_id, profile.wxid, profile.nick_name, already=True)
    raise GeweLoginExpiredError(
        "the login QR code expired before the login completed; start again with this appId",
        endpoint="login/checkLogin",
        app_id=final.app_id,
    )
