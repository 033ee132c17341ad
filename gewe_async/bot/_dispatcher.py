"""Routers hold handlers; the dispatcher picks the handler of an event and runs it.

The model is aiogram's: handlers registered per event class with filters, routers included
in a dispatcher, middleware around handling, one error handler.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import math
from collections.abc import Awaitable, Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from gewe_async.bot._context import Context
from gewe_async.bot._retry import Outcome, RetryPolicy
from gewe_async.bot.filters import CommandSpec, Filter
from gewe_async.bot.fsm import BaseStorage, MemoryStorage
from gewe_async.callbacks import CallbackEvent, MessageEvent, TestCallback, parse_callback
from gewe_async.exceptions import GeweConfigError

if TYPE_CHECKING:
    from gewe_async._client import AsyncGeweClient
    from gewe_async.fleet import Directory
    from gewe_async.fleet._schedule import Scheduler

__all__ = [
    "CallNext",
    "Dispatcher",
    "ErrorHandler",
    "Handler",
    "HandlerFailedError",
    "HandlerTimeoutError",
    "Middleware",
    "Router",
]

log = logging.getLogger("gewe_async.bot")

E = TypeVar("E", bound=CallbackEvent)
Handler = Callable[[E, Context], Awaitable[Any]]
"""``async def handler(event, ctx)``."""
CallNext = Callable[[CallbackEvent, Context], Awaitable[Any]]
"""What a middleware calls to go on handling the event."""
Middleware = Callable[[CallNext, CallbackEvent, Context], Awaitable[Any]]
"""``async def middleware(call_next, event, ctx)``: call ``await call_next(event, ctx)`` or not."""
ErrorHandler = Callable[[Exception, CallbackEvent, Context], Awaitable[Any]]
"""``async def on_error(error, event, ctx)``: called when a handler or middleware raised."""


@attrs.frozen
class _Registration:
    event_type: type[CallbackEvent]
    filters: tuple[Filter, ...]
    handler: Handler[Any]
    include_self: bool
    flags: Mapping[str, Any] = attrs.field(factory=dict)

    async def accepts(
        self, event: CallbackEvent, ctx: Context | None = None
    ) -> dict[str, Any] | None:
        """The data the filters hand on (``{}`` when none) if the handler takes ``event``."""
        if not isinstance(event, self.event_type):
            return None
        # The test push and the account's own messages only reach handlers that ask for them.
        if isinstance(event, TestCallback) and self.event_type is not TestCallback:
            return None
        if isinstance(event, MessageEvent) and event.is_self and not self.include_self:
            return None
        data: dict[str, Any] = {}
        for check in self.filters:
            found = await check.evaluate(event, ctx)
            if found is None:
                return None
            data.update(found)
        return data


class Router:
    """A set of handlers; include routers in a [`Dispatcher`][gewe_async.bot.Dispatcher].

    The first handler, in registration order, whose event class and filters match an event
    handles it; a router's own handlers come before those of the routers it includes.
    """

    def __init__(self, name: str | None = None) -> None:
        self.name = name or f"router-{id(self):x}"
        self._registrations: list[_Registration] = []
        self._routers: list[Router] = []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} handlers={len(self._registrations)}>"

    def on(
        self,
        event_type: type[E],
        *filters: Filter,
        include_self: bool = False,
        flags: Mapping[str, Any] | None = None,
    ) -> Callable[[Handler[E]], Handler[E]]:
        """Register the decorated ``async def handler(event, ctx)`` for ``event_type``.

        Args:
            event_type: The event class; its subclasses match too (`CallbackEvent` is every
                event, `MessageEvent` every message). The test push reaches only handlers
                registered for `TestCallback` itself.
            *filters: Filters that must all pass (see `gewe_async.bot.filters`).
            include_self: Also take the messages the account itself sent from the phone
                (skipped by default, so a bot does not answer itself).
            flags: Values middleware reads in ``ctx.flags`` when this handler takes the
                event (``{"throttle": False}`` exempts it from a
                [`Throttle`][gewe_async.bot.Throttle]); the handler reads them too.

        Raises:
            TypeError: ``flags`` is not a mapping with str keys.
        """
        if flags is not None and (
            not isinstance(flags, Mapping) or not all(isinstance(k, str) for k in flags)
        ):
            raise TypeError(f"flags must be a mapping with str keys, not {flags!r}")
        frozen = MappingProxyType(dict(flags or {}))

        def register(handler: Handler[E]) -> Handler[E]:
            self._registrations.append(
                _Registration(event_type, tuple(filters), handler, include_self, frozen)
            )
            return handler

        return register

    def include_router(self, router: Router) -> Router:
        """Add the handlers of ``router`` after this router's own; returns ``router``."""
        if router is self or self in router._walk():
            raise ValueError(f"including {router!r} in {self!r} would make a cycle")
        self._routers.append(router)
        return router

    def _walk(self) -> Iterator[Router]:
        yield self
        for router in self._routers:
            yield from router._walk()

    async def _match(
        self, event: CallbackEvent, ctx: Context | None = None
    ) -> _Registration | None:
        # Middleware may have matched the event already (to read the flags): once is enough,
        # the filters may read storage.
        if ctx is not None and ctx._matched is event:
            registration: _Registration | None = ctx._registration
            return registration
        for router in self._walk():
            for registration in router._registrations:
                data = await registration.accepts(event, ctx)
                if data is not None:
                    if ctx is not None:
                        ctx.data.update(data)
                        ctx._found(event, registration)
                    return registration
        if ctx is not None:
            ctx._found(event, None)
        return None

    def commands(self) -> list[CommandSpec]:
        """The commands of the handlers, in registration order, for a help reply.

        Each one's description is the first line of its handler's docstring.
        """
        found: list[CommandSpec] = []
        for router in self._walk():
            for registration in router._registrations:
                doc = (inspect.getdoc(registration.handler) or "").strip().partition("\n")[0]
                for check in registration.filters:
                    found.extend(attrs.evolve(c, description=doc) for c in check.commands)
        return found


