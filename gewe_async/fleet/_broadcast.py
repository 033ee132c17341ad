"""One message to many chats across accounts, with a report to resume from.

Like ``gewe-async set-avatar``: each chat's outcome is one JSON line of the report, written
and flushed as it settles, so a run stopped half-way (Ctrl-C, a crash) is resumed with the same
report and sends only what is not done. A send whose answer was lost is ``unknown`` and is not
sent again on resume unless ``resend_unknown=True``: GeWe cannot tell whether it arrived.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import attrs

from gewe_async._batch import CALL_TRACE, CallTrace
from gewe_async.exceptions import GeweAPIError, GeweError, GeweTransportError

if TYPE_CHECKING:
    from gewe_async._client import AsyncGeweClient

__all__ = ["BroadcastReport", "broadcast"]

Status = Literal["ok", "failed", "unknown"]


@attrs.frozen
class BroadcastReport:
    """What a broadcast did, chat by chat; the report file has the same, one line each."""

    sent: list[tuple[str, str]]
    """``(app_id, chat)`` sent by this run."""
    failed: list[tuple[str, str, str]]
    """``(app_id, chat, why)`` that failed without being sent: resuming tries them again."""
    unknown: list[tuple[str, str]]
    """``(app_id, chat)`` whose outcome is unknown (the answer was lost): check by hand."""
    skipped: int = 0
    """Chats a previous run of the report already did (or left unknown), not sent again."""
    path: Path | None = None
    """The report file."""

    @property
    def ok(self) -> bool:
        """Whether every chat was sent (by this run or an earlier one)."""
        return not self.failed and not self.unknown


def _done(path: Path, resend_unknown: bool) -> set[tuple[str, str]]:
    """The (appId, chat) a report says are done: sent, or unknown unless resent."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    last: dict[tuple[str, str], str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            key = (record["appId"], record["chat"])
            status = record["status"]
        except (ValueError, KeyError, TypeError):
            if number == len(lines):
                continue  # cut short by a kill: that chat is not done
            raise ValueError(f"{path}:{number}: not a broadcast report line") from None
        last[key] = status
    keep = {"ok"} if resend_unknown else {"ok", "unknown"}
    return {key for key, status in last.items() if status in keep}


def _never_sent(error: BaseException, trace: CallTrace) -> bool:
    if not trace.sent or isinstance(error, GeweAPIError):
        return True
    return isinstance(error, GeweTransportError) and not error.request_sent


async def broadcast(
    client: AsyncGeweClient,
    chats_by_app_id: Mapping[str, Iterable[str]],
    content: str,
    *,
    report: str | os.PathLike[str] | None = None,
    resume: bool = False,
    resend_unknown: bool = False,
    concurrency: int | None = None,
    on_progress: Callable[[str, str, Status], object] | None = None,
) -> BroadcastReport:
    """Send one text from many accounts, each to its own chats, writing a resumable report.

    ```python
    result = await broadcast(client, {"wx_1": chats1, "wx_2": chats2}, "新品上架",
                             report="launch.jsonl")
    # stopped half-way? the same call with resume=True sends only the rest:
    result = await broadcast(client, plan, "新品上架", report="launch.jsonl", resume=True)
    ```

    Each account sends to its chats one after the other, at its send pace (and within its
    budgets, if the client has any); accounts go at once, up to ``concurrency`` (the
    client's ``max_in_flight`` when `None`).

    Args:
        client: The client to send with.
        chats_by_app_id: The chats (wxids or ``@chatroom`` ids) of each account.
        content: The text.
        report: The JSON-lines report: ``{"appId", "chat", "status", ...}`` per chat.
        resume: Skip what the report already records as sent (or unknown); append to it.
        resend_unknown: On resume, send the ``unknown`` chats again too (you checked).
        concurrency: How many accounts send at once.
        on_progress: Called with ``(app_id, chat, status)`` after each chat.

    Raises:
        ValueError: Empty content, an empty or repeated chat, or ``resume`` without a
            report (all before anything is sent).
    """
    from gewe_async._api.message._sending import PostTextRequest

    plans: dict[str, list[str]] = {}
    for app_id, chats in chats_by_app_id.items():
        listed = list(chats)
        if len(set(listed)) != len(listed):
            raise ValueError(f"a chat of {app_id!r} is given twice")
        for chat in listed:
            PostTextRequest(app_id=app_id, to_wxid=chat, content=content)  # refused before any send
        plans[app_id] = listed
    if resume and report is None:
        raise ValueError("resume=True needs the report to resume from")
    if concurrency is not None and (
        isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
    ):
        raise ValueError(f"concurrency must be an int of at least 1, got {concurrency!r}")
    path = None if report is None else Path(report)
    done = _done(path, resend_unknown) if resume and path is not None else set()
    skipped = 0
    for app_id in plans:
        left = [c for c in plans[app_id] if (app_id, c) not in done]
        skipped += len(plans[app_id]) - len(left)
        plans[app_id] = left

    sent: list[tuple[str, str]] = []
    failed: list[tuple[str, str, str]] = []
    unknown: list[tuple[str, str]] = []
    out: IO[str] | None = None
    if path is not None:
        out = path.open("a" if resume else "w", encoding="utf-8")

    def record(app_id: str, chat: str, status: Status, extra: dict[str, Any]) -> None:
        if status == "ok":
            sent.append((app_id, chat))
        elif status == "unknown":
            unknown.append((app_id, chat))
        else:
            failed.append((app_id, chat, str(extra.get("message", ""))))
        if out is not None:
            line = {"appId": app_id, "chat": chat, "ok": status == "ok", "status": status}
            out.write(json.dumps({**line, **extra}, ensure_ascii=False) + "\n")
            out.flush()  # a kill loses nothing already settled
        if on_progress is not None:
            on_progress(app_id, chat, status)

    slots = asyncio.Semaphore(concurrency or client.limits.max_in_flight)

    async def account(app_id: str) -> None:
        async with slots:
            for chat in plans[app_id]:
                trace = CallTrace()
                CALL_TRACE.set(trace)
                try:
                    result = await client.message.post_text(app_id, chat, content)
                except asyncio.CancelledError:
                    if trace.sent:
                        record(app_id, chat, "unknown", {"error": "CancelledError"})
                    raise
                except (GeweError, ValueError, TypeError) as exc:
                    why = {"error": type(exc).__name__, "message": str(exc)}
                    record(app_id, chat, "failed" if _never_sent(exc, trace) else "unknown", why)
                else:
                    record(app_id, chat, "ok", {"newMsgId": result.new_msg_id})

    try:
        async with asyncio.TaskGroup() as group:
            for app_id in plans:
                group.create_task(account(app_id))
    finally:
        if out is not None:
            out.close()
    return BroadcastReport(sent, failed, unknown, skipped, path)
