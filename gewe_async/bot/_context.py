"""What a handler gets beside the event: the client, its conversation, and the replies it sends.

A `Context` is given what it needs (the client, the storage, the handler's flags) by the
dispatcher that makes it; it does not know the dispatcher.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from gewe_async.callbacks import (
    CallbackEvent,
    EmojiMessage,
    FileMessage,
    ImageMessage,
    LinkMessage,
    MessageEvent,
    MiniProgramMessage,
    TextMessage,
    VideoMessage,
    VoiceMessage,
)
from gewe_async.exceptions import GeweConfigError

if TYPE_CHECKING:
    from gewe_async._client import AsyncGeweClient
    from gewe_async.bot.filters import CommandObject, CommandSpec
    from gewe_async.bot.fsm import BaseStorage, Conversation
    from gewe_async.fleet import AccountDirectory, Directory
    from gewe_async.types.message import SentMessage

__all__ = ["Context"]

_NO_FLAGS: Final[Mapping[str, Any]] = MappingProxyType({})
# PushContent of a group message: "NAME : text", or "NAME在群聊中@了你" when it mentions the
# account (the shapes of the collected real pushes).
_MENTIONED_YOU: Final = "在群聊中@了你"
_DOWNLOADABLE: Final = (ImageMessage, VoiceMessage, VideoMessage, FileMessage, EmojiMessage)
_FORWARDABLE: Final = (
    ImageMessage,
    VideoMessage,
    FileMessage,
    LinkMessage,
    MiniProgramMessage,
    EmojiMessage,
)


def _names(kinds: tuple[type, ...]) -> str:
    return ", ".join(k.__name__ for k in kinds)


def _name_in_push(event: MessageEvent) -> str | None:
    """The sender's display name as the push's notification text (``PushContent``) shows it.

    ``"Alice : hello"`` and ``"Alice在群聊中@了你"`` give ``"Alice"``; `None` when the push
    has no such text.
    """
    push = (event.push_content or "").strip()
    if not push:
        return None
    if push.endswith(_MENTIONED_YOU):
        name = push[: -len(_MENTIONED_YOU)]
    else:
        text = event.text if isinstance(event, TextMessage) else None
        if text and push.endswith(f" : {text}"):
            name = push[: -len(f" : {text}")]
        else:
            name, found, _ = push.partition(" : ")
            if not found:
                return None
    name = name.strip()
    return name or None


@attrs.define
class Context:
    """The context of one event being handled: made by the dispatcher, given to the handler.

    ```python
    @router.on(TextMessage, f.text_equals("ping"))
    async def ping(event: TextMessage, ctx: Context) -> None:
        await ctx.reply("pong")
    ```

    The ``reply_*`` methods answer in the chat the event came from, each through one call of
    `client.message`: they raise what the client raises (a `GeweError` subclass), and
    `TypeError`, before any request, when the event is not of a kind they work on.
    """

    event: CallbackEvent
    """The event being handled."""
    _client: AsyncGeweClient | None = attrs.field(default=None, alias="client", repr=False)
    _storage: BaseStorage | None = attrs.field(default=None, alias="storage", repr=False)
    attempt: int = 1
    """1 the first time the event is handled; more when a journal delivers it again."""
    flags: Mapping[str, Any] = attrs.field(default=_NO_FLAGS)
    """The flags of the handler that takes the event (``router.on(..., flags={...})``).

    Set before middleware runs, so that middleware can read them (a
    [`Throttle`][gewe_async.bot.Throttle] reads ``"throttle"``); empty when no handler
    takes the event.
    """
    handler: Callable[..., Awaitable[Any]] | None = attrs.field(default=None, repr=False)
    """The handler that takes the event, `None` when none does; set before middleware runs."""
    data: dict[str, Any] = attrs.field(factory=dict)
    """Free room for middleware to hand values to handlers (a user, a timer, ...)."""
    _commands: Callable[[], list[CommandSpec]] | None = attrs.field(
        default=None, alias="commands", repr=False
    )
    _matcher: Callable[[CallbackEvent, Context], Awaitable[Any]] | None = attrs.field(
        default=None, alias="matcher", repr=False
    )
    _directory: Directory | None = attrs.field(default=None, alias="directory", repr=False)
    _matched: CallbackEvent | None = attrs.field(default=None, init=False, repr=False)
    _registration: Any = attrs.field(default=None, init=False, repr=False)
    _conversation: Conversation | None = attrs.field(default=None, init=False, repr=False)

    # -- what the dispatcher gave ---------------------------------------------------------

    @property
    def client(self) -> AsyncGeweClient:
        """The client of the dispatcher, to call any endpoint.

        Raises:
            GeweConfigError: The dispatcher has no client.
        """
        if self._client is None:
            raise GeweConfigError(
                "this dispatcher has no client: Dispatcher(client) or dp.client = c"
            )
        return self._client

    @property
    def app_id(self) -> str:
        """The device the event is for: reply through it."""
        return self.event.app_id

    @property
    def state(self) -> Conversation:
        """The conversation of the message, in the dispatcher's storage (see `gewe_async.bot.fsm`).

        Raises:
            TypeError: The event is not a message, so it has no conversation.
            GeweConfigError: The context was made without a storage.
        """
        if self._conversation is None:  # made once: a handler reads it several times
            if self._storage is None:
                raise GeweConfigError("this context has no storage: Context(event, storage=...)")
            self._conversation = self._storage.conversation(self.event)
        return self._conversation

    @property
    def directory(self) -> AccountDirectory:
        """The account's contacts and groups (``Dispatcher(directory=Directory())``).

        Raises:
            GeweConfigError: The dispatcher has no directory.
        """
        directory = self._directory
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

    def commands(self) -> list[CommandSpec]:
        """The commands of the bot's handlers, for a help reply (see `Router.commands`)."""
        return [] if self._commands is None else self._commands()

    async def _resolve(self, event: CallbackEvent) -> None:
        """Find the handler of ``event`` once, so that middleware sees its flags."""
        if self._matcher is not None and self._matched is not event:
            await self._matcher(event, self)

    def _found(self, event: CallbackEvent, registration: Any) -> None:
        """Keep what the dispatcher matched for ``event`` (a registration, or `None`)."""
        self._matched = event
        self._registration = registration
        self.handler = None if registration is None else registration.handler
        self.flags = _NO_FLAGS if registration is None else registration.flags

    # -- replies ----------------------------------------------------------------------------

    def _message(self, action: str) -> MessageEvent:
        event = self.event
        if not isinstance(event, MessageEvent):
            raise TypeError(f"a {type(event).__name__} has no chat to {action}")
        return event

    async def sender_name(self) -> str | None:
        """The display name of who wrote the message, for an ``@name`` or a quote.

        Read from the push first (its ``PushContent``, ``"Alice : hi"``), with no request;
        in a group whose push has none, asked of ``group/getChatroomMemberDetail`` (the
        member's nickname). `None` when neither knows (a private chat without notification
        text, or a member without a nickname).

        Raises:
            TypeError: The event is not a message.
            GeweError: The member lookup failed.
        """
        event = self._message("name the sender of")
        name = _name_in_push(event)
        if name is not None or not event.is_group or not event.sender_wxid:
            return name
        found = await self.client.group.get_chatroom_member_detail(
            event.app_id, event.chat_id, [event.sender_wxid]
        )
        nick = found[0].nick_name if found else None
        return (nick.strip() or None) if nick else None

    async def reply(
        self, text: str, *, mention_sender: bool = False, ats: str | None = None
    ) -> SentMessage:
        """Send ``text`` to the chat the event came from (``message/postText``).

        Args:
            text: The text.
            mention_sender: In a group, start with ``@name`` of the member who wrote and put
                their wxid in ``ats``, so WeChat notifies them (the name from
                [`sender_name`][gewe_async.bot.Context.sender_name], their wxid when it is
                unknown). Ignored in a private chat, where there is no one to mention.
            ats: The raw ``ats`` field (comma-separated wxids), as `client.message.post_text`
                takes it, for a text you composed yourself.

        Raises:
            TypeError: The event is not a message, so it has no chat to reply to.
            ValueError: ``mention_sender`` and ``ats`` are both given, or ``text`` is empty.
        """
        event = self._message("reply to")
        if mention_sender and ats is not None:
            raise ValueError("give either mention_sender or ats, not both")
        if mention_sender and event.is_group and event.sender_wxid:
            name = await self.sender_name() or event.sender_wxid
            return await self.client.message.post_text(
                event.app_id, event.chat_id, text, mentions={event.sender_wxid: name}
            )
        return await self.client.message.post_text(event.app_id, event.chat_id, text, ats=ats)

    async def reply_quote(self, text: str) -> SentMessage:
        """Reply with ``text`` quoting the event's message (an appmsg of type 57).

        The name above the quote is [`sender_name`][gewe_async.bot.Context.sender_name]
        (empty when unknown).

        Raises:
            TypeError: The event is not a message.
            ValueError: ``text`` is empty, or the message has nothing to quote.
        """
        from gewe_async.types.message import Quoted

        event = self._message("reply to")
        quoted = Quoted.of(event, display_name=await self.sender_name() or "")
        return await self.client.message.post_quote(event.app_id, event.chat_id, text, quoted)

    async def reply_image(self, url: str) -> SentMessage:
        """Send the image at ``url`` to the chat (``message/postImage``).

        Raises:
            TypeError: The event is not a message.
            ValueError: ``url`` is not an http(s) URL.
        """
        event = self._message("reply to")
        return await self.client.message.post_image(event.app_id, event.chat_id, url)

    async def reply_file(self, url: str, file_name: str) -> SentMessage:
        """Send the file at ``url``, shown as ``file_name``, to the chat (``message/postFile``).

        Raises:
            TypeError: The event is not a message.
            ValueError: An argument is empty or malformed.
        """
        event = self._message("reply to")
        return await self.client.message.post_file(event.app_id, event.chat_id, url, file_name)

    async def reply_link(
        self, title: str, description: str, url: str, thumb_url: str
    ) -> SentMessage:
        """Send a link card to the chat (``message/postLink``).

        Raises:
            TypeError: The event is not a message.
            ValueError: An argument is empty or malformed.
        """
        event = self._message("reply to")
        return await self.client.message.post_link(
            event.app_id, event.chat_id, title, description, url, thumb_url
        )

    async def reply_emoji(self, md5: str, size: int) -> SentMessage:
        """Send the sticker with this MD5 and size to the chat (``message/postEmoji``).

        A received [`EmojiMessage`][gewe_async.callbacks.EmojiMessage] carries both.

        Raises:
            TypeError: The event is not a message.
            ValueError: An argument is empty or malformed.
        """
        event = self._message("reply to")
        return await self.client.message.post_emoji(event.app_id, event.chat_id, md5, size)

    async def forward_to(self, chat_id: str, *, cover_img_url: str | None = None) -> SentMessage:
        """Forward the event's image, video, file, link, mini-program or sticker to ``chat_id``.

        Images, videos, files, links and mini-programs go through ``client.message.forward``
        (``message/forwardImage`` ...); a sticker is sent again by its MD5
        (``message/postEmoji``).

        Args:
            chat_id: Where to: a wxid or a group's ``...@chatroom``.
            cover_img_url: The cover image a mini-program needs.

        Raises:
            TypeError: The event is not one of those kinds (a text, a voice message...).
            ValueError: A mini-program without ``cover_img_url``, a sticker without its MD5.
        """
        event = self.event
        if not isinstance(event, _FORWARDABLE):
            raise TypeError(
                f"only {_names(_FORWARDABLE)} can be forwarded, not a {type(event).__name__}"
            )
        if isinstance(event, EmojiMessage):
            if not event.md5 or event.size is None:
                raise ValueError("this sticker's push carries no md5 and size to send it by")
            return await self.client.message.post_emoji(
                event.app_id, chat_id, event.md5, event.size
            )
        return await self.client.message.forward(
            event.app_id, chat_id, event, cover_img_url=cover_img_url
        )

    async def download(self, *, image_type: int = 2) -> str:
        """The URL of the event's image, voice message, video, file or sticker.

        One call of ``client.message.download`` (``message/downloadImage``,
        ``downloadVoice``, ``downloadVideo``, ``downloadFile`` or ``downloadEmojiMd5``);
        the URLs of images, videos and files stay valid for 7 days.

        Args:
            image_type: For an image: 1 high definition, 2 regular, 3 thumbnail.

        Raises:
            TypeError: The event is not one of those kinds (a text, a link...).
        """
        event = self.event
        if not isinstance(event, _DOWNLOADABLE):
            raise TypeError(
                f"only {_names(_DOWNLOADABLE)} can be downloaded, not a {type(event).__name__}"
            )
        return await self.client.message.download(event.app_id, event, image_type=image_type)
