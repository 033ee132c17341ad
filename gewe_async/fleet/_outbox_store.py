"""The outbox's records in SQLite (a file, or memory) or Redis: one backend per kind.

Every item is in one of five states; a *lane* is one appId's queue, and at most one item of a
lane is ``sending`` at a time, across every process sharing the store, so an account's sends
keep their order and pace.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from typing import Any, Final

import attrs

from gewe_async.fleet._store import RedisScripts, SqliteStore, Where, text

Row = dict[str, Any]

STATES: Final = ("pending", "sending", "sent", "failed", "unknown")

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS gewe_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id TEXT NOT NULL,
    method TEXT NOT NULL,
    args TEXT NOT NULL,
    tag TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    owner TEXT,
    token TEXT,
    lease_until REAL,
    created_at REAL NOT NULL,
    settled_at REAL,
    error TEXT,
    result TEXT
);
CREATE INDEX IF NOT EXISTS gewe_outbox_lane ON gewe_outbox (app_id, state, id);
CREATE INDEX IF NOT EXISTS gewe_outbox_state ON gewe_outbox (state, lease_until);
CREATE TABLE IF NOT EXISTS gewe_outbox_lanes (
    app_id TEXT PRIMARY KEY,
    busy INTEGER NOT NULL,
    ready_at REAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS gewe_outbox_ready ON gewe_outbox_lanes (busy, ready_at);
"""

_COLUMNS: Final = (
    "id, app_id, method, args, tag, state, attempts, next_at, owner, token, lease_until, "
    "created_at, settled_at, error, result"
)


def _row(values: tuple[Any, ...]) -> Row:
    return dict(zip([c.strip() for c in _COLUMNS.split(",")], values, strict=True))


@attrs.frozen
class Settle:
    """What became of one delivery, to record."""

    item_id: int
    app_id: str
    token: str
    state: str
    now: float
    next_at: float | None = None
    error: str | None = None
    result: str | None = None
    uncount: bool = False


def _settle(conn: sqlite3.Connection, one: Settle) -> bool:
    # The common case in one statement: the item is still ``sending`` under this token, so
    # once settled its lane has nothing in flight. Otherwise (reported unknown meanwhile, or
    # resent, or forgotten) the slower path below decides.
    for state in ("sending", "unknown"):
        if one.state == "pending":
            cursor = conn.execute(
                "UPDATE gewe_outbox SET state = 'pending', next_at = ?, error = ?, "
                "token = NULL, owner = NULL, lease_until = NULL, attempts = attempts - ? "
                "WHERE id = ? AND token = ? AND state = ?",
                (
                    one.next_at if one.next_at is not None else one.now,
                    one.error,
                    1 if one.uncount else 0,
                    one.item_id,
                    one.token,
                    state,
                ),
            )
        else:
            cursor = conn.execute(
                "UPDATE gewe_outbox SET state = ?, settled_at = ?, error = ?, result = ?, "
                "lease_until = NULL WHERE id = ? AND token = ? AND state = ?",
                (one.state, one.now, one.error, one.result, one.item_id, one.token, state),
            )
        if cursor.rowcount == 1:
            _refresh(conn, one.app_id, busy=None if state == "unknown" else False)
            return True
    return False  # resent or forgotten meanwhile: that decision stands


def _refresh(conn: sqlite3.Connection, app_id: str, busy: bool | None = None) -> None:
    """Bring the lane's row up to date (``busy``: known already, or `None` to look)."""
    head = conn.execute(
        "SELECT next_at FROM gewe_outbox WHERE app_id = ? AND state = 'pending' "
        "ORDER BY id LIMIT 1",
        (app_id,),
    ).fetchone()
    if busy is None:
        busy = (
            conn.execute(
                "SELECT 1 FROM gewe_outbox WHERE app_id = ? AND state = 'sending' LIMIT 1",
                (app_id,),
            ).fetchone()
            is not None
        )
    if head is None and not busy:
        conn.execute("DELETE FROM gewe_outbox_lanes WHERE app_id = ?", (app_id,))
    else:
        conn.execute(
            "INSERT OR REPLACE INTO gewe_outbox_lanes (app_id, busy, ready_at) VALUES (?, ?, ?)",
            (app_id, 1 if busy else 0, None if head is None else head[0]),
        )


