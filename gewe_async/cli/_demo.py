"""``gewe-async demo``: the main job, on an embedded FakeGewe, with no network and no token."""

from __future__ import annotations

import time
from typing import Any

from rich.markup import escape
from rich.table import Table

from gewe_async._batch import Outcome, run_batch
from gewe_async.cli import _ui
from gewe_async.testing import FakeGewe


async def demo(devices: int, concurrency: int) -> int:
    """Fetch every profile, set every avatar, fetch again and verify; print what happened."""
    fake = FakeGewe(record_requests=False)
    app_ids = [f"wx_demo_{i:04d}" for i in range(1, devices + 1)]
    for i, app_id in enumerate(app_ids, 1):
        fake.add_device(app_id, nick_name=f"Demo bot {i}")
    # A few accounts are offline, as in any real fleet: they must come back as typed errors.
    offline = set(app_ids[6::100])
    for app_id in offline:
        fake.set_offline(app_id)
    new_urls = {a: f"https://cdn.example.com/avatars/{a}.png" for a in app_ids}

    _ui.out.print(
        f"[bold]gewe-async demo[/]: {devices} devices on an in-process FakeGewe "
        f"({len(offline)} of them offline), {concurrency} calls at a time\n"
    )
    rows: list[tuple[str, int, int, float]] = []
    started = time.perf_counter()
    async with fake.client() as client:
        before = await _step(
            rows, "1. fetch profiles", app_ids, client.personal.get_profile, concurrency
        )

        async def set_avatar(app_id: str) -> None:
            await client.personal.update_head_img(app_id, new_urls[app_id])

        updated = await _step(rows, "2. set avatars", app_ids, set_avatar, concurrency)
        after = await _step(
            rows, "3. fetch again", app_ids, client.personal.get_profile, concurrency
        )
    elapsed = time.perf_counter() - started

    changed = [
        a
        for a, o in after.items()
        if o.ok and o.result.big_head_img_url == new_urls[a]  # type: ignore[union-attr]
    ]
    expected = [a for a in app_ids if a not in offline]
    untouched = all(fake.devices[a].big_head_img_url != new_urls[a] for a in offline)
    failures = [o for o in (*before.values(), *updated.values(), *after.values()) if not o.ok]

    table = Table(title="what happened")
    for column in ("step", "ok", "failed", "seconds", "calls/s"):
        table.add_column(column, justify="right" if column != "step" else "left")
    for name, ok, failed, seconds in rows:
        table.add_row(
            name, str(ok), str(failed), f"{seconds:.2f}", f"{(ok + failed) / seconds:,.0f}"
        )
    _ui.out.print(table)
    kinds = sorted({type(o.error).__name__ for o in failures})
    _ui.out.print(
        f"failures: {len(failures)} calls, all typed ({', '.join(kinds) or 'none'}), e.g."
    )
    for o in failures[:2]:
        _ui.out.print(f"  {escape(o.app_id)}: {_ui.error_text(o.error)}")
    verified = sorted(changed) == sorted(expected) and untouched
    verdict = "[green]verified[/]" if verified else "[red]NOT verified[/]"
    _ui.out.print(
        f"\n{verdict}: {len(changed)}/{len(expected)} online devices show their new avatar, "
        f"{len(offline)} offline devices were refused and left unchanged. "
        f"{3 * devices} calls in {elapsed:.2f} s."
    )
    return 0 if verified else 1


async def _step(
    rows: list[tuple[str, int, int, float]],
    name: str,
    app_ids: list[str],
    call: Any,
    concurrency: int,
) -> dict[str, Outcome[Any]]:
    started = time.perf_counter()
    with _ui.progress_bar(name, len(app_ids)) as advance:
        result = await run_batch(app_ids, call, concurrency=concurrency, on_progress=advance)
    failed = len(result.failed)
    rows.append((name, len(result) - failed, failed, time.perf_counter() - started))
    return {o.app_id: o for o in result.outcomes}
