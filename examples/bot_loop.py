"""An async bot loop: a queue of incoming events, replies sent per account, never twice.

GeWe posts incoming messages to your callback URL (client.login.set_callback); here a queue
stands in for that webhook. Run: python examples/bot_loop.py
"""

from __future__ import annotations

import asyncio
import logging

from _setup import make_client

from gewe_async import AsyncGeweClient, GeweAPIError, GeweError, GeweTransportError

log = logging.getLogger("bot")


async def handle(client: AsyncGeweClient, event: dict[str, str]) -> None:
    if event["text"].strip() != "ping":
        return
    try:
        # Sends are never retried once they may have reached the server: no double replies.
        await client.message.post_text(event["app_id"], event["from"], "pong")
    except GeweTransportError as exc:
        if exc.request_sent:
            log.warning("reply to %s may or may not have been sent: %s", event["from"], exc)
        else:
            log.warning("reply to %s was not sent: %s", event["from"], exc)
    except GeweAPIError as exc:  # offline device, ...
        log.warning("reply refused: %s", exc)
    except GeweError as exc:  # a proxy's 502 page, an answer we cannot read, ...
        # One event's failure must never stop the bot: log it and go on with the others.
        log.warning("reply to %s failed, it may or may not have been sent: %s", event["from"], exc)


async def run_bot(client: AsyncGeweClient, events: asyncio.Queue[dict[str, str] | None]) -> int:
    """Handle events until a None arrives; returns how many were handled."""
    handled = 0
    async with asyncio.TaskGroup() as tasks:
        while (event := await events.get()) is not None:
            # Each event in its own task: accounts are served in parallel, and the client
            # keeps one account's calls in order.
            tasks.create_task(handle(client, event))
            handled += 1
    return handled


async def main() -> None:
    events: asyncio.Queue[dict[str, str] | None] = asyncio.Queue()
    for i in range(10):
        app_id = f"wx_{i % 3 + 1:03d}"
        events.put_nowait({"app_id": app_id, "from": f"wxid_friend{i}", "text": "ping"})
    events.put_nowait(None)
    async with make_client() as client:
        print(f"handled {await run_bot(client, events)} events")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