class SqliteOutboxStore(SqliteStore):
    """The outbox in an SQLite file, or in memory (``path=":memory:"``)."""

    SCHEMA = _SCHEMA

    async def add(self, rows: list[tuple[str, str, str, str]], now: float) -> list[int]:
        def work(conn: sqlite3.Connection) -> list[int]:
            ids = []
            for app_id, method, args, tag in rows:
                cursor = conn.execute(
                    "INSERT INTO gewe_outbox (app_id, method, args, tag, state, next_at, "
                    "created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                    (app_id, method, args, tag, now, now),
                )
                ids.append(int(cursor.lastrowid or 0))
            for app_id in {r[0] for r in rows}:
                _refresh(conn, app_id)
            return ids

        return await self.db.run(work)

    async def claim(self, owner: str, now: float, lease_until: float, limit: int) -> list[Row]:
        def work(conn: sqlite3.Connection) -> list[Row]:
            apps = conn.execute(
                "SELECT app_id FROM gewe_outbox_lanes WHERE busy = 0 AND ready_at <= ? "
                "ORDER BY ready_at LIMIT ?",
                (now, limit),
            ).fetchall()
            claimed = []
            for (app_id,) in apps:
                found = conn.execute(
                    f"SELECT {_COLUMNS} FROM gewe_outbox WHERE app_id = ? "  # noqa: S608 - constant
                    "AND state = 'pending' ORDER BY id LIMIT 1",
                    (app_id,),
                ).fetchone()
                if found is None or found[7] > now:
                    _refresh(conn, app_id)
                    continue
                row = _row(found)
                token = secrets.token_hex(8)
                conn.execute(
                    "UPDATE gewe_outbox SET state = 'sending', owner = ?, token = ?, "
                    "lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                    (owner, token, lease_until, row["id"]),
                )
                conn.execute("UPDATE gewe_outbox_lanes SET busy = 1 WHERE app_id = ?", (app_id,))
                row.update(state="sending", owner=owner, token=token, attempts=row["attempts"] + 1)
                claimed.append(row)
            return claimed

        return await self.db.run(work)

    async def settle_many(self, settles: list[Settle]) -> list[bool]:
        def work(conn: sqlite3.Connection) -> list[bool]:
            return [_settle(conn, one) for one in settles]

        return await self.db.run(work)

    async def orphan(self, now: float, owner: str | None, why: str) -> int:
        """Sends in flight of ``owner`` (or whose lease passed) become ``unknown``."""

        def work(conn: sqlite3.Connection) -> int:
            if owner is None:
                rows = conn.execute(
                    "SELECT id, app_id FROM gewe_outbox WHERE state = 'sending' AND "
                    "lease_until < ?",
                    (now,),
                ).fetchall()
            else:
                rows = conn.execute(
                    "SELECT id, app_id FROM gewe_outbox WHERE state = 'sending' AND owner = ?",
                    (owner,),
                ).fetchall()
            for item_id, _ in rows:
                conn.execute(
                    "UPDATE gewe_outbox SET state = 'unknown', settled_at = ?, error = ?, "
                    "lease_until = NULL WHERE id = ?",
                    (now, why, item_id),
                )
            for app_id in {r[1] for r in rows}:
                _refresh(conn, app_id)
            return len(rows)

        return await self.db.run(work)

    async def resend(self, item_id: int, now: float) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            found = conn.execute(
                "SELECT app_id, state FROM gewe_outbox WHERE id = ?", (item_id,)
            ).fetchone()
            if found is None or found[1] not in ("unknown", "failed"):
                return False
            conn.execute(
                "UPDATE gewe_outbox SET state = 'pending', next_at = ?, attempts = 0, "
                "token = NULL, owner = NULL, settled_at = NULL WHERE id = ?",
                (now, item_id),
            )
            _refresh(conn, found[0])
            return True

        return await self.db.run(work)

    async def forget(self, item_id: int) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            found = conn.execute(
                "SELECT app_id, state FROM gewe_outbox WHERE id = ?", (item_id,)
            ).fetchone()
            if found is None or found[1] == "sending":
                return False
            conn.execute("DELETE FROM gewe_outbox WHERE id = ?", (item_id,))
            _refresh(conn, found[0])
            return True

        return await self.db.run(work)

    async def get(self, item_id: int) -> Row | None:
        def work(conn: sqlite3.Connection) -> Row | None:
            found = conn.execute(
                f"SELECT {_COLUMNS} FROM gewe_outbox WHERE id = ?",  # noqa: S608 - constant
                (item_id,),
            ).fetchone()
            return None if found is None else _row(found)

        return await self.db.run(work)

    async def items(self, state: str | None, app_id: str | None, limit: int) -> list[Row]:
        def work(conn: sqlite3.Connection) -> list[Row]:
            where, args = [], []
            if state is not None:
                where.append("state = ?")
                args.append(state)
            if app_id is not None:
                where.append("app_id = ?")
                args.append(app_id)
            sql = f"SELECT {_COLUMNS} FROM gewe_outbox"  # noqa: S608 - constants and ? only
            if where:
                sql += " WHERE " + " AND ".join(where)
            rows = conn.execute(sql + " ORDER BY id LIMIT ?", (*args, limit)).fetchall()
            return [_row(r) for r in rows]

        return await self.db.run(work)

    async def counts(self) -> dict[str, int]:
        def work(conn: sqlite3.Connection) -> dict[str, int]:
            found = dict(
                conn.execute("SELECT state, COUNT(*) FROM gewe_outbox GROUP BY state").fetchall()
            )
            return {s: int(found.get(s, 0)) for s in STATES}

        return await self.db.run(work)

    async def next_due(self) -> float | None:
        def work(conn: sqlite3.Connection) -> float | None:
            ready = conn.execute(
                "SELECT MIN(ready_at) FROM gewe_outbox_lanes WHERE busy = 0"
            ).fetchone()[0]
            lease = conn.execute(
                "SELECT MIN(lease_until) FROM gewe_outbox WHERE state = 'sending'"
            ).fetchone()[0]
            times = [t for t in (ready, lease) if t is not None]
            return min(times) if times else None

        return await self.db.run(work)


