"""parse_callback over every documented callback example, bytes in, on one core.

Each round parses all fixtures of tests/data/callbacks/ (the 31 documented kinds, the Mac
member-join, the non-envelope example and the test push) ROUNDS times; the figure is the best
of REPEATS rounds, as the machine is shared and slower rounds measure the neighbours. CPU time
of this process is reported beside wall time. Target: at least 20,000 callbacks/s.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from gewe_async.callbacks import parse_callback

FIXTURES = Path(__file__).parent.parent / "tests" / "data" / "callbacks"
ROUNDS = int(os.environ.get("BENCH_CALLBACK_ROUNDS", "300"))
REPEATS = int(os.environ.get("BENCH_CALLBACK_REPEATS", "5"))
TARGET = 20_000


def main() -> None:
    bodies = [path.read_bytes() for path in sorted(FIXTURES.glob("*.json"))]
    for body in bodies:  # warm up; and every fixture must parse
        parse_callback(body)
    best_wall = best_cpu = float("inf")
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(ROUNDS):
            for body in bodies:
                parse_callback(body)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    count = ROUNDS * len(bodies)
    result = {
        "fixtures": len(bodies),
        "callbacks": count,
        "callbacks_per_s": round(count / best_wall),
        "cpu_us_per_callback": round(1e6 * best_cpu / count, 1),
        "target_per_s": TARGET,
    }
    print(json.dumps(result))
    print(
        f"parse_callback: {result['callbacks_per_s']:,} callbacks/s on one core "
        f"({result['cpu_us_per_callback']} us CPU each, {len(bodies)} documented examples; "
        f"target {TARGET:,}/s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
