"""The user's jobs on the real API: ``profile`` and ``set-avatar``, and ``fake-server``."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from pathlib import Path
from typing import IO, Any

import attrs
from rich.markup import escape

from gewe_async._batch import Outcome, iter_batch, run_batch
from gewe_async._client import AsyncGeweClient
from gewe_async._converter import converter
from gewe_async.cli import _args, _ui
from gewe_async.cli._input import (
    AvatarJob,
    InputError,
    jobs_for_one_url,
    read_avatar_jobs,
    read_text,
)
from gewe_async.cli._interrupt import DEFAULT_GRACE, Interrupt, NotTried, Unsettled


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
    _ui.raise_if_refused(o.error for o in outcomes)
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


@attrs.frozen
class AvatarPlan:
    """What ``set-avatar`` will do: the rows to run, and where their outcomes go."""

    jobs: list[AvatarJob]
    report: Path | None
    append: bool = False
    skipped: int = 0


def avatar_jobs(args: argparse.Namespace) -> AvatarPlan:
    """The rows of ``--url URL APP_ID...`` or ``--from FILE``, less those ``--resume`` says done.

    Everything is checked here, before any call.
    """
    if args.from_file is not None:
        if args.url or args.app_ids:
            raise InputError("give either --from FILE or --url URL APP_ID..., not both")
        jobs = read_avatar_jobs(args.from_file)
    elif not args.url or not args.app_ids:
        raise InputError("give --url URL and at least one APP_ID, or --from FILE")
    else:
        jobs = jobs_for_one_url(args.app_ids, args.url)
    resume: Path | None = args.resume
    if resume is None:
        return AvatarPlan(jobs, args.report)
    if args.report is not None and args.report.resolve() != resume.resolve():
        raise InputError("--resume appends to its report: give no other --report")
    done = done_in_report(resume)
    left = [job for job in jobs if job.app_id not in done]
    return AvatarPlan(left, resume, append=True, skipped=len(jobs) - len(left))


def done_in_report(path: Path) -> set[str]:
    """The appIds a previous ``set-avatar`` report records as done (its last line for each)."""
    text = read_text(path, what="the report ")
    state: dict[str, bool] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            if number == len(text.splitlines()):
                continue  # a last line cut short by a kill: that row is not done
            raise InputError(f"{path}:{number}: not a report line (JSON)") from None
        if not isinstance(record, dict) or not isinstance(record.get("appId"), str):
            raise InputError(f"{path}:{number}: not a report line (no appId)")
        state[record["appId"]] = record.get("ok") is True
    return {app_id for app_id, ok in state.items() if ok}


def _record(outcome: Outcome[None], url: str) -> dict[str, Any]:
    record: dict[str, Any] = {"appId": outcome.app_id, "url": url, "ok": outcome.ok}
    error = outcome.error
    if error is None:
        record["status"] = "ok"
    else:
        record["status"] = (
            "unknown"
            if isinstance(error, Unsettled)
            else "not_tried"
            if isinstance(error, NotTried)
            else "failed"
        )
        record["error"] = type(error).__name__
        record["message"] = str(error)
    return record


async def run_avatar_jobs(
    client: AsyncGeweClient, plan: AvatarPlan, *, concurrency: int, grace: float = DEFAULT_GRACE
) -> int:
    """Run the avatar jobs with a progress bar, write the report, print the summary.

    The report gets one line per row as soon as it settles, flushed, so that a kill loses
    nothing already done. On SIGINT or SIGTERM no new row starts, rows in flight get ``grace``
    seconds, and every row still unsettled is recorded as such; the exit code is then 130 or
    143.
    """
    target = plan.report
    urls = {job.app_id: job.url for job in plan.jobs}
    report_file: IO[str] | None = None
    if target is not None:
        try:
            report_file = target.open("a" if plan.append else "w", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the report {target}: {exc.strerror}") from None
    interrupt = Interrupt(grace)

    async def update(app_id: str) -> None:
        await interrupt.run(client.personal.update_head_img(app_id, urls[app_id]))

    failed: list[Outcome[None]] = []
    try:
        with interrupt.handling_signals(), _ui.progress_bar("avatars", len(urls)) as advance:
            async for outcome in iter_batch(
                urls, update, concurrency=concurrency, on_progress=advance
            ):
                if not outcome.ok:
                    failed.append(outcome)
                if report_file is not None:
                    record = _record(outcome, urls[outcome.app_id])
                    report_file.write(json.dumps(record, ensure_ascii=False) + "\n")
                    report_file.flush()
    finally:
        if report_file is not None:
            report_file.close()
    unknown = [o for o in failed if isinstance(o.error, Unsettled)]
    untried = [o for o in failed if isinstance(o.error, NotTried)]
    errors = [o for o in failed if not isinstance(o.error, Unsettled | NotTried)]
    summary = f"{len(urls) - len(failed)} avatars set, {len(errors)} failed"
    if plan.skipped:
        summary += f", {plan.skipped} already done (skipped)"
    if interrupt.signal is not None:
        summary += (
            f"; interrupted by {signal.Signals(interrupt.signal).name}: {len(unknown)} unknown "
            f"(may have been applied), {len(untried)} not tried"
        )
    _ui.out.print(summary)
    for o in errors:
        _ui.out.print(f"  [red]{escape(o.app_id)}[/]: {_ui.error_text(o.error)}")
    if interrupt.exit_code is not None:
        if target is not None:
            _ui.err.print(f"resume with: --resume {escape(str(target))}")
        return interrupt.exit_code
    _ui.raise_if_refused(o.error for o in errors)
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
    # Bound here, not by uvicorn, so that a port in use is one clear line, not a log and exit 1.
    try:
        listener = _args.listen(args.host, args.port)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    server = make_server(fake._asgi_over_tcp, args.host, args.port, log_level="info")
    port = listener.getsockname()[1]
    _ui.err.print(
        f"FakeGewe: {args.devices} devices (wx_00001 ...), token {fake.token!r}\n"
        f"base URL http://{args.host}:{port}/v2/api  (Ctrl-C to stop)"
    )
    with listener:
        asyncio.run(server.serve(sockets=[listener]))
    return 0
