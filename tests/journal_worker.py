"""A bot process for the crash tests: appends what it is sent, handles and acknowledges it.

    python journal_worker.py sqlite PATH HANDLED both
    python journal_worker.py redis URL:PREFIX HANDLED receiver|worker|both

A receiver reads `ID KEY CHAT` lines on stdin and answers `ID 1` (stored) or `ID 0`
(duplicate) on stdout once `append` has returned: the stand-in for an HTTP push answered 200.
A worker appends each handled key to HANDLED (one `write` per line, so a SIGKILL loses none),
then acknowledges it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

from gewe_async.bot import Journal
from gewe_async.bot._journal import Entry
from gewe_async.bot._redis import RedisJournal
from gewe_async.bot._sqlite import SqliteJournal

HANDLERS = 4


async def receive(journal: Journal) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def one(line: bytes) -> None:
        request_id, key, chat = line.decode().split()
        stored = await journal.append(Entry(key, chat, key.encode(), time.time()))
        sys.stdout.write(f"{request_id} {int(stored)}\n")
        sys.stdout.flush()

    tasks = set()
    while line := await reader.readline():
        task = asyncio.create_task(one(line))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)


async def handle(journal: Journal, handled: int) -> None:
    async for delivery in journal.consume():
        await asyncio.sleep(0.002)  # the handler's work
        os.write(handled, f"{delivery.entry.key} {delivery.entry.chat}\n".encode())
        await journal.ack(delivery)


async def main(kind: str, where: str, handled_path: str, role: str) -> None:
    if kind == "sqlite":
        journal: Journal = SqliteJournal(where)
    else:
        url, _, prefix = where.rpartition(":")
        journal = RedisJournal(url, prefix=prefix, partitions=8, lease=1.0)
    await journal.open()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    handled = os.open(handled_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    tasks = []
    if role in ("receiver", "both"):
        tasks.append(asyncio.create_task(receive(journal)))
    if role in ("worker", "both"):
        tasks += [asyncio.create_task(handle(journal, handled)) for _ in range(HANDLERS)]
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    await stop.wait()
    await journal.aclose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
