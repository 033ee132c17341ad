"""Reading ``set-avatar --from FILE``: CSV or JSON lines of appId and URL, checked row by row."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import attrs

from gewe_async._api.personal import UpdateHeadImgRequest


class InputError(Exception):
    """A file the CLI cannot use, with a message that says where and why."""


@attrs.frozen
class AvatarJob:
    """One row of the input: set ``url`` as the avatar of ``app_id``."""

    app_id: str
    url: str
    line: int


def check_row(app_id: Any, url: Any, where: str) -> tuple[str, str]:
    """Refuse a row whose appId or URL ``update_head_img`` would refuse."""
    try:
        UpdateHeadImgRequest(app_id, url)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: {exc}") from None
    return app_id, url


def read_text(path: Path, *, what: str = "", encoding: str = "utf-8") -> str:
    """The text of ``path``; an InputError (``cannot read {what}PATH: why``) if there is none."""
    try:
        return path.read_text(encoding=encoding)
    except OSError as exc:
        raise InputError(f"cannot read {what}{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None


def read_avatar_jobs(path: Path) -> list[AvatarJob]:
    """Read and check every row; refuse the whole file on the first bad row or duplicate appId."""
    text = read_text(path, encoding="utf-8-sig")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    jobs = _json_lines(path, text) if first.startswith("{") else _csv_rows(path, text)
    if not jobs:
        raise InputError(f"{path} has no rows")
    return no_duplicates(jobs, str(path))


def jobs_for_one_url(app_ids: list[str], url: str) -> list[AvatarJob]:
    """The jobs of ``set-avatar --url URL APP_ID...``."""
    jobs = [AvatarJob(*check_row(a, url, f"APP_ID #{n}"), n) for n, a in enumerate(app_ids, 1)]
    return no_duplicates(jobs, "APP_ID")


def no_duplicates(jobs: list[AvatarJob], source: str) -> list[AvatarJob]:
    """Refuse an appId given twice: each device must appear in the report exactly once."""
    seen: dict[str, int] = {}
    for job in jobs:
        if job.app_id in seen:
            raise InputError(
                f"{source}:{job.line}: appId {job.app_id!r} already given at {seen[job.app_id]}"
            )
        seen[job.app_id] = job.line
    return jobs


def _json_lines(path: Path, text: str) -> list[AvatarJob]:
    jobs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{where}: not JSON ({exc.args[0]})") from None
        if not isinstance(row, dict) or "appId" not in row or "url" not in row:
            raise InputError(f'{where}: expected {{"appId": ..., "url": ...}}')
        jobs.append(AvatarJob(*check_row(row["appId"], row["url"], where), number))
    return jobs


def _csv_rows(path: Path, text: str) -> list[AvatarJob]:
    jobs = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and [c.lower() for c in cells] == ["appid", "url"]:
            continue  # header row
        where = f"{path}:{number}"
        if len(cells) != 2:
            raise InputError(f"{where}: expected 2 columns (appId,url), got {len(cells)}")
        jobs.append(AvatarJob(*check_row(cells[0], cells[1], where), number))
    return jobs
