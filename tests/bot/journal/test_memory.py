"""MemoryJournal: de-duplication window and bound, order within a chat, a bounded queue."""

from __future__ import annotations

import asyncio

import pytest

from gewe_async.bot import Entry, Journal, JournalFullError, MemoryJournal


def entry(key: str, chat: str = "c1") -> Entry:
    return Entry(key=key, chat=chat, body=b"{}", received_at=0.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_memory_journal_implements_the_journal_protocol():
    """The runner relies on the protocol only."""
    assert isinstance(MemoryJournal(), Journal)


async def test_a_key_is_refused_within_the_window_and_accepted_after_it():
    """Duplicates within `dedupe_window` are refused; later the key is new again."""
    clock = Clock()
    journal = MemoryJournal(dedupe_window=600, clock=clock)
    assert await journal.append(entry("k"))
    clock.now += 599
    assert not await journal.append(entry("k"))
    clock.now += 2
    assert await journal.append(entry("k"))


async def test_the_oldest_keys_are_forgotten_past_the_bound():
    """At most `dedupe_max_keys` keys are kept, oldest forgotten first."""
    journal = MemoryJournal(dedupe_max_keys=2)
    for key in ("a", "b", "c"):
        assert await journal.append(entry(key, chat=key))
    assert await journal.append(entry("a", chat="a2"))  # forgotten: accepted again
    assert not await journal.append(entry("c", chat="c2"))


async def test_a_chat_is_handed_out_in_order_one_at_a_time_others_meanwhile():
    """The next entry of a chat waits for the ack of the previous; other chats do not."""
    journal = MemoryJournal()
    for key, chat in (("a1", "A"), ("a2", "A"), ("b1", "B")):
        await journal.append(entry(key, chat))
    deliveries = aiter(journal.consume())
    first = await anext(deliveries)
    second = await anext(deliveries)
    assert (first.entry.key, second.entry.key) == ("a1", "b1")
    waiting = asyncio.ensure_future(anext(deliveries))
    await asyncio.sleep(0)
    assert not waiting.done()
    await journal.ack(first)
    assert (await waiting).entry.key == "a2"
    assert (await journal.stats()).depth == 2


async def test_a_full_journal_waits_briefly_then_refuses():
    """Past `max_pending`, `append` waits `full_timeout` for room, then raises."""
    journal = MemoryJournal(max_pending=1, full_timeout=0.01)
    await journal.append(entry("a", "A"))
    with pytest.raises(JournalFullError):
        await journal.append(entry("b", "B"))
    # The refused key is not remembered: GeWe's next try is accepted once there is room.
    delivery = await anext(aiter(journal.consume()))
    await journal.ack(delivery)
    assert await journal.append(entry("b", "B"))


async def test_a_full_journal_takes_the_entry_when_room_frees_up_in_time():
    """An ack during the wait lets the waiting append through."""
    journal = MemoryJournal(max_pending=1, full_timeout=30)
    await journal.append(entry("a", "A"))
    delivery = await anext(aiter(journal.consume()))
    waiting = asyncio.ensure_future(journal.append(entry("b", "B")))
    await asyncio.sleep(0)
    assert not waiting.done()
    await journal.ack(delivery)
    assert await waiting


async def test_stats_report_depth_and_age_and_closing_ends_consume():
    """Stats count unacknowledged entries; `aclose` ends the consumer."""
    journal = MemoryJournal()
    assert (await journal.stats()).oldest_pending_age is None
    await journal.append(entry("a"))
    stats = await journal.stats()
    assert stats.depth == 1
    assert stats.oldest_pending_age is not None
    await journal.aclose()
    consumed = [d async for d in journal.consume()]
    assert consumed == []


async def test_reopened_it_hands_out_again_what_was_not_acknowledged():
    """A delivery cut short by a stop comes again after reopening, as attempt 2."""
    journal = MemoryJournal()
    await journal.open()
    await journal.append(entry("a", "A"))
    await journal.append(entry("b", "B"))
    first = await anext(aiter(journal.consume()))
    assert (first.entry.key, first.attempt) == ("a", 1)
    await journal.aclose()
    await journal.open()
    again = [await anext(aiter(journal.consume())) for _ in range(2)]
    assert sorted((d.entry.key, d.attempt) for d in again) == [("a", 2), ("b", 1)]
    assert (await journal.stats()).redeliveries == 1
