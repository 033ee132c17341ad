"""Terminal output with rich: progress bars on stderr, tables and summaries on stdout."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from gewe_async._batch import Outcome, ProgressCallback
from gewe_async.exceptions import GeweAuthError
from gewe_async.types.personal import Profile

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[ProgressCallback]:
    """Show a progress bar on stderr; yield the batch callback that advances it."""
    failed = 0
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[failed]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total, failed="")

        def advance(outcome: Outcome[Any], done: int, _total: int) -> None:
            nonlocal failed
            failed += not outcome.ok
            bar.update(task, completed=done, failed=f"[red]{failed} failed" if failed else "")

        yield advance


def raise_if_refused(errors: Iterable[BaseException | None]) -> None:
    """Raise the first ``GeweAuthError`` among ``errors``: a refused token ends the job with 2.

    Raises:
        GeweAuthError: The token was refused for some call.
    """
    for error in errors:
        if isinstance(error, GeweAuthError):
            raise error


def error_text(error: BaseException | None) -> str:
    """One line naming an error's type and message, escaped for rich markup."""
    return "" if error is None else escape(f"{type(error).__name__}: {error}")


def profile_table(outcomes: list[Outcome[Profile]]) -> Table:
    """A table of fetched profiles, failures included as red rows."""
    table = Table(show_lines=False)
    for column in ("appId", "wxid", "nickname", "alias", "region", "error"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        p = o.result
        if p is None:
            table.add_row(escape(o.app_id), "", "", "", "", f"[red]{error_text(o.error)}")
        else:
            region = " ".join(x for x in (p.country, p.province, p.city) if x)
            cells = (o.app_id, p.wxid, p.nick_name, p.alias or "-", region, "")
            table.add_row(*map(escape, cells))
    return table