# -- Redis ------------------------------------------------------------------------------------
# Keys, under the prefix P: P:ob:seq (ids), P:ob:i:<id> (an item's hash), P:ob:q:<app> (the
# lane's pending ids), P:ob:ready (lanes with a pending head and none sending, by when the head
# may go), P:ob:busy (lane -> the id sending), P:ob:sending (ids by lease end), P:ob:s:<state>
# (ids per state, to list and count). Each step is one script: atomic for every worker.

_LUA_COMMON: Final = """
local P = ARGV[1]
local function refresh(app)
  if redis.call('HEXISTS', P..':ob:busy', app) == 1 then
    redis.call('ZREM', P..':ob:ready', app) return
  end
  local head = redis.call('ZRANGE', P..':ob:q:'..app, 0, 0)
  if #head == 0 then redis.call('ZREM', P..':ob:ready', app) return end
  redis.call('ZADD', P..':ob:ready', redis.call('HGET', P..':ob:i:'..head[1], 'next_at'), app)
end
local function move(id, from, to)
  redis.call('ZREM', P..':ob:s:'..from, id)
  redis.call('ZADD', P..':ob:s:'..to, id, id)
end
local function unbusy(app, id)
  if redis.call('HGET', P..':ob:busy', app) == id then redis.call('HDEL', P..':ob:busy', app) end
  redis.call('ZREM', P..':ob:sending', id)
end
"""

_LUA_ADD: Final = """
local ids, touched = {}, {}
for i = 3, #ARGV, 4 do
  local app = ARGV[i]
  local id = redis.call('INCR', P..':ob:seq')
  redis.call('HSET', P..':ob:i:'..id, 'app_id', app, 'method', ARGV[i+1], 'args', ARGV[i+2],
    'tag', ARGV[i+3], 'state', 'pending', 'attempts', 0, 'next_at', ARGV[2], 'created_at', ARGV[2])
  redis.call('ZADD', P..':ob:q:'..app, id, id)
  redis.call('ZADD', P..':ob:s:pending', id, id)
  ids[#ids+1] = id
  touched[app] = true
end
for app in pairs(touched) do refresh(app) end
return ids
"""

