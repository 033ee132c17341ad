"""The scheduler's records: each (job, account)'s last claimed run, and one-shot plans.

A run is claimed before it starts by moving the record's ``slot`` forward (a compare and
set, atomic in SQLite's ``BEGIN IMMEDIATE`` and in a Redis script): of all the workers that
try a slot, one wins, and a slot once claimed is never claimed again, so a restart neither
repeats a run nor, with the record's ``since``, forgets one it missed.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Final

from gewe_async.fleet._store import RedisScripts, SqliteStore, Where, text

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS gewe_schedule_runs (
    job TEXT NOT NULL,
    app_id TEXT NOT NULL,
    since REAL NOT NULL,
    slot REAL,
    owner TEXT,
    lease_until REAL,
    finished INTEGER NOT NULL DEFAULT 1,
    outcome TEXT,
    PRIMARY KEY (job, app_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gewe_schedule_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job TEXT NOT NULL,
    app_id TEXT NOT NULL,
    at REAL NOT NULL,
    data TEXT NOT NULL,
    state TEXT NOT NULL,
    owner TEXT,
    lease_until REAL,
    outcome TEXT
);
CREATE INDEX IF NOT EXISTS gewe_schedule_plans_due ON gewe_schedule_plans (state, at);
"""

Key = tuple[str, str]
Plan = dict[str, Any]


def _plan(row: tuple[Any, ...]) -> Plan:
    names = ("id", "job", "app_id", "at", "data", "state", "outcome")
    plan = dict(zip(names, row, strict=True))
    plan["data"] = json.loads(plan["data"])
    return plan


class SqliteScheduleStore(SqliteStore):
    """The scheduler's records in an SQLite file, or in memory."""

    SCHEMA = _SCHEMA

    async def anchor(self, keys: list[Key], now: float) -> dict[Key, tuple[float, float | None]]:
        def work(conn: sqlite3.Connection) -> dict[Key, tuple[float, float | None]]:
            found = {}
            for job, app_id in keys:
                conn.execute(
                    "INSERT OR IGNORE INTO gewe_schedule_runs (job, app_id, since) "
                    "VALUES (?, ?, ?)",
                    (job, app_id, now),
                )
                row = conn.execute(
                    "SELECT since, slot FROM gewe_schedule_runs WHERE job = ? AND app_id = ?",
                    (job, app_id),
                ).fetchone()
                found[(job, app_id)] = (row[0], row[1])
            return found

        return await self.db.run(work)

    async def claim(
        self, runs: list[tuple[str, str, float]], owner: str, now: float, lease: float
    ) -> list[bool]:
        def work(conn: sqlite3.Connection) -> list[bool]:
            won = []
            for job, app_id, slot in runs:
                cursor = conn.execute(
                    "UPDATE gewe_schedule_runs SET slot = ?, owner = ?, lease_until = ?, "
                    "finished = 0, outcome = NULL WHERE job = ? AND app_id = ? AND "
                    "(slot IS NULL OR slot < ?)",
                    (slot, owner, now + lease, job, app_id, slot),
                )
                won.append(cursor.rowcount == 1)
            return won

        return await self.db.run(work)

    async def finish(self, job: str, app_id: str, slot: float, outcome: str) -> None:
        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE gewe_schedule_runs SET finished = 1, outcome = ?, lease_until = NULL "
                "WHERE job = ? AND app_id = ? AND slot = ?",
                (outcome, job, app_id, slot),
            )

        await self.db.run(work)

    async def interrupted(self, now: float) -> list[tuple[str, str, float]]:
        def work(conn: sqlite3.Connection) -> list[tuple[str, str, float]]:
            rows = conn.execute(
                "SELECT job, app_id, slot FROM gewe_schedule_runs WHERE finished = 0 AND "
                "lease_until < ? UNION ALL SELECT job, app_id, at FROM gewe_schedule_plans "
                "WHERE state = 'running' AND lease_until < ?",
                (now, now),
            ).fetchall()
            return [(r[0], r[1], r[2]) for r in rows]

        return await self.db.run(work)

    async def plan(self, job: str, app_id: str, at: float, data: str) -> int:
        def work(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO gewe_schedule_plans (job, app_id, at, data, state) "
                "VALUES (?, ?, ?, ?, 'planned')",
                (job, app_id, at, data),
            )
            return int(cursor.lastrowid or 0)

        return await self.db.run(work)

    async def claim_plans(self, owner: str, now: float, lease: float, limit: int) -> list[Plan]:
        def work(conn: sqlite3.Connection) -> list[Plan]:
            rows = conn.execute(
                "SELECT id, job, app_id, at, data, state, outcome FROM gewe_schedule_plans "
                "WHERE state = 'planned' AND at <= ? ORDER BY at LIMIT ?",
                (now, limit),
            ).fetchall()
            for row in rows:
                conn.execute(
                    "UPDATE gewe_schedule_plans SET state = 'running', owner = ?, "
                    "lease_until = ? WHERE id = ?",
                    (owner, now + lease, row[0]),
                )
            return [_plan(r) for r in rows]

        return await self.db.run(work)

    async def finish_plan(self, plan_id: int, outcome: str) -> None:
        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE gewe_schedule_plans SET state = 'done', outcome = ?, lease_until = NULL "
                "WHERE id = ?",
                (outcome, plan_id),
            )

        await self.db.run(work)

    async def cancel(self, plan_id: int) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "DELETE FROM gewe_schedule_plans WHERE id = ? AND state = 'planned'", (plan_id,)
            )
            return cursor.rowcount == 1

        return await self.db.run(work)

    async def plans(self) -> list[Plan]:
        def work(conn: sqlite3.Connection) -> list[Plan]:
            rows = conn.execute(
                "SELECT id, job, app_id, at, data, state, outcome FROM gewe_schedule_plans "
                "WHERE state = 'planned' ORDER BY at"
            ).fetchall()
            return [_plan(r) for r in rows]

        return await self.db.run(work)

    async def next_plan(self) -> float | None:
        def work(conn: sqlite3.Connection) -> float | None:
            row = conn.execute(
                "SELECT MIN(at) FROM gewe_schedule_plans WHERE state = 'planned'"
            ).fetchone()
            return None if row[0] is None else float(row[0])

        return await self.db.run(work)


