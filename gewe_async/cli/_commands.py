"""The user's jobs on the real API: ``profile`` and ``set-avatar``, and ``fake-server``."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import IO, Any

from rich.markup import escape

from gewe_async._batch import Outcome, iter_batch, run_batch
from gewe_async._client import AsyncGeweClient
from gewe_async._converter import converter
from gewe_async.cli import _ui
from gewe_async.cli._input import AvatarJob, InputError, jobs_for_one_url, read_avatar_jobs


def client_from(args: argparse.Namespace) -> AsyncGeweClient:
    """The client configured by ``--token``/``GEWE_TOKEN`` and ``--base-url``/``GEWE_BASE_URL``."""
    return AsyncGeweClient(token=args.token, base_url=args.base_url, timeout=args.timeout)


async def profile(args: argparse.Namespace, client: AsyncGeweClient) -> int:
    """Fetch profiles concurrently; print a table or JSON lines. Exit 1 if any failed."""
    with _ui.progress_bar("profiles", len(args.app_ids)) as advance:
        result = await run_batch(
            args.app_ids,
            client.personal.get_profile,
            concurrency=args.concurrency,
            on_progress=advance,
        )
    outcomes = list(result.outcomes)  # in the order the appIds were given
    if args.json:
        for o in outcomes:
            _ui.out.print_json(data=_profile_record(o), indent=None)
    else:
        _ui.out.print(_ui.profile_table(outcomes))
    failed = sum(not o.ok for o in outcomes)
    _ui.err.print(f"{len(outcomes) - failed} fetched, {failed} failed")
    return 1 if failed else 0


def _profile_record(o: Outcome[Any]) -> dict[str, Any]:
    if o.ok:
        p = o.result
        return {"appId": o.app_id, "ok": True, "profile": converter.unstructure(p)}
    return {
        "appId": o.app_id,
        "ok": False,
        "error": type(o.error).__name__,
        "message": str(o.error),
    }


def avatar_jobs(args: argparse.Namespace) -> list[AvatarJob]:
    """The jobs from ``--url URL APP_ID...`` or ``--from FILE`` (checked before any call)."""
    if args.from_file is not None:
        if args.url or args.app_ids:
            raise InputError("give either --from FILE or --url URL APP_ID..., not both")
        return read_avatar_jobs(args.from_file)
    if not args.url or not args.app_ids:
        raise InputError("give --url URL and at least one APP_ID, or --from FILE")
    return jobs_for_one_url(args.app_ids, args.url)


async def run_avatar_jobs(
    client: AsyncGeweClient, jobs: list[AvatarJob], *, concurrency: int, report: Path | None
) -> int:
    """Run the avatar jobs with a progress bar, write the report, print the summary."""
    urls = {job.app_id: job.url for job in jobs}
    report_file: IO[str] | None = None
    try:
        if report is not None:
            try:
                report_file = report.open("w", encoding="utf-8")
            except OSError as exc:
                raise InputError(f"cannot write the report {report}: {exc.strerror}") from None

        async def update(app_id: str) -> None:
            await client.personal.update_head_img(app_id, urls[app_id])

        failed: list[Outcome[None]] = []
        with _ui.progress_bar("avatars", len(jobs)) as advance:
            async for outcome in iter_batch(
                urls, update, concurrency=concurrency, on_progress=advance
            ):
                if not outcome.ok:
                    failed.append(outcome)
                if report_file is not None:
                    record: dict[str, Any] = {
                        "appId": outcome.app_id,
                        "url": urls[outcome.app_id],
                        "ok": outcome.ok,
                    }
                    if not outcome.ok:
                        record["error"] = type(outcome.error).__name__
                        record["message"] = str(outcome.error)
                    report_file.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if report_file is not None:
            report_file.close()
    _ui.out.print(f"{len(jobs) - len(failed)} avatars set, {len(failed)} failed")
    for o in failed:
        _ui.out.print(f"  [red]{escape(o.app_id)}[/]: {_ui.error_text(o.error)}")
    return 1 if failed else 0


def fake_server(args: argparse.Namespace) -> int:
    """Serve a FakeGewe over HTTP until interrupted."""
    from gewe_async.testing import FakeGewe, Faults
    from gewe_async.testing._server import make_server

    fake = FakeGewe(
        token=args.token or FakeGewe().token,
        faults=Faults.spread(args.fault_rate, latency=args.latency / 1000, seed=args.seed),
        record_requests=False,
        auto_login=args.auto_login,
    )
    for i in range(1, args.devices + 1):
        fake.add_device(f"wx_{i:05d}")
    server = make_server(fake._asgi_over_tcp, args.host, args.port, log_level="info")
    _ui.err.print(
        f"FakeGewe: {args.devices} devices (wx_00001 ...), token {fake.token!r}\n"
        f"base URL http://{args.host}:{args.port}/v2/api  (Ctrl-C to stop)"
    )
    asyncio.run(server.serve())
    return 0