_LUA_CLAIM: Final = """
local apps = redis.call('ZRANGEBYSCORE', P..':ob:ready', '-inf', ARGV[2], 'LIMIT', 0, ARGV[4])
local out = {}
for n, app in ipairs(apps) do
  local head = redis.call('ZRANGE', P..':ob:q:'..app, 0, 0)
  if #head > 0 then
    local id = head[1]
    local key = P..':ob:i:'..id
    redis.call('HSET', key, 'state', 'sending', 'owner', ARGV[5], 'token', ARGV[6]..n,
      'lease_until', ARGV[3])
    redis.call('HINCRBY', key, 'attempts', 1)
    redis.call('ZREM', P..':ob:q:'..app, id)
    redis.call('HSET', P..':ob:busy', app, id)
    redis.call('ZADD', P..':ob:sending', ARGV[3], id)
    move(id, 'pending', 'sending')
    out[#out+1] = id
  end
  refresh(app)
end
return out
"""

_LUA_SETTLE: Final = """
local id = ARGV[2]
local key = P..':ob:i:'..id
local cur = redis.call('HMGET', key, 'token', 'state', 'app_id')
if cur[1] ~= ARGV[3] or (cur[2] ~= 'sending' and cur[2] ~= 'unknown') then return 0 end
local app = cur[3]
unbusy(app, id)
move(id, cur[2], ARGV[4])
redis.call('HSET', key, 'state', ARGV[4], 'error', ARGV[7])
redis.call('HDEL', key, 'lease_until')
if ARGV[4] == 'pending' then
  redis.call('HSET', key, 'next_at', ARGV[6])
  redis.call('HDEL', key, 'token', 'owner')
  if ARGV[9] == '1' then redis.call('HINCRBY', key, 'attempts', -1) end
  redis.call('ZADD', P..':ob:q:'..app, id, id)
else
  redis.call('HSET', key, 'settled_at', ARGV[5], 'result', ARGV[8])
end
refresh(app)
return 1
"""

_LUA_ORPHAN: Final = """
local ids
if ARGV[3] == '' then
  ids = redis.call('ZRANGEBYSCORE', P..':ob:sending', '-inf', '('..ARGV[2])
else
  ids = redis.call('ZRANGE', P..':ob:sending', 0, -1)
end
local n = 0
for _, id in ipairs(ids) do
  local key = P..':ob:i:'..id
  if ARGV[3] == '' or redis.call('HGET', key, 'owner') == ARGV[3] then
    local app = redis.call('HGET', key, 'app_id')
    redis.call('HSET', key, 'state', 'unknown', 'error', ARGV[4], 'settled_at', ARGV[2])
    redis.call('HDEL', key, 'lease_until')
    unbusy(app, id)
    move(id, 'sending', 'unknown')
    refresh(app)
    n = n + 1
  end
end
return n
"""

_LUA_RESEND: Final = """
local id = ARGV[2]
local key = P..':ob:i:'..id
local cur = redis.call('HMGET', key, 'state', 'app_id')
if cur[1] ~= 'unknown' and cur[1] ~= 'failed' then return 0 end
redis.call('HSET', key, 'state', 'pending', 'next_at', ARGV[3], 'attempts', 0)
redis.call('HDEL', key, 'token', 'owner', 'settled_at')
redis.call('ZADD', P..':ob:q:'..cur[2], id, id)
move(id, cur[1], 'pending')
refresh(cur[2])
return 1
"""

_LUA_FORGET: Final = """
local id = ARGV[2]
local key = P..':ob:i:'..id
local cur = redis.call('HMGET', key, 'state', 'app_id')
if not cur[1] or cur[1] == 'sending' then return 0 end
redis.call('ZREM', P..':ob:q:'..cur[2], id)
redis.call('ZREM', P..':ob:s:'..cur[1], id)
redis.call('DEL', key)
refresh(cur[2])
return 1
"""

_FLOATS: Final = ("next_at", "lease_until", "created_at", "settled_at")


def _from_hash(item_id: int, raw: dict[Any, Any]) -> Row | None:
    if not raw:
        return None
    fields = {text(k): text(v) for k, v in raw.items()}
    row: Row = {
        "id": item_id,
        "app_id": fields["app_id"],
        "method": fields["method"],
        "args": fields["args"],
        "tag": fields.get("tag", ""),
        "state": fields["state"],
        "attempts": int(fields.get("attempts", "0")),
        "owner": fields.get("owner"),
        "token": fields.get("token"),
        "error": fields.get("error") or None,
        "result": fields.get("result") or None,
    }
    for name in _FLOATS:
        value = fields.get(name)
        row[name] = None if value in (None, "") else float(value)
    return row


