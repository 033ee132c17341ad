"""Directory look-ups from memory: ``name()`` (plain and in a group) and ``find()`` by name.

A directory of CONTACTS friends and GROUPS groups of MEMBERS members is synced from a
FakeGewe in-process, then each kind of look-up runs over random wxids ROUNDS times; the
figure is the best of REPEATS rounds (the machine is shared). Beside it, in the same run,
the baseline: a plain ``dict.get`` of the same keys. Target: at least 100,000 look-ups/s.
Exit 1 if a look-up misses the target.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from collections.abc import Callable

from gewe_async.bot.fsm import MemoryStorage
from gewe_async.fleet import Directory
from gewe_async.testing import FakeGewe

CONTACTS = int(os.environ.get("BENCH_DIRECTORY_CONTACTS", "5000"))
GROUPS = int(os.environ.get("BENCH_DIRECTORY_GROUPS", "50"))
MEMBERS = int(os.environ.get("BENCH_DIRECTORY_MEMBERS", "200"))
ROUNDS = int(os.environ.get("BENCH_DIRECTORY_ROUNDS", "100000"))
REPEATS = int(os.environ.get("BENCH_DIRECTORY_REPEATS", "5"))
TARGET = 100_000
APP = "wx_bench"


async def build() -> Directory:
    fake = FakeGewe(record_requests=False)
    fake.add_device(APP)
    rng = random.Random(0)
    for n in range(CONTACTS):
        fake.add_friend(APP, f"wxid_{n:06}", nick_name=f"Friend {n}", remark=f"R{n}" * (n % 2))
    for g in range(GROUPS):
        members = [f"wxid_{rng.randrange(CONTACTS):06}" for _ in range(MEMBERS)]
        fake.add_group(APP, members, chatroom_id=f"{g}@chatroom", name=f"Group {g}")
    async with fake.client() as client:
        directory = Directory(MemoryStorage(), client=client)
        await directory.sync(APP)
    return directory


def best_of(look_up: Callable[[str], object], keys: list[str]) -> float:
    """Look-ups per second of the fastest of REPEATS rounds."""
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        for key in keys:
            look_up(key)
        best = min(best, time.perf_counter() - started)
    return len(keys) / best


def main() -> int:
    directory = asyncio.run(build())
    book = directory[APP]
    rng = random.Random(1)
    keys = [f"wxid_{rng.randrange(CONTACTS):06}" for _ in range(ROUNDS)]
    names = [f"friend {rng.randrange(CONTACTS)}" for _ in range(ROUNDS)]
    plain = {c.wxid: c for c in book.contacts()}
    group = "0@chatroom"
    figures = {
        "baseline dict.get(wxid)": best_of(plain.get, keys),
        "directory.name(wxid)": best_of(book.name, keys),
        "directory.name(wxid, group_id=...)": best_of(
            lambda w: book.name(w, group_id=group), keys
        ),
        "directory.find(name)": best_of(book.find, names),
    }
    print(
        f"directory: {CONTACTS} contacts, {GROUPS} groups x {MEMBERS} members; "
        f"{ROUNDS} look-ups, best of {REPEATS}"
    )
    width = max(map(len, figures))
    for what, per_second in figures.items():
        print(f"  {what:<{width}}  {per_second:>12,.0f} /s")
    missed = [w for w, v in figures.items() if not w.startswith("baseline") and v < TARGET]
    print(f"target {TARGET:,}/s: " + ("met" if not missed else f"MISSED by {', '.join(missed)}"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
