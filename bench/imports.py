"""Fresh-process import times of httpx, gewe_async and gewe_async.bot, side by side.

Each round imports every module once, each in a new interpreter, in turn, so that a busy
machine slows them alike; the best of the rounds is kept. The targets: ``import
gewe_async`` at most 1.5x ``import httpx``, ``import gewe_async.bot`` at most 2x.

    python bench/imports.py [--rounds N] [--source DIR]

Only the import is timed, inside each new process, not the interpreter's own start (which
would shrink every ratio). Both wall and CPU time are shown; the targets are judged on CPU
time, which other jobs on a shared machine disturb far less. httpx imports its command
line's click, rich and pygments when they are installed: the environment decides what
``import httpx`` costs, so compare runs of one environment only. ``--source`` imports
gewe_async from another source tree (``git archive REV gewe_async | tar -x -C DIR``), to
compare two commits in one run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

MODULES = ("httpx", "gewe_async", "gewe_async.bot")
TARGETS = {"gewe_async": 1.5, "gewe_async.bot": 2.0}

TIMED = """\
import sys, time
if {source!r}:
    # An editable install's finder comes before sys.path: drop it to import from source.
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    sys.path.insert(0, {source!r})
wall, cpu = time.perf_counter(), time.process_time()
import {module}
print(time.perf_counter() - wall, time.process_time() - cpu)
"""


def import_seconds(module: str, source: str = "") -> tuple[float, float]:
    """Wall and CPU seconds a new interpreter spends in ``import module``."""
    code = TIMED.format(module=module, source=source)
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


def measure(rounds: int, source: str = "") -> dict[str, tuple[float, float]]:
    """The best wall and CPU time of each module over ``rounds`` alternating rounds."""
    best = dict.fromkeys(MODULES, (float("inf"), float("inf")))
    for _ in range(rounds):
        for module in MODULES:
            wall, cpu = import_seconds(module, source)
            best[module] = (min(best[module][0], wall), min(best[module][1], cpu))
    return best


def main() -> int:
    """Print the times, the ratios to httpx, and whether the targets hold (exit 1 if not)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--source", default="", help="import gewe_async from this directory")
    args = parser.parse_args()
    best = measure(args.rounds, args.source)
    wall0, cpu0 = best["httpx"]
    ok = True
    print(f"import times, best of {args.rounds} fresh processes each")
    for module in MODULES:
        wall, cpu = best[module]
        verdict = ""
        target = TARGETS.get(module)
        if target is not None:
            held = cpu / cpu0 <= target
            ok = ok and held
            verdict = f"  target <= {target}x: {'ok' if held else 'MISSED'}"
        print(
            f"  {module:<16} wall {wall * 1000:7.1f} ms {wall / wall0:4.2f}x"
            f"  cpu {cpu * 1000:7.1f} ms {cpu / cpu0:4.2f}x httpx{verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