async def _log_error(error: Exception, event: CallbackEvent, ctx: Context) -> None:
    log.error(
        "handler failed on %s %s (app %s)",
        type(event).__name__,
        event.idempotency_key,
        event.app_id,
        exc_info=error,
    )


class Dispatcher(Router):
    """The root router: runs middleware, the matching handler and the error handler.

    ```python
    dp = Dispatcher(AsyncGeweClient())
    dp.include_router(router)
    app = ASGIReceiver(dp, secret="s3cret")   # serve it with uvicorn
    ```

    In tests, [`feed`][gewe_async.bot.Dispatcher.feed] runs a raw payload through the
    handlers and returns when they are done.
    """

    def __init__(
        self,
        client: AsyncGeweClient | None = None,
        *,
        concurrency: int = 64,
        name: str | None = None,
        storage: BaseStorage | None = None,
        handler_timeout: float | None = 60.0,
        max_delivery_attempts: int | None = 5,
        directory: Directory | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Make a dispatcher.

        Args:
            client: The client handlers call (``ctx.client``, ``ctx.reply``).
            concurrency: How many events are handled at once by a receiver; events of one
                chat are always handled one after another.
            name: A name for logs.
            storage: Where conversations (``ctx.state``) are kept; a
                [`MemoryStorage`][gewe_async.bot.fsm.MemoryStorage] when `None`.
            handler_timeout: Seconds an event's handling (middleware and handler) may take;
                past it the handler is cancelled and the error handler gets a
                [`HandlerTimeoutError`][gewe_async.bot.HandlerTimeoutError] (not retried by
                default: the event becomes a dead letter, and its chat goes on). `None` for
                no limit.
            max_delivery_attempts: A journal entry delivered more often than this (the
                process died while handling it each time) is a poison push: logged as an
                error and kept as a dead letter of the journal, without running handlers.
                `None` for no limit.
            directory: A [`Directory`][gewe_async.fleet.Directory] of contacts and groups
                (``ctx.directory``), kept in ``storage`` and updated from each push first.
            retry: How an event whose handler failed is retried before it becomes a dead
                letter (see [`RetryPolicy`][gewe_async.bot.RetryPolicy]): by default 3 runs
                for transient errors (network, timeouts, HTTP 5xx) and
                [`Retry`][gewe_async.bot.Retry], 1 s then 2 s apart (with jitter).
        """
        super().__init__(name or "dispatcher")
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        if handler_timeout is not None and (
            isinstance(handler_timeout, bool)
            or not isinstance(handler_timeout, int | float)
            or not math.isfinite(handler_timeout)
            or handler_timeout <= 0
        ):
            raise ValueError(
                f"handler_timeout must be a positive number of seconds or None, "
                f"got {handler_timeout!r}"
            )
        if max_delivery_attempts is not None and (
            isinstance(max_delivery_attempts, bool)
            or not isinstance(max_delivery_attempts, int)
            or max_delivery_attempts < 1
        ):
            raise ValueError(
                f"max_delivery_attempts must be an int of at least 1 or None, "
                f"got {max_delivery_attempts!r}"
            )
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy or None, got {type(retry).__name__}")
        self.handler_timeout = handler_timeout
        self.max_delivery_attempts = max_delivery_attempts
        self.retry: RetryPolicy = retry if retry is not None else RetryPolicy()
        """How failed events are retried before they become dead letters."""
        self._client = client
        self.concurrency = concurrency
        self._middleware: list[Middleware] = []
        self._on_error: ErrorHandler = _log_error
        self.storage: BaseStorage = storage if storage is not None else MemoryStorage()
        """Where conversations (``ctx.state``) are kept."""
        self.storage_given = storage is not None
        """Whether the storage was chosen (`storage=`), not the default: the CLI keeps it."""
        self.directory = directory
        """The contact directory handlers read as ``ctx.directory`` (`None`: none)."""
        if directory is not None:
            directory.bind(self)

    @property
    def client(self) -> AsyncGeweClient:
        """The client handlers call through; set it before handling events.

        Raises:
            GeweConfigError: No client was given.
        """
        if self._client is None:
            raise GeweConfigError(
                "this dispatcher has no client: Dispatcher(client) or dp.client = c"
            )
        return self._client

    @client.setter
    def client(self, client: AsyncGeweClient) -> None:
        self._client = client

    @functools.cached_property
    def schedule(self) -> Scheduler:
        """Jobs per account on a timer: a [`Scheduler`][gewe_async.fleet.Scheduler].

        It calls jobs with this dispatcher's client and records their runs in its
        ``storage``, so that a run is done once across workers and restarts.
        """
        from gewe_async.fleet._schedule import Scheduler

        return Scheduler(lambda: self.client, store=lambda: self.storage)

    def _context(self, event: CallbackEvent, attempt: int) -> Context:
        """The context of one handling: what the handlers need, not the dispatcher itself."""
        return Context(
            event,
            client=self._client,
            storage=self.storage,
            attempt=attempt,
            commands=self.commands,
            matcher=self._match,
            directory=self.directory,
        )

    def middleware(self, middleware: Middleware) -> Middleware:
        """Add ``middleware`` around the handling of every event (usable as a decorator).

        The first added is the outermost. A middleware that does not call ``call_next``
        drops the event (auth); exceptions of handlers pass through it (metrics). The
        filters have run before the first middleware: ``ctx.handler`` is the handler that
        will take the event (`None` if none) and ``ctx.flags`` its flags, as a
        [`Throttle`][gewe_async.bot.Throttle] reads them.

        ```python
        @dp.middleware
        async def timing(call_next, event, ctx):
            started = time.perf_counter()
            try:
                return await call_next(event, ctx)
            finally:
                metrics.observe(time.perf_counter() - started)
        ```
        """
        self._middleware.append(middleware)
        return middleware

    def error_handler(self, handler: ErrorHandler) -> ErrorHandler:
        """Call ``handler(error, event, ctx)`` when a handler or middleware raises.

        The default logs the error with its traceback. It is called once per event, with the
        last error, after the retries of the dispatcher's `retry` policy; from a journal the
        event then becomes a dead letter (see `Journal.dead_letters`).
        """
        self._on_error = handler
        return handler

    def parse(self, body: bytes | str | Mapping[str, Any]) -> CallbackEvent:
        """Parse a pushed body into its event.

        Raises:
            GeweCallbackError: The body is not a GeWe callback.
        """
        return parse_callback(body)

    async def feed(self, payload: bytes | str | Mapping[str, Any]) -> bool:
        """Parse ``payload`` and handle it now; return whether a handler took it.

        Raises:
            GeweCallbackError: The payload is not a GeWe callback.
        """
        return (await self.dispatch(self.parse(payload))).handled

    async def _applied_before(self, event: CallbackEvent, ctx: Context) -> bool:
        """Whether a message handed out again already wrote its conversation (then not rerun).

        A push whose handler ran and wrote ``ctx.state`` but whose acknowledgement was lost (the
        process died between the two), or whose handler raised after writing, would otherwise
        be taken as the next answer of the form: the name taken again as the city.
        """
        if not isinstance(event, MessageEvent) or not await _applied(event, ctx):
            return False
        log.warning(
            "%s wrote its conversation already (before a crash or a failure): not handled again",
            event.idempotency_key,
        )
        return True

    async def dispatch(
        self, event: CallbackEvent, *, attempt: int = 1, run: int | None = None
    ) -> Outcome:
        """Run middleware and the matching handler on ``event`` once; say how it went.

        Exceptions of handlers and middleware are never raised to the caller: they are in
        the outcome. When the runner will retry (``run`` given, and the dispatcher's
        [`RetryPolicy`][gewe_async.bot.RetryPolicy] retries this error after this run), the
        outcome has ``retry_after`` and the error handler is not called yet; otherwise the
        error handler gets the error (once per event, with its last error).

        Args:
            event: The event to handle.
            attempt: What the handler sees as ``ctx.attempt``.
            run: Which run of the event this is in the runner's retries (1 the first);
                `None` when nothing retries it (``feed``): every failure is final.
        """
        if isinstance(event, TestCallback):
            log.info("test push received: the callback URL works")
        ctx = self._context(event, attempt)
        if attempt > 1 and await self._applied_before(event, ctx):
            return Outcome(True)
        handled = False

        async def route(event: CallbackEvent, ctx: Context) -> Any:
            nonlocal handled
            registration = await self._match(event, ctx)
            if registration is None:
                return None
            handled = True
            return await registration.handler(event, ctx)

        call: CallNext = route
        for middleware in reversed(self._middleware):
            call = _wrap(middleware, call)
        error: Exception | None = None
        deadline = asyncio.timeout(self.handler_timeout)
        try:
            async with deadline:
                await call(event, ctx)
        except TimeoutError as exc:
            error = exc
            if deadline.expired():
                error = HandlerTimeoutError(
                    f"handling {event.idempotency_key} took over {self.handler_timeout:g} s: "
                    "cancelled"
                )
                error.__cause__ = exc
        except Exception as exc:
            error = exc
        except asyncio.CancelledError as exc:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # cancelled from outside (shutdown): not the handler's failure
            error = HandlerFailedError("the handler raised CancelledError itself")
            error.__cause__ = exc
        except (SystemExit, KeyboardInterrupt) as exc:
            # A handler must not take the process down: a durable journal would hand the
            # same push back at every restart.
            error = HandlerFailedError(f"the handler raised {type(exc).__name__}")
            error.__cause__ = exc
        if error is None:
            return Outcome(handled)
        retry_after = None if run is None else self.retry.delay(error, run)
        if retry_after is None:
            try:
                await self._on_error(error, event, ctx)
            except Exception:
                log.exception("the error handler failed on %s", event.idempotency_key)
        return Outcome(handled, error, retry_after)


class HandlerFailedError(Exception):
    """Given to the error handler when a handler raised what is not an `Exception`.

    `CancelledError` raised by the handler itself (not a shutdown), `SystemExit` or
    `KeyboardInterrupt`: the event counts as handled, the original is the `__cause__`.
    """


class HandlerTimeoutError(HandlerFailedError, TimeoutError):
    """Given to the error handler when handling an event took over ``handler_timeout``."""


async def _applied(event: CallbackEvent, ctx: Context) -> bool:
    try:
        return await ctx.state.applied()
    except Exception:  # a storage that fails here must not stop the handling
        log.warning("could not read whether %s was applied", event.idempotency_key, exc_info=True)
        return False


def _wrap(middleware: Middleware, call_next: CallNext) -> CallNext:
    async def call(event: CallbackEvent, ctx: Context) -> Any:
        # Filters run before middleware, so that middleware sees the handler and its flags.
        await ctx._resolve(event)
        return await middleware(call_next, event, ctx)

    return call
