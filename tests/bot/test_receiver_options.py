"""ASGIReceiver takes Receiver's options through ``**options``: each reaches the receiver."""

from __future__ import annotations

import pytest

from gewe_async.bot import ASGIReceiver, Dispatcher, MemoryJournal


def test_asgi_receiver_forwards_every_receiver_option() -> None:
    journal = MemoryJournal()
    receiver = ASGIReceiver(
        Dispatcher(),
        secret="s3cret",
        journal=journal,
        max_body=1234,
        drain_timeout=3.5,
        run_handlers=False,
        metrics_interval=7.0,
        path="/gewe/",
    )
    assert receiver.path == "/gewe"
    assert receiver.max_body == 1234
    assert receiver.drain_timeout == 3.5
    assert receiver.run_handlers is False
    assert receiver.metrics_interval == 7.0
    assert receiver.journal is journal


def test_asgi_receiver_refuses_an_unknown_option() -> None:
    with pytest.raises(TypeError):
        ASGIReceiver(Dispatcher(), max_bodies=10)  # type: ignore[call-arg]


def test_asgi_receiver_checks_options_as_receiver_does() -> None:
    with pytest.raises(ValueError, match="secret"):
        ASGIReceiver(Dispatcher(), secret="")
