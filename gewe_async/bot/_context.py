"""What a handler gets beside the event: the client, and a one-line reply."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs

from gewe_async.callbacks import CallbackEvent, MessageEvent

if TYPE_CHECKING:
    from gewe_async._client import AsyncGeweClient
    from gewe_async.bot._dispatcher import Dispatcher
    from gewe_async.bot.filters import CommandObject
    from gewe_async.bot.fsm import Conversation
    from gewe_async.fleet import AccountDirectory
    from gewe_async.types.message import SentMessage

__all__ = ["Context"]


@attrs.define
class Context:
    """The context of one event being handled.

    ```python
    @router.on(TextMessage, f.text_equals("ping"))
    async def ping(event: TextMessage, ctx: Context) -> None:
        await ctx.reply("pong")
    ```
    """

    event: CallbackEvent
    """The event being handled."""
    dispatcher: Dispatcher = attrs.field(repr=False)
    """The dispatcher running the handler."""
    attempt: int = 1
    """1 the first time the event is handled; more when a journal delivers it again."""
    data: dict[str, Any] = attrs.field(factory=dict)
    """Free room for middleware to hand values to handlers (a user, a timer, ...)."""

    @property
    def client(self) -> AsyncGeweClient:
        """The client of the dispatcher, to call any endpoint."""
        return self.dispatcher.client

    @property
    def app_id(self) -> str:
        """The device the event is for: reply through it."""
        return self.event.app_id

    @property
    def state(self) -> Conversation:
        """The conversation of the message, in the dispatcher's storage (see `gewe_async.bot.fsm`).

        Raises:
            TypeError: The event is not a message, so it has no conversation.
        """
        return self.dispatcher.storage.conversation(self.event)

    @property
    def directory(self) -> AccountDirectory:
        """The account's contacts and groups (``Dispatcher(directory=Directory())``).

        Raises:
            GeweConfigError: The dispatcher has no directory.
        """
        directory = self.dispatcher.directory
        if directory is None:
            from gewe_async.exceptions import GeweConfigError

            raise GeweConfigError("no directory: Dispatcher(client, directory=Directory())")
        return directory.account(self.app_id)

    @property
    def command(self) -> CommandObject | None:
        """The command a [`command`][gewe_async.bot.filters.command] filter matched, if any."""
        return self.data.get("command")

    @property
    def match(self) -> re.Match[str] | None:
        """The match of a [`text_regex`][gewe_async.bot.filters.text_regex] filter, if any."""
        return self.data.get("match")

    async def reply(self, text: str, *, ats: str | None = None) -> SentMessage:
        """Send ``text`` to the chat the event came from (``message/postText``).

        In a group, the reply goes to the group; ``ats`` mentions people as in
        `client.message.post_text`.

        Raises:
            TypeError: The event is not a message, so it has no chat to reply to.
        """
        event = self.event
        if not isinstance(event, MessageEvent):
            raise TypeError(f"a {type(event).__name__} has no chat to reply to")
        return await self.client.message.post_text(event.app_id, event.chat_id, text, ats=ats)
