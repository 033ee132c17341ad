"""Conversations in Redis: shared by every worker of a bot, kept as long as Redis keeps them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from gewe_async.bot._burst import Burst
from gewe_async.bot._redis import import_redis
from gewe_async.bot.fsm._base import BaseStorage, Scope, _Keep

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = ["RedisStorage"]

# The hash field of the state name; data names are stored as "d:<name>", so no name clashes.
_Op = tuple[Literal["read", "state", "write", "delete"], str, list[str | int]]
_STATE: Final = "s"
_DATA: Final = "d:"
# One write, atomic as every script is: ARGV = ttl in ms (0: none), replace (1/0), what to do
# with the state (keep/none/set), the state, then data field/value pairs. One round trip,
# where MULTI/HSET/PEXPIRE/EXEC costs the client four commands' work.
_WRITE: Final = """
local key = KEYS[1]
if ARGV[2] == '1' then
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, 2) == 'd:' then redis.call('HDEL', key, field) end
  end
end
if ARGV[3] == 'set' then redis.call('HSET', key, 's', ARGV[4])
elseif ARGV[3] == 'none' then redis.call('HSET', key, 's', '') end
if #ARGV > 4 then redis.call('HSET', key, unpack(ARGV, 5)) end
if ARGV[1] == '0' then redis.call('PERSIST', key) else redis.call('PEXPIRE', key, ARGV[1]) end
return 0
"""


class RedisStorage(BaseStorage):
    """Conversations in Redis, one hash per conversation (redis-py's asyncio client).

    The next message of a conversation may be handled by another worker: it reads the
    same hash. Each write is one Lua script (atomic, as every script is) touching only the
    names it sets, so concurrent `update`s of different names all land; the time-to-live is
    Redis's own (``PEXPIRE``), restarted by each write. The commands of many chats issued
    while a round trip is under way go together in the next one (a pipeline); nothing is
    cached, so every worker reads what the others wrote.

    Args:
        url: The server (``redis://127.0.0.1:6379/0``); ignored when ``client`` is given.
        prefix: Key prefix (one bot, one prefix); keys are ``<prefix>:state:<app>:<chat>:<sender>``.
        ttl: Seconds after its last change a conversation is forgotten (`None`: never).
        scope: Whose conversation a message belongs to.
        client: A `redis.asyncio.Redis` to use (not closed by the storage).
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "gewe",
        ttl: float | None = None,
        scope: Scope = "chat_sender",
        client: Redis | None = None,
    ) -> None:
        super().__init__(ttl=ttl, scope=scope)
        if not prefix or any(c.isspace() or c in "{}" for c in prefix):
            raise ValueError(
                f"the Redis prefix must be non-empty, without spaces or braces: {prefix!r}"
            )
        self._url = url
        self._prefix = prefix
        self._given = client
        self._client: Redis | None = client
        self._write_script: AsyncScript | None = None
        self._send: Burst[_Op, Any] = Burst(self._pipeline, "gewe-redis-state")

    def __repr__(self) -> str:
        return f"RedisStorage(prefix={self._prefix!r})"  # the URL may hold a password

    @property
    def _redis(self) -> Redis:
        assert self._client is not None
        return self._client

    async def _open(self) -> None:
        if self._given is None:
            aioredis = import_redis("RedisStorage needs redis-py: pip install 'gewe-async[redis]'")
            self._client = aioredis.Redis.from_url(self._url)
        self._write_script = self._redis.register_script(_WRITE)

    async def _close(self) -> None:
        await self._send.wait()
        if self._given is None and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _key(self, key: str) -> str:
        return f"{self._prefix}:state:{key}"

    # -- one round trip for the commands of many chats ------------------------------------

    async def _pipeline(self, ops: Sequence[_Op]) -> Sequence[Any]:
        """The commands queued while the last round trip ran, in one pipeline."""
        if len(ops) == 1:  # no pipeline's bookkeeping for a lone command
            return [await self._command(self._redis, ops[0])]
        pipe = self._redis.pipeline(transaction=False)
        for op in ops:
            await self._command(pipe, op)
        results: list[Any] = await pipe.execute(raise_on_error=False)
        return results

    async def _command(self, client: Any, op: _Op) -> Any:
        what, key, args = op
        if what == "read":
            return await client.hgetall(key)
        if what == "state":
            return await client.hget(key, _STATE)
        if what == "delete":
            return await client.delete(key)
        assert self._write_script is not None
        return await self._write_script(keys=[key], args=args, client=client)

    async def _read_state(self, key: str) -> str | None:
        # HGET of one field: a smaller answer to parse than the whole hash.
        raw = await self._send(("state", self._key(key), []))
        value = raw.decode() if isinstance(raw, bytes) else raw
        return value or None

    async def _read(self, key: str) -> tuple[str | None, dict[str, str]] | None:
        raw = await self._send(("read", self._key(key), []))
        if not raw:
            return None
        state: str | None = None
        fields: dict[str, str] = {}
        for name, value in raw.items():
            field = name.decode() if isinstance(name, bytes) else name
            value = value.decode() if isinstance(value, bytes) else value
            if field == _STATE:
                state = value or None
            elif field.startswith(_DATA):
                fields[field[len(_DATA) :]] = value
        return state, fields

    async def _write(
        self, key: str, state: str | _Keep | None, fields: Mapping[str, str], *, replace: bool
    ) -> None:
        if isinstance(state, _Keep):
            what, name = "keep", ""
        elif state is None:
            what, name = "none", ""
        else:
            what, name = "set", state
        args: list[str | int] = [
            0 if self.ttl is None else max(1, int(self.ttl * 1000)),
            1 if replace else 0,
            what,
            name,
        ]
        for field, value in fields.items():
            args += (_DATA + field, value)
        await self._send(("write", self._key(key), args))

    async def _delete(self, key: str) -> None:
        await self._send(("delete", self._key(key), []))
