"""parse_callback over every documented callback example, bytes in, on one core.

Each round parses all fixtures of tests/data/callbacks/ (the 31 documented kinds, the Mac
member-join, the non-envelope example and the test push) ROUNDS times; the figure is the best
of REPEATS rounds, as the machine is shared and slower rounds measure the neighbours. CPU time
of this process is reported beside wall time. Target: at least 20,000 callbacks/s.

For scale it also times the floor: json.loads of the same bodies plus one XML tree of each
Content that holds XML, with nothing else (no event, no field read).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from gewe_async.callbacks import parse_callback
from gewe_async.callbacks._xml import parse_xml

FIXTURES = Path(__file__).parent.parent / "tests" / "data" / "callbacks"
ROUNDS = int(os.environ.get("BENCH_CALLBACK_ROUNDS", "300"))
REPEATS = int(os.environ.get("BENCH_CALLBACK_REPEATS", "5"))
TARGET = 20_000


def floor(body: bytes) -> None:
    data = json.loads(body).get("Data")
    if isinstance(data, dict) and data.get("MsgType") not in (1, 10000):
        content = data.get("Content")
        if isinstance(content, dict):
            parse_xml(content.get("string", ""))


def best_of(parse: Callable[[bytes], object], bodies: list[bytes]) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of REPEATS rounds."""
    best_wall = best_cpu = float("inf")
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(ROUNDS):
            for body in bodies:
                parse(body)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu


def main() -> None:
    bodies = [path.read_bytes() for path in sorted(FIXTURES.glob("*.json"))]
    for body in bodies:  # warm up; and every fixture must parse
        parse_callback(body)
    count = ROUNDS * len(bodies)
    wall, cpu = best_of(parse_callback, bodies)
    floor_wall, floor_cpu = best_of(floor, bodies)
    result = {
        "fixtures": len(bodies),
        "callbacks": count,
        "callbacks_per_s": round(count / wall),
        "cpu_us_per_callback": round(1e6 * cpu / count, 1),
        "floor_per_s": round(count / floor_wall),
        "floor_cpu_us": round(1e6 * floor_cpu / count, 1),
        "target_per_s": TARGET,
    }
    print(json.dumps(result))
    print(
        f"parse_callback: {result['callbacks_per_s']:,} callbacks/s on one core "
        f"({result['cpu_us_per_callback']} us CPU each, {len(bodies)} documented examples; "
        f"target {TARGET:,}/s); json.loads + XML tree alone: {result['floor_per_s']:,}/s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
