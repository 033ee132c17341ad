"""ChatQueue's counts, which the durable journals check their bounds against on every append."""

from __future__ import annotations

import random

from gewe_async.bot._chatqueue import ChatQueue
from gewe_async.bot._journal import Delivery, Entry


def _delivery(n: int, chat: str) -> Delivery:
    return Delivery(Entry(f"k{n}", chat, b"{}", 0.0), str(n))


def _truth(queue: ChatQueue) -> tuple[int, int]:
    waiting = len(queue.waiting())
    return waiting, waiting + len(queue.in_flight())


async def test_counts_follow_every_operation() -> None:
    """len() and waiting_count() stay exact through puts, gets, put-backs, acks and drops."""
    rng = random.Random(16)
    queue = ChatQueue()
    taken: list[Delivery] = []
    for n in range(2000):
        op = rng.random()
        if op < 0.45:
            queue.put(_delivery(n, f"chat{rng.randrange(20)}"))
        elif op < 0.6:
            taken.extend(queue.take_ready(rng.randrange(1, 4)))
        elif op < 0.7 and taken:
            queue.put_back(taken.pop(rng.randrange(len(taken))))
        elif op < 0.95 and taken:
            queue.done(taken.pop(rng.randrange(len(taken))))
        elif op >= 0.95:
            chat = f"chat{rng.randrange(20)}"
            queue.drop(lambda d, chat=chat: d.entry.chat == chat)
        assert (queue.waiting_count(), len(queue)) == _truth(queue)
    assert len(queue) > 0
