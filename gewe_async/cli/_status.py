"""``gewe-async status``: whether devices are online, once or as a live table (``--watch``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import time
from collections import Counter

from rich.live import Live
from rich.markup import escape
from rich.table import Table

from gewe_async._client import AsyncGeweClient
from gewe_async.cli import _login, _ui
from gewe_async.cli._input import InputError
from gewe_async.exceptions import GeweAuthError, GeweError
from gewe_async.fleet import AccountHealth, AccountMonitor, AccountStatus

__all__ = ["status", "table", "watch"]

_STYLE = {
    AccountHealth.ONLINE: "green",
    AccountHealth.OFFLINE: "red",
    AccountHealth.SILENT: "yellow",
    AccountHealth.UNKNOWN: "dim",
}


def _app_ids(args: argparse.Namespace) -> list[str]:
    ids = list(dict.fromkeys(args.app_ids))
    for app_id in ids:
        if not app_id.strip():
            raise InputError("an APP_ID is empty")
    return ids


async def status(args: argparse.Namespace, client: AsyncGeweClient) -> int:
    """Print whether each device is online (exit 1 if any is not), or watch them live."""
    ids = _app_ids(args)
    if not args.watch:
        return await _login.status(args, client)
    return await watch(client, ids, interval=args.interval, concurrency=args.concurrency)


def table(statuses: list[AccountStatus], now: float) -> Table:
    """The fleet as a table: one row per device."""
    counts = Counter(s.health for s in statuses)
    summary = "  ".join(
        f"[{_STYLE[h]}]{counts[h]} {h.value}[/]" for h in AccountHealth if counts[h]
    )
    grid = Table(
        title=f"{len(statuses)} devices: {summary}",
        caption=f"checked {time.strftime('%H:%M:%S')}; Ctrl-C to stop",
    )
    for column in ("appId", "health", "checked", "why"):
        grid.add_column(column, overflow="fold")
    for s in statuses:
        ago = "-" if s.checked_at is None else f"{now - s.checked_at:.0f} s ago"
        why = f"[red]{escape(s.error)}[/]" if s.error else escape(s.reason)
        style = _STYLE[s.health]
        grid.add_row(escape(s.app_id), f"[{style}]{s.health.value}[/]", ago, why)
    return grid


async def watch(
    client: AsyncGeweClient, app_ids: list[str], *, interval: float, concurrency: int = 32
) -> int:
    """Show the live table until SIGINT or SIGTERM; exit 0 then (a watch ends so)."""
    # A refused token is exit 2, as for every command: the monitor would only show it.
    try:
        await client.login.check_online(app_ids[0])
    except GeweAuthError:
        raise
    except GeweError:
        pass  # shown in the table
    monitor = AccountMonitor(
        client, app_ids, interval=interval, concurrency=concurrency, reconnect=False
    )
    await monitor.check_all()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
            installed.append(signum)
    _ui.err.print(f"watching {len(app_ids)} devices every {interval:g} s; Ctrl-C to stop")
    try:
        with Live(
            table(monitor.statuses(), time.monotonic()),
            console=_ui.out,
            refresh_per_second=2,
            auto_refresh=False,
        ) as live:
            async with monitor:
                while not stop.is_set():
                    live.update(table(monitor.statuses(), time.monotonic()), refresh=True)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=1.0)
            live.update(table(monitor.statuses(), time.monotonic()), refresh=True)
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
    return 0
