"""ReceiverMediaHost over real HTTP: the receiver serves what the client publishes, to the fake.

A real uvicorn server on 127.0.0.1 serves an ASGIReceiver (and an aiohttp app the
AiohttpReceiver); the client sends to FakeGewe in-process, and the fake downloads each media
URL from the receiver, as GeWe does.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gewe_async import AsyncGeweClient, GeweAPIError, GeweConfigError
from gewe_async.bot import AiohttpReceiver, ASGIReceiver, Dispatcher
from gewe_async.media import MediaHost, MediaLimits, ReceiverMediaHost
from gewe_async.media._served import CHUNK
from gewe_async.testing import FakeGewe
from tests.bot_helpers import served
from tests.paths import DOCS

SECRET = "s3cret-path-token"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
SILK = b"\x02#!SILK_V3" + b"\x03\x00abc" * 100  # 100 packets: 2000 ms


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe()
    fake.add_device("wx_1")
    return fake


@pytest.fixture
async def root() -> AsyncIterator[str]:
    """The root URL of an ASGIReceiver served by uvicorn on 127.0.0.1, at ``/gewe``."""
    receiver = ASGIReceiver(Dispatcher(), secret=SECRET, path="/gewe")
    async with served(receiver) as url:
        yield url


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
        yield client


def sent_field(fake: FakeGewe, endpoint: str, field: str) -> str:
    (request,) = [r for r in fake.requests if r.endpoint == endpoint]
    value = request.body[field]
    assert isinstance(value, str)
    return value


async def test_a_path_is_served_by_the_receiver_and_fetched_by_the_fake(fake, root, tmp_path):
    image = tmp_path / "chart.png"
    image.write_bytes(PNG)
    async with ReceiverMediaHost(f"{root}/gewe") as media, fake.client(media=media) as client:
        await client.message.post_image("wx_1", "wxid_friend", image)
    url = sent_field(fake, "message/postImage", "imgUrl")
    assert re.fullmatch(rf"{re.escape(root)}/gewe/media/[0-9a-f]{{32}}\.png", url)
    assert fake.fetched_media[url] == PNG
    assert SECRET not in url
    assert fake.token not in url


async def test_each_publication_gets_a_new_128_bit_token(fake, root):
    async with ReceiverMediaHost(f"{root}/gewe") as media:
        urls = {await media.publish(b"same bytes") for _ in range(20)}
    assert len(urls) == 20
    assert all(re.fullmatch(r".*/media/[0-9a-f]{32}", url) for url in urls)


async def test_bytes_and_a_file_name_are_sent_as_a_file(fake, root):
    async with ReceiverMediaHost(f"{root}/gewe") as media, fake.client(media=media) as client:
        await client.message.post_file("wx_1", "wxid_friend", b"a,b\n1,2\n", "table.csv")
    url = sent_field(fake, "message/postFile", "fileUrl")
    assert url.endswith(".csv")
    assert fake.fetched_media[url] == b"a,b\n1,2\n"


async def test_a_video_and_its_thumbnail_are_both_published(fake, root, tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"v" * 5000)
    async with ReceiverMediaHost(f"{root}/gewe") as media, fake.client(media=media) as client:
        await client.message.post_video("wx_1", "wxid_friend", video, PNG, 3)
    for field, content in (("videoUrl", video.read_bytes()), ("thumbUrl", PNG)):
        assert fake.fetched_media[sent_field(fake, "message/postVideo", field)] == content


async def test_a_silk_voice_is_sent_with_its_duration_computed(fake, root):
    async with ReceiverMediaHost(f"{root}/gewe") as media, fake.client(media=media) as client:
        await client.message.post_voice("wx_1", "wxid_friend", SILK)
    (request,) = [r for r in fake.requests if r.endpoint == "message/postVoice"]
    assert request.body["voiceDuration"] == 2000
    assert fake.fetched_media[request.body["voiceUrl"]] == SILK


async def test_a_file_larger_than_one_chunk_is_streamed_whole(fake, root, tmp_path, http):
    big = tmp_path / "big.bin"
    content = bytes(range(251)) * (3 * CHUNK // 251 + 7)
    big.write_bytes(content)
    async with ReceiverMediaHost(f"{root}/gewe") as media:
        url = await media.publish(big)
        response = await http.get(url)
        assert response.status_code == 200
        assert response.content == content
        assert response.headers["content-length"] == str(len(content))
        head = await http.head(url)
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-length"] == str(len(content))


async def test_bytes_over_the_memory_cap_go_to_disk_and_are_still_served(root, http):
    async with ReceiverMediaHost(f"{root}/gewe", max_memory=1000) as media:
        small = await media.publish(b"s" * 600)
        large = await media.publish(b"L" * 5000)  # over the cap: written to a temporary file
        again = await media.publish(b"t" * 600)  # 600 + 600 > 1000: to disk too
        assert media.memory_used == 600
        for url, body in ((small, b"s" * 600), (large, b"L" * 5000), (again, b"t" * 600)):
            assert (await http.get(url)).content == body
        folder = media._folder
        assert folder is not None
        assert len(list(folder.iterdir())) == 2
    assert not folder.exists()
    assert media.memory_used == 0


async def test_a_url_answers_404_once_expired_and_frees_its_memory(root, http):
    async with ReceiverMediaHost(f"{root}/gewe", ttl=0.2) as media:
        url = await media.publish(b"short-lived")
        assert (await http.get(url)).status_code == 200
        await asyncio.sleep(0.3)
        assert (await http.get(url)).status_code == 404
        assert media.memory_used == 0


async def test_urls_answer_404_after_the_host_is_closed(root, http):
    media = ReceiverMediaHost(f"{root}/gewe")
    url = await media.publish(b"x")
    await media.aclose()
    assert (await http.get(url)).status_code == 404


async def test_nothing_but_a_live_token_is_served(root, http, tmp_path):
    """Unknown tokens, other extensions, traversal and near-misses: 404, never a file."""
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("private")
    async with ReceiverMediaHost(f"{root}/gewe") as media:
        url = await media.publish(secret_file)
        token = url.rsplit("/", 1)[1].removesuffix(".txt")
        for path in (
            f"/gewe/media/{'0' * 32}",
            f"/gewe/media/{token}",  # without its extension
            f"/gewe/media/{token}.png",  # another one
            f"/gewe/media/{token.upper()}.txt",
            f"/gewe/media/{token[:-1]}.txt",
            "/gewe/media/..%2F..%2Fetc%2Fpasswd",
            f"/gewe/media/{secret_file}",
            "/gewe/media/",
        ):
            response = await http.get(root + path)
            assert response.status_code in (404, 405), path
            assert b"private" not in response.content
        # Outside the receiver's path the token is not served either.
        assert (await http.get(f"{root}/elsewhere/media/{token}.txt")).status_code == 404
        # And a push to the receiver still needs its secret.
        assert (await http.post(f"{root}/gewe/media", content=b"{}")).status_code == 403


async def test_a_file_removed_before_the_download_makes_the_fake_refuse_the_send(
    fake, root, tmp_path
):
    image = tmp_path / "gone.png"
    image.write_bytes(PNG)
    media = ReceiverMediaHost(f"{root}/gewe")
    url = await media.publish(image)
    image.unlink()
    async with httpx.AsyncClient(trust_env=False) as http:
        assert (await http.get(url)).status_code == 404
    async with fake.client() as client:
        with pytest.raises(GeweAPIError, match="下载文件失败: HTTP 404"):
            await client.message.post_image("wx_1", "wxid_friend", url)
    assert not fake.devices["wx_1"].outbox.messages
    await media.aclose()


async def test_the_aiohttp_receiver_serves_the_same_urls(fake, tmp_path):
    receiver = AiohttpReceiver(Dispatcher(), secret=SECRET)
    app = web.Application()
    receiver.setup(app, "/gewe")
    image = tmp_path / "a.png"
    image.write_bytes(PNG)
    async with TestServer(app, host="127.0.0.1") as server:
        root = str(server.make_url("/gewe"))
        async with ReceiverMediaHost(root) as media, fake.client(media=media) as client:
            await client.message.post_image("wx_1", "wxid_friend", image)
            await client.message.post_file("wx_1", "wxid_friend", b"bytes!", "b.txt")
            async with httpx.AsyncClient(trust_env=False) as http:
                assert (await http.get(f"{root}/media/{'f' * 32}")).status_code == 404
                head = await http.head(sent_field(fake, "message/postFile", "fileUrl"))
                assert (head.status_code, head.headers["content-length"]) == (200, "6")
    assert fake.fetched_media[sent_field(fake, "message/postImage", "imgUrl")] == PNG
    assert fake.fetched_media[sent_field(fake, "message/postFile", "fileUrl")] == b"bytes!"


# -- bad input: refused before any request ---------------------------------------------------


async def test_a_path_without_a_media_host_is_refused_before_any_request(fake, tmp_path):
    image = tmp_path / "a.png"
    image.write_bytes(PNG)
    async with fake.client() as client:
        with pytest.raises(GeweConfigError, match=r"give the client a media host"):
            await client.message.post_image("wx_1", "wxid_friend", image)
        with pytest.raises(GeweConfigError, match="voice_url"):
            await client.message.post_voice("wx_1", "wxid_friend", SILK)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("source", "error", "match"),
    [
        (12, TypeError, "got int"),
        ("photo.png", ValueError, "http"),  # a str is a URL, never a path
        (b"", ValueError, "empty"),
    ],
)
async def test_bad_sources_are_refused_before_any_request(fake, source, error, match):
    media = ReceiverMediaHost("http://127.0.0.1:9/gewe")
    async with fake.client(media=media) as client:
        with pytest.raises(error, match=match):
            await client.message.post_image("wx_1", "wxid_friend", source)
    assert fake.requests == []


async def test_missing_empty_and_non_regular_files_are_refused(fake, tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    media = ReceiverMediaHost("http://127.0.0.1:9/gewe")
    async with fake.client(media=media) as client:
        for path, match in (
            (tmp_path / "missing.png", "cannot read"),
            (tmp_path / "empty.png", "empty"),
            (tmp_path, "not a regular file"),
        ):
            with pytest.raises(ValueError, match=match):
                await client.message.post_image("wx_1", "wxid_friend", path)
    assert fake.requests == []


async def test_media_over_the_hosts_limits_are_refused_before_any_request(fake, tmp_path):
    limits = MediaLimits(image=100, file=200, video=300, thumb=50)
    big = tmp_path / "big.mp4"
    big.write_bytes(b"v" * 301)
    media = ReceiverMediaHost("http://127.0.0.1:9/gewe", limits=limits)
    async with fake.client(media=media) as client:
        with pytest.raises(ValueError, match=r"the image is 101 bytes, over the limit of 100"):
            await client.message.post_image("wx_1", "wxid_friend", b"i" * 101)
        with pytest.raises(ValueError, match="the file is 201 bytes"):
            await client.message.post_file("wx_1", "wxid_friend", b"f" * 201, "f.bin")
        with pytest.raises(ValueError, match="the video is 301 bytes"):
            await client.message.post_video("wx_1", "wxid_friend", big, b"t", 1)
        with pytest.raises(ValueError, match="the thumb is 51 bytes"):
            await client.message.post_video("wx_1", "wxid_friend", b"v", b"t" * 51, 1)
    assert fake.requests == []
    assert media.memory_used <= 1  # only the accepted 1-byte video of the last call


def test_the_default_limits_and_their_checks():
    limits = MediaLimits()
    assert (limits.image, limits.file, limits.video) == (25 << 20, 1 << 30, 100 << 20)
    assert limits.voice_duration == 60_000
    with pytest.raises(ValueError, match="at least 1"):
        MediaLimits(image=0)
    with pytest.raises(TypeError):
        MediaLimits(file=1.5)  # type: ignore[arg-type]


async def test_urls_are_sent_as_given(fake):
    """Sends given URLs work as before: nothing is published, the URL is sent as given."""
    async with fake.client() as client:
        await client.message.post_image("wx_1", "wxid_friend", "https://example.com/a.png")
        await client.message.post_voice("wx_1", "wxid_friend", "https://example.com/v.silk", 900)
        with pytest.raises(ValueError, match="voice_duration"):
            await client.message.post_voice("wx_1", "wxid_friend", "https://example.com/v.silk")
    assert sent_field(fake, "message/postImage", "imgUrl") == "https://example.com/a.png"
    assert fake.fetched_media == {}  # not on loopback: never fetched


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("ftp://bot.example.com/gewe", "http"),
        ("bot.example.com/gewe", "http"),
        ("https://bot.example.com/gewe?x=1", "query"),
    ],
)
def test_the_public_base_url_must_be_an_http_url(url, match):
    with pytest.raises(ValueError, match=match):
        ReceiverMediaHost(url)


def test_the_ttl_and_memory_cap_are_checked():
    with pytest.raises(ValueError, match="ttl"):
        ReceiverMediaHost("https://bot.example.com/gewe", ttl=0)
    with pytest.raises(ValueError, match="ttl"):
        ReceiverMediaHost("https://bot.example.com/gewe", ttl=float("nan"))
    with pytest.raises(TypeError, match="max_memory"):
        ReceiverMediaHost("https://bot.example.com/gewe", max_memory=1.5)  # type: ignore[arg-type]


def test_a_host_whose_url_holds_the_token_is_refused_by_the_client():
    token = "the-gewe-t0ken"
    with pytest.raises(GeweConfigError, match="contains the GeWe token") as caught:
        AsyncGeweClient(token=token, media=ReceiverMediaHost(f"https://bot.example.com/{token}"))
    assert token not in str(caught.value)
    with pytest.raises(TypeError, match="MediaHost"):
        AsyncGeweClient(token=token, media="https://bot.example.com")  # type: ignore[arg-type]


async def test_views_share_the_clients_media_host():
    media = ReceiverMediaHost("https://bot.example.com/gewe")
    async with AsyncGeweClient(token="t0ken-for-tests", media=media) as client:
        assert client.media is media
        assert client.with_options(timeout=3).media is media
    async with AsyncGeweClient(token="t0ken-for-tests") as client:
        assert client.media is None


class _Broken(MediaHost):
    async def publish(self, source, *, name=None, content_type=None):  # type: ignore[no-untyped-def]
        raise OSError("disk on fire")


async def test_a_host_that_fails_its_own_way_raises_a_media_error(fake):
    from gewe_async.media import GeweMediaError

    async with fake.client(media=_Broken()) as client:
        with pytest.raises(GeweMediaError, match="the media host failed: OSError") as caught:
            await client.message.post_image("wx_1", "wxid_friend", PNG)
    assert isinstance(caught.value.__cause__, OSError)
    assert fake.requests == []


def test_repr_shows_no_content(tmp_path: Path):
    media = ReceiverMediaHost("https://bot.example.com/gewe")
    assert repr(media) == "<ReceiverMediaHost 'https://bot.example.com/gewe' entries=0 in_memory=0>"


# -- the docs pages' code, run as written ----------------------------------------------------


def python_block(page: str, section: str) -> str:
    """The first ```python block under the heading ``section`` of a docs page."""
    text = (DOCS / page).read_text(encoding="utf-8").split(f"\n## {section}\n")[1]
    match = re.search(r"^```python\n(.*?)^```", text, re.S | re.M)
    assert match is not None
    return match[1]


@pytest.mark.parametrize(
    ("page", "section"),
    [("media.md", "Served by the bot's receiver"), ("media.zh.md", "由机器人的接收器提供")],
)
async def test_the_pages_bot_sends_files_its_own_receiver_serves(
    page, section, fake, tmp_path, monkeypatch
):
    monkeypatch.setenv("BOT_PUBLIC_URL", "http://127.0.0.1:9/gewe")  # set below, once served
    monkeypatch.setenv("BOT_SECRET", SECRET)
    monkeypatch.setenv("GEWE_TOKEN", fake.token)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "chart.png").write_bytes(PNG)
    bot: dict[str, object] = {}
    exec(python_block(page, section), bot)  # the page's own code
    media, dp = bot["media"], bot["dp"]
    assert isinstance(media, ReceiverMediaHost)
    assert isinstance(dp, Dispatcher)
    async with served(bot["app"]) as root:
        media.public_base_url = f"{root}/gewe"
        page_client = dp.client
        dp.client = fake.client(media=media)  # the same code, against the fake
        fake.connect(dp)
        await fake.receive_text("wx_1", "wxid_friend", "chart")
        await dp.client.aclose()
        await page_client.aclose()
    image = sent_field(fake, "message/postImage", "imgUrl")
    table = sent_field(fake, "message/postFile", "fileUrl")
    assert image.startswith(f"{root}/gewe/media/")
    assert fake.fetched_media[image] == PNG
    assert fake.fetched_media[table] == b"day,sales\n"
    await media.aclose()


async def test_a_receiver_mounted_in_fastapi_serves_media_beside_its_pushes(http):
    from fastapi import FastAPI

    from tests.bot_helpers import text_push

    receiver = ASGIReceiver(Dispatcher(), secret=SECRET)
    app = FastAPI(lifespan=receiver.lifespan)
    app.mount("/gewe", receiver)
    async with served(app) as root, ReceiverMediaHost(f"{root}/gewe") as media:
        url = await media.publish(b"mounted")
        assert (await http.get(url)).content == b"mounted"
        push = await http.post(f"{root}/gewe/{SECRET}", json=text_push("hi"))
        assert push.status_code == 200
        assert (await http.get(f"{root}/gewe/media/{'a' * 32}")).status_code == 404
