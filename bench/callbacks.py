"""parse_callback against opengewe's parser and the floor, bytes in, side by side in one process.

The bodies: every documented callback example of tests/data/callbacks/ (the 31 documented
kinds, the Mac member-join, the non-envelope example and the test push) and the 26 real pushes
collected from public projects (tests/data/wild-callbacks.json, copied from the shared notes
with their sources). Three parsers take turns over REPEATS rounds, each round parsing every
body ROUNDS times; each keeps its fastest round (a shared machine's noise only slows rounds):

- ``gewe-async``: ``parse_callback(body)``, everything we extract (mentions, media XML, ...);
- ``opengewe``: opengewe's ``MessageFactory.create_message(json.loads(body))``, awaited, as its
  callback server does; installed by ``nox -s bench`` in the bench session's own environment.
  Its loguru logger is switched off (``logger.remove()``): as shipped it writes a line per
  message, which would measure the terminal, not the parser;
- ``floor``: ``json.loads`` of the same bodies plus one XML tree of each Content that holds
  XML, and nothing else (no event, no field read).

``parse_callback`` reads bodies with orjson when it is installed (the ``speedups`` extra) and
with the standard library otherwise; the last line says which. Its XML fields are read on
first access, and this bench reads none: it measures what a bot that routes on the kind pays.

Targets (issue 23): gewe-async at least 1.5x opengewe, and at least 80 % of the floor. It always
exits 0: a benchmark reports, it does not fail CI. Run: python bench/callbacks.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gewe_async.callbacks import parse_callback
from gewe_async.callbacks._xml import parse_xml
from gewe_async.exceptions import GeweCallbackError

DATA = Path(__file__).parent.parent / "tests" / "data"
ROUNDS = int(os.environ.get("BENCH_CALLBACK_ROUNDS", "200"))
REPEATS = int(os.environ.get("BENCH_CALLBACK_REPEATS", "5"))
PEER_RATIO = 1.5
FLOOR_SHARE = 0.80


def bodies() -> tuple[list[bytes], list[bytes]]:
    """(documented examples, wild pushes) as the bytes a receiver gets."""
    documented = [path.read_bytes() for path in sorted((DATA / "callbacks").glob("*.json"))]
    wild = json.loads((DATA / "wild-callbacks.json").read_text(encoding="utf-8"))
    pushes = [json.dumps(entry["body"], ensure_ascii=False).encode() for entry in wild]
    return documented, pushes


def ours(body: bytes) -> object:
    try:
        return parse_callback(body)
    except GeweCallbackError:  # a non-envelope example: refused, as a receiver would
        return None


def floor(body: bytes) -> None:
    data = json.loads(body).get("Data")
    if isinstance(data, dict) and data.get("MsgType") not in (1, 10000):
        content = data.get("Content")
        if isinstance(content, dict):
            parse_xml(content.get("string", ""))


def opengewe_parser() -> Callable[[bytes], object] | None:
    """opengewe's parser as a plain callable, or None when opengewe is not installed."""
    # opengewe adds log files under ./logs at import: import it from a scratch directory, so
    # that a run leaves nothing in the checkout.
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            from loguru import logger
            from opengewe.callback.factory import MessageFactory
        except ImportError:
            return None
        finally:
            os.chdir(here)
        logger.remove()  # silence it (see the module docstring); closes those files too
    loop = asyncio.new_event_loop()
    create = MessageFactory.create_message

    def parse(body: bytes) -> object:
        coroutine = create(json.loads(body))
        # create_message never awaits anything: drive it without a loop round trip.
        try:
            coroutine.send(None)
        except StopIteration as done:
            return done.value
        return loop.run_until_complete(_finish(coroutine))

    return parse


async def _finish(coroutine: Any) -> object:
    return await coroutine


def race(parsers: dict[str, Callable[[bytes], object]], bodies: list[bytes]) -> dict[str, float]:
    """Callbacks/s of each parser's fastest round (CPU time), rounds alternating parsers."""
    best = dict.fromkeys(parsers, float("inf"))
    for _ in range(REPEATS):
        for name, parse in parsers.items():
            started = time.process_time()
            for _ in range(ROUNDS):
                for body in bodies:
                    parse(body)
            best[name] = min(best[name], time.process_time() - started)
    return {name: ROUNDS * len(bodies) / spent for name, spent in best.items()}


def main() -> None:
    documented, wild = bodies()
    parsers: dict[str, Callable[[bytes], object]] = {"gewe-async": ours, "floor": floor}
    peer = opengewe_parser()
    if peer is not None:
        parsers["opengewe"] = peer
    for parse in parsers.values():  # warm up
        for body in documented + wild:
            parse(body)
    results = {}
    for name, group in (("documented", documented), ("wild", wild), ("all", documented + wild)):
        results[name] = race(parsers, group)
    print(json.dumps({"rounds": ROUNDS, "repeats": REPEATS, "per_s": results}))
    print(f"\ncallbacks/s, CPU time, best of {REPEATS} alternating rounds, one core")
    print(f"{'bodies':<12}{'count':>6}" + "".join(f"{name:>13}" for name in parsers) + "  ratios")
    counts = {"documented": len(documented), "wild": len(wild), "all": len(documented) + len(wild)}
    for group, rates in results.items():
        ratios = f"floor share {rates['gewe-async'] / rates['floor']:.0%}"
        if "opengewe" in rates:
            ratios += f", x opengewe {rates['gewe-async'] / rates['opengewe']:.2f}"
        print(
            f"{group:<12}{counts[group]:>6}"
            + "".join(f"{rate:>13,.0f}" for rate in rates.values())
            + f"  {ratios}"
        )
    from gewe_async.callbacks import _parse

    reader = "orjson" if _parse._FAST_LOADS not in (None, _parse._UNRESOLVED) else "json"
    print(f"gewe-async read the bodies with {reader}", file=sys.stderr)
    print(
        f"targets: at least {PEER_RATIO}x opengewe and {FLOOR_SHARE:.0%} of the floor"
        + ("" if peer is not None else " (opengewe not installed: `nox -s bench` installs it)"),
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
