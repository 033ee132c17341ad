"""``gewe-async login`` and ``gewe-async status``: log an account in from the terminal."""

from __future__ import annotations

import argparse
import io

import segno
from rich.markup import escape

from gewe_async._api.login import LoginAPI
from gewe_async._batch import CALL_FAILURES
from gewe_async._client import AsyncGeweClient
from gewe_async.cli import _ui
from gewe_async.types.login import LoginState, LoginUpdate

_SAYS = {
    LoginState.QR_CODE: "waiting for the QR code to be scanned with WeChat on the phone...",
    LoginState.SCANNED: "scanned by {name}: confirm the login on the phone...",
    LoginState.NEEDS_VERIFICATION: "the phone asks to verify this new device: {message}",
}


def qr_text(data: str) -> str:
    """The QR code for ``data`` as terminal block characters (two modules per character)."""
    out = io.StringIO()
    segno.make(data, error="m").terminal(out=out, compact=True)
    return out.getvalue()


async def login(args: argparse.Namespace, client: AsyncGeweClient) -> int:
    """Show the QR code, follow the login with a live status line, print the account."""
    api: LoginAPI = client.login
    with _ui.err.status("getting a login QR code...") as status:
        async for update in api.login_updates(
            args.app_id,
            region_id=args.region_id,
            type=args.device_type,
            proxy_ip=args.proxy_ip,
            poll_interval=args.poll_interval,
        ):
            if update.state is LoginState.QR_CODE:
                assert update.qr_code is not None
                status.stop()
                _ui.err.print(qr_text(update.qr_code.qr_data), end="", soft_wrap=True)
                _ui.err.print(f"device {escape(update.app_id)}: scan this code with WeChat")
                status.start()
            status.update(_describe(update))
            final = update
    if final.state is LoginState.LOGGED_IN:
        assert final.check is not None
        info = final.check.login_info
        assert info is not None
        _ui.out.print(
            f"logged in: appId {final.app_id}  wxid {info.wxid}  {escape(info.nick_name)}"
        )
        _ui.err.print("keep the appId: pass it to the next login of this account (--app-id)")
        return 0
    if final.state is LoginState.ALREADY_LOGGED_IN:
        profile = await client.personal.get_profile(final.app_id)
        _ui.out.print(
            f"already logged in: appId {final.app_id}  wxid {profile.wxid}  "
            f"{escape(profile.nick_name)}"
        )
        return 0
    _ui.err.print(f"[red]the QR code expired[/]: run again with --app-id {final.app_id}")
    return 1


def _describe(update: LoginUpdate) -> str:
    template = _SAYS.get(update.state, update.state.value)
    name = update.check.nick_name if update.check and update.check.nick_name else "someone"
    return escape(template.format(name=name, message=update.message or ""))


async def status(args: argparse.Namespace, client: AsyncGeweClient) -> int:
    """Print whether each device is online; exit 1 if any is not (or cannot be checked)."""
    problems = 0
    errors: list[BaseException] = []
    for app_id in args.app_ids:
        try:
            online = await client.login.check_online(app_id)
        except CALL_FAILURES as exc:  # reported per device; anything else is a bug
            _ui.out.print(f"{escape(app_id)}: [red]{_ui.error_text(exc)}[/]")
            problems += 1
            errors.append(exc)
            continue
        problems += not online
        _ui.out.print(f"{escape(app_id)}: " + ("[green]online[/]" if online else "[red]offline[/]"))
    _ui.raise_if_refused(errors)
    return 1 if problems else 0