# -- Redis ------------------------------------------------------------------------------------
# P:sch:r:<job>:<app> a run record (hash: since, slot, owner, lease_until, finished, outcome);
# P:sch:seq plan ids; P:sch:p:<id> a plan (hash); P:sch:due planned ids by time;
# P:sch:running running plan ids by lease end.

_LUA_ANCHOR: Final = """
local P, out = ARGV[1], {}
for i = 3, #ARGV, 2 do
  local key = P..':sch:r:'..ARGV[i]..':'..ARGV[i+1]
  redis.call('HSETNX', key, 'since', ARGV[2])
  local got = redis.call('HMGET', key, 'since', 'slot')
  out[#out+1] = got[1]
  out[#out+1] = got[2] or ''
end
return out
"""

_LUA_CLAIM: Final = """
local P, out = ARGV[1], {}
for i = 5, #ARGV, 3 do
  local key = P..':sch:r:'..ARGV[i]..':'..ARGV[i+1]
  local slot = redis.call('HGET', key, 'slot')
  if slot and tonumber(slot) >= tonumber(ARGV[i+2]) then
    out[#out+1] = 0
  else
    redis.call('HSET', key, 'slot', ARGV[i+2], 'owner', ARGV[2], 'lease_until', ARGV[4],
      'finished', 0, 'outcome', '')
    out[#out+1] = 1
  end
end
return out
"""

_LUA_FINISH: Final = """
local key = ARGV[1]..':sch:r:'..ARGV[2]..':'..ARGV[3]
if redis.call('HGET', key, 'slot') == ARGV[4] then
  redis.call('HSET', key, 'finished', 1, 'outcome', ARGV[5])
  redis.call('HDEL', key, 'lease_until')
end
return 0
"""

_LUA_PLAN: Final = """
local P = ARGV[1]
local id = redis.call('INCR', P..':sch:seq')
redis.call('HSET', P..':sch:p:'..id, 'job', ARGV[2], 'app_id', ARGV[3], 'at', ARGV[4],
  'data', ARGV[5], 'state', 'planned')
redis.call('ZADD', P..':sch:due', ARGV[4], id)
return id
"""

_LUA_CLAIM_PLANS: Final = """
local P = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', P..':sch:due', '-inf', ARGV[2], 'LIMIT', 0, ARGV[5])
for _, id in ipairs(ids) do
  redis.call('ZREM', P..':sch:due', id)
  redis.call('HSET', P..':sch:p:'..id, 'state', 'running', 'owner', ARGV[3], 'lease_until', ARGV[4])
  redis.call('ZADD', P..':sch:running', ARGV[4], id)
end
return ids
"""

_LUA_FINISH_PLAN: Final = """
local P = ARGV[1]
redis.call('ZREM', P..':sch:running', ARGV[2])
redis.call('HSET', P..':sch:p:'..ARGV[2], 'state', 'done', 'outcome', ARGV[3])
redis.call('EXPIRE', P..':sch:p:'..ARGV[2], 604800)
return 0
"""

