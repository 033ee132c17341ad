"""FastAPI: one AsyncGeweClient for the app's lifetime, handed to routes by dependency injection.

Run: pip install fastapi uvicorn; uvicorn fastapi_app:app (from examples/)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from _setup import make_client
from fastapi import Depends, FastAPI, HTTPException, Request

from gewe_async import AsyncGeweClient, GeweAPIError, GeweDeviceNotFoundError, GeweError


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # One client, one connection pool, shared by every request; closed on shutdown.
    async with make_client() as client:
        app.state.gewe = client
        yield


app = FastAPI(lifespan=lifespan)


def gewe(request: Request) -> AsyncGeweClient:
    """The app's client (override it in tests with app.dependency_overrides)."""
    client: AsyncGeweClient = request.app.state.gewe
    return client


Gewe = Annotated[AsyncGeweClient, Depends(gewe)]


@app.get("/devices/{app_id}/profile")
async def profile(app_id: str, client: Gewe) -> dict[str, str | None]:
    try:
        p = await client.personal.get_profile(app_id)
    except GeweDeviceNotFoundError:
        raise HTTPException(404, f"unknown device {app_id}") from None
    except GeweAPIError as exc:  # offline, ...: the server refused
        raise HTTPException(409, str(exc)) from None
    except GeweError as exc:  # network or server trouble, already retried where safe
        raise HTTPException(502, str(exc)) from None
    return {"wxid": p.wxid, "nickName": p.nick_name, "alias": p.alias}


@app.post("/devices/{app_id}/avatar")
async def set_avatar(app_id: str, url: str, client: Gewe) -> dict[str, bool]:
    try:
        await client.personal.update_head_img(app_id, url)
    except ValueError as exc:  # bad input, refused before sending
        raise HTTPException(422, str(exc)) from None
    except GeweError as exc:
        raise HTTPException(502, str(exc)) from None
    return {"ok": True}