class RedisOutboxStore(RedisScripts):
    """The outbox in Redis, shared by every worker (scripts: each step is atomic)."""

    SCRIPTS = tuple(
        (name, _LUA_COMMON + body)
        for name, body in (
            ("add", _LUA_ADD),
            ("claim", _LUA_CLAIM),
            ("settle", _LUA_SETTLE),
            ("orphan", _LUA_ORPHAN),
            ("resend", _LUA_RESEND),
            ("forget", _LUA_FORGET),
        )
    )

    async def _rows(self, ids: list[int]) -> list[Row]:
        if not ids:
            return []
        client = await self.conn.open()
        async with client.pipeline(transaction=False) as pipe:
            for item_id in ids:
                pipe.hgetall(f"{self.prefix}:ob:i:{item_id}")
            raws = await pipe.execute()
        return [r for i, raw in zip(ids, raws, strict=True) if (r := _from_hash(i, raw))]

    async def add(self, rows: list[tuple[str, str, str, str]], now: float) -> list[int]:
        flat: list[Any] = [repr(now)]
        for row in rows:
            flat.extend(row)
        return [int(i) for i in await self._call("add", *flat)]

    async def claim(self, owner: str, now: float, lease_until: float, limit: int) -> list[Row]:
        token = secrets.token_hex(8) + "-"
        ids = await self._call("claim", repr(now), repr(lease_until), limit, owner, token)
        return await self._rows([int(i) for i in ids])

    async def settle_many(self, settles: list[Settle]) -> list[bool]:
        if not self._scripts:
            await self.open()
        client = await self.conn.open()
        script = self._scripts["settle"]
        async with client.pipeline(transaction=False) as pipe:
            for one in settles:
                args = [
                    self.prefix,
                    one.item_id,
                    one.token,
                    one.state,
                    repr(one.now),
                    repr(one.next_at if one.next_at is not None else one.now),
                    one.error or "",
                    one.result or "",
                    "1" if one.uncount else "0",
                ]
                await script(keys=[], args=args, client=pipe)
            done = await pipe.execute()
        return [bool(d) for d in done]

    async def orphan(self, now: float, owner: str | None, why: str) -> int:
        return int(await self._call("orphan", repr(now), owner or "", why))

    async def resend(self, item_id: int, now: float) -> bool:
        return bool(await self._call("resend", item_id, repr(now)))

    async def forget(self, item_id: int) -> bool:
        return bool(await self._call("forget", item_id))

    async def get(self, item_id: int) -> Row | None:
        rows = await self._rows([item_id])
        return rows[0] if rows else None

    async def items(self, state: str | None, app_id: str | None, limit: int) -> list[Row]:
        client = await self.conn.open()
        ids: list[int] = []
        for name in STATES if state is None else (state,):
            ids += [int(text(i)) for i in await client.zrange(f"{self.prefix}:ob:s:{name}", 0, -1)]
        rows = await self._rows(sorted(ids))
        return [r for r in rows if app_id is None or r["app_id"] == app_id][:limit]

    async def counts(self) -> dict[str, int]:
        client = await self.conn.open()
        async with client.pipeline(transaction=False) as pipe:
            for name in STATES:
                pipe.zcard(f"{self.prefix}:ob:s:{name}")
            found = await pipe.execute()
        return {name: int(n) for name, n in zip(STATES, found, strict=True)}

    async def next_due(self) -> float | None:
        client = await self.conn.open()
        times = []
        for key in (f"{self.prefix}:ob:ready", f"{self.prefix}:ob:sending"):
            first = await client.zrange(key, 0, 0, withscores=True)
            if first:
                times.append(float(first[0][1]))
        return min(times) if times else None


OutboxStore = SqliteOutboxStore | RedisOutboxStore


def make_store(where: Where) -> OutboxStore:
    """The backend for a resolved store."""
    if where.kind == "redis":
        return RedisOutboxStore(where)
    return SqliteOutboxStore(where.path)


def dumps(value: Any) -> str:
    """JSON text, refusing what JSON would not give back as it was."""
    from gewe_async.bot.fsm._base import _check_json

    _check_json(value, "the send's arguments")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
