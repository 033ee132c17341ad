"""aiohttp: the client lives in a cleanup context, so it is closed when the app stops.

Run: python examples/aiohttp_app.py  (serves on http://127.0.0.1:8080)
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from _setup import make_client
from aiohttp import web

from gewe_async import AsyncGeweClient, GeweDeviceNotFoundError, GeweError

GEWE = web.AppKey("gewe", AsyncGeweClient)


async def gewe_client(app: web.Application) -> AsyncIterator[None]:
    async with make_client() as client:  # created on startup, closed on cleanup
        app[GEWE] = client
        yield


async def profile(request: web.Request) -> web.Response:
    app_id = request.match_info["app_id"]
    try:
        p = await request.app[GEWE].personal.get_profile(app_id)
    except GeweDeviceNotFoundError:
        raise web.HTTPNotFound(text=f"unknown device {app_id}") from None
    except GeweError as exc:
        raise web.HTTPBadGateway(text=str(exc)) from None
    return web.json_response({"wxid": p.wxid, "nickName": p.nick_name})


def create_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(gewe_client)
    app.router.add_get("/devices/{app_id}/profile", profile)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=8080)
