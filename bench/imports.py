"""Fresh-process import times of httpx, gewe_async and gewe_async.bot, side by side.

Each round imports every module once, each in a new interpreter, in turn, so that a busy
machine slows them alike; the best of the rounds is kept. The targets: ``import
gewe_async`` at most 1.5x ``import httpx``, ``import gewe_async.bot`` at most 2x.

    python bench/imports.py [--rounds N]

Only the import is timed, inside each new process, not the interpreter's own start (which
would shrink every ratio). httpx imports its command line's click, rich and pygments when
they are installed: the environment decides what ``import httpx`` costs, so compare runs of
one environment only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

MODULES = ("httpx", "gewe_async", "gewe_async.bot")
TARGETS = {"gewe_async": 1.5, "gewe_async.bot": 2.0}


def import_seconds(module: str) -> float:
    """Seconds a new interpreter spends in ``import module`` (its own start not counted)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(done.stdout)


def measure(rounds: int) -> dict[str, float]:
    """The best time of each module over ``rounds`` alternating rounds."""
    best = dict.fromkeys(MODULES, float("inf"))
    for _ in range(rounds):
        for module in MODULES:
            best[module] = min(best[module], import_seconds(module))
    return best


def main() -> int:
    """Print the times, the ratios to httpx, and whether the targets hold (exit 1 if not)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    best = measure(args.rounds)
    base = best["httpx"]
    ok = True
    print(f"import times, best of {args.rounds} fresh processes each")
    for module in MODULES:
        ratio = best[module] / base
        target = TARGETS.get(module)
        verdict = ""
        if target is not None:
            held = ratio <= target
            ok = ok and held
            verdict = f"  target <= {target}x: {'ok' if held else 'MISSED'}"
        print(f"  {module:<16} {best[module] * 1000:7.1f} ms  {ratio:4.2f}x httpx{verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