_LUA_CANCEL: Final = """
local P = ARGV[1]
if redis.call('ZREM', P..':sch:due', ARGV[2]) == 1 then
  redis.call('DEL', P..':sch:p:'..ARGV[2])
  return 1
end
return 0
"""


class RedisScheduleStore(RedisScripts):
    """The scheduler's records in Redis, shared by every worker."""

    SCRIPTS = (
        ("anchor", _LUA_ANCHOR),
        ("claim", _LUA_CLAIM),
        ("finish", _LUA_FINISH),
        ("plan", _LUA_PLAN),
        ("claim_plans", _LUA_CLAIM_PLANS),
        ("finish_plan", _LUA_FINISH_PLAN),
        ("cancel", _LUA_CANCEL),
    )

    async def anchor(self, keys: list[Key], now: float) -> dict[Key, tuple[float, float | None]]:
        flat: list[Any] = [repr(now)]
        for key in keys:
            flat.extend(key)
        got = await self._call("anchor", *flat)
        found = {}
        for n, key in enumerate(keys):
            since, slot = text(got[2 * n]), text(got[2 * n + 1])
            found[key] = (float(since), float(slot) if slot else None)
        return found

    async def claim(
        self, runs: list[tuple[str, str, float]], owner: str, now: float, lease: float
    ) -> list[bool]:
        flat: list[Any] = [owner, repr(now), repr(now + lease)]
        for job, app_id, slot in runs:
            flat += (job, app_id, repr(slot))
        return [bool(int(w)) for w in await self._call("claim", *flat)]

    async def finish(self, job: str, app_id: str, slot: float, outcome: str) -> None:
        await self._call("finish", job, app_id, repr(slot), outcome)

    async def interrupted(self, now: float) -> list[tuple[str, str, float]]:
        client = await self.conn.open()
        found = []
        async for raw in client.scan_iter(match=f"{self.prefix}:sch:r:*", count=1000):
            record = {text(k): text(v) for k, v in (await client.hgetall(raw)).items()}
            lease = record.get("lease_until")
            if record.get("finished") == "0" and lease and float(lease) < now:
                job, app_id = text(raw)[len(self.prefix) + 7 :].split(":", 1)
                found.append((job, app_id, float(record["slot"])))
        for raw_id in await client.zrangebyscore(f"{self.prefix}:sch:running", "-inf", now):
            plan = {
                text(k): text(v)
                for k, v in (await client.hgetall(f"{self.prefix}:sch:p:{text(raw_id)}")).items()
            }
            if plan:
                found.append((plan["job"], plan["app_id"], float(plan["at"])))
        return found

    async def plan(self, job: str, app_id: str, at: float, data: str) -> int:
        return int(await self._call("plan", job, app_id, repr(at), data))

    async def _plans(self, ids: list[Any]) -> list[Plan]:
        client = await self.conn.open()
        plans = []
        for raw_id in ids:
            got = {
                text(k): text(v)
                for k, v in (await client.hgetall(f"{self.prefix}:sch:p:{text(raw_id)}")).items()
            }
            if got:
                plans.append(
                    {
                        "id": int(text(raw_id)),
                        "job": got["job"],
                        "app_id": got["app_id"],
                        "at": float(got["at"]),
                        "data": json.loads(got["data"]),
                        "state": got["state"],
                        "outcome": got.get("outcome"),
                    }
                )
        return plans

    async def claim_plans(self, owner: str, now: float, lease: float, limit: int) -> list[Plan]:
        ids = await self._call("claim_plans", repr(now), owner, repr(now + lease), limit)
        return await self._plans(list(ids))

    async def finish_plan(self, plan_id: int, outcome: str) -> None:
        await self._call("finish_plan", plan_id, outcome)

    async def cancel(self, plan_id: int) -> bool:
        return bool(await self._call("cancel", plan_id))

    async def plans(self) -> list[Plan]:
        client = await self.conn.open()
        return await self._plans(list(await client.zrange(f"{self.prefix}:sch:due", 0, -1)))

    async def next_plan(self) -> float | None:
        client = await self.conn.open()
        first = await client.zrange(f"{self.prefix}:sch:due", 0, 0, withscores=True)
        return float(first[0][1]) if first else None


ScheduleStore = SqliteScheduleStore | RedisScheduleStore


def make_store(where: Where) -> ScheduleStore:
    """The backend for a resolved store."""
    if where.kind == "redis":
        return RedisScheduleStore(where)
    return SqliteScheduleStore(where.path)
