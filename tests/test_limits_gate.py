"""The client's slots: first come, first served, and a cancelled wait never loses a slot."""

from __future__ import annotations

import asyncio

from gewe_async._limits import _Gate


async def test_waiters_get_slots_in_the_order_they_came() -> None:
    gate = _Gate(1)
    await gate.acquire()
    order: list[int] = []

    async def take(k: int) -> None:
        await gate.acquire()
        order.append(k)
        gate.release()

    tasks = [asyncio.create_task(take(k)) for k in range(5)]
    await asyncio.sleep(0)
    gate.release()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4]


async def test_a_wait_cancelled_as_its_slot_arrives_passes_the_slot_on() -> None:
    gate = _Gate(1)
    await gate.acquire()
    first = asyncio.create_task(gate.acquire())
    second = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    gate.release()  # hands the slot to `first`...
    first.cancel()  # ...which is cancelled before it runs again
    await asyncio.gather(first, return_exceptions=True)
    await asyncio.wait_for(second, 5)  # the slot went on to `second`, not lost
    gate.release()
    await asyncio.wait_for(gate.acquire(), 5)  # and exactly one slot exists again


async def test_a_cancelled_waiter_leaves_the_line() -> None:
    gate = _Gate(1)
    await gate.acquire()
    waiting = [asyncio.create_task(gate.acquire()) for _ in range(3)]
    await asyncio.sleep(0)
    waiting[1].cancel()
    await asyncio.gather(waiting[1], return_exceptions=True)
    gate.release()
    await asyncio.wait_for(waiting[0], 5)
    gate.release()
    await asyncio.wait_for(waiting[2], 5)
    gate.release()
    assert gate._free == 1
    assert not gate._waiters
