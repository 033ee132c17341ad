"""A user's code, checked by `mypy --strict` in the typecheck session (never run).

If a public signature loses its types, this file stops type-checking.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import assert_type

import httpx

import gewe_async.types
from gewe_async import AsyncGeweClient, BatchResult, GeweAPIError, GeweError
from gewe_async.resources import FinderAPI, SnsAPI
from gewe_async.types.login import LoggedIn, LoginState, Region
from gewe_async.types.message import Quoted, SentImage, SentMessage, SentVideo
from gewe_async.types.personal import LoginRecord, PrivacyOption, Profile, QrCode, Sex


async def main() -> None:
    async with AsyncGeweClient(token="t", timeout=httpx.Timeout(10.0)) as client:
        # Groups are built on first use, and still typed as their classes.
        assert_type(client.finder, FinderAPI)
        assert_type(client.with_options(timeout=3).sns, SnsAPI)
        assert_type(gewe_async.types.personal.Profile, type[Profile])
        profiles = await asyncio.gather(*(client.personal.get_profile(a) for a in ["a", "b"]))
        assert_type(profiles, list[Profile])
        assert_type(profiles[0].alias, str | None)
        assert_type(profiles[0].nick_name, str)
        assert_type(profiles[0].uin, int)

        qr = await client.personal.get_qr_code("a", timeout=3)
        assert_type(qr, QrCode)
        assert_type(qr.image, bytes)

        records = await client.personal.get_safety_info("a")
        assert_type(records, list[LoginRecord])
        assert_type(records[0].last_time, datetime)

        assert_type(
            await client.personal.privacy_settings("a", PrivacyOption.FIND_BY_QR_CODE, True), None
        )
        await client.personal.update_profile("a", sex=Sex.MALE)
        await client.personal.update_head_img("a", "https://example.com/me.png")

        view = client.with_options(timeout=60, max_retries=0)
        assert_type(view, AsyncGeweClient)

        batch = await client.personal.get_profiles(["a", "b"], deadline=30, concurrency=8)
        assert_type(batch, BatchResult[Profile])
        assert_type(await client.login.check_online("a"), bool)
        account = await client.login.login(region_id=Region.JIANGSU)
        assert_type(account, LoggedIn)
        async for update in client.login.login_updates("a", region_id="320000"):
            assert_type(update.state, LoginState)
        assert_type(await client.message.post_text("a", "b", "hi"), SentMessage)
        image = await client.message.post_image("a", "b", "https://x.test/a.png", send_interval=3)
        assert_type(image, SentImage)
        assert_type(await client.message.resend("a", "c", image), SentImage | SentVideo)
        assert_type(await client.message.download("a", "<msg><img/></msg>"), str)
        quoted = Quoted(1, "wxid_a", "hi")
        assert_type(await client.message.post_quote("a", "b", "yes", quoted), SentMessage)
        assert_type(await client.message.revoke("a", image), None)
        many = await client.message.post_text_to_many("a", ["b", "c"], "hi", deadline=60)
        assert_type(many, BatchResult[SentMessage])

        try:
            await client.personal.get_profile("a")
        except GeweAPIError as exc:
            assert_type(exc.ret, int)
            assert_type(exc.msg, str)
            assert_type(exc.app_id, str | None)
        except GeweError as exc:
            assert_type(exc.attempts, int)


async def wrong_calls_are_type_errors(client: AsyncGeweClient) -> None:
    # Each ignore is required by warn_unused_ignores: if a wrong call stopped being an error,
    # mypy would report the ignore as unused.
    await client.personal.get_profile(123)  # type: ignore[arg-type]
    await client.personal.update_head_img("a")  # type: ignore[call-arg]
    await client.personal.get_profile("a", timeout="slow")  # type: ignore[arg-type]
    await client.personal.update_profile("a", nickname="x")  # type: ignore[call-arg]
    await client.personal.get_profile("a", max_retries="3")  # type: ignore[arg-type]
    await client.login.get_login_qr_code()  # type: ignore[call-arg]
    await client.message.post_voice("a", "b", "https://x.test/v.silk", "2s")  # type: ignore[arg-type]
    await client.message.post_text("a", "b", "hi", send_interval="1s")  # type: ignore[arg-type]
