"""S3MediaHost against a real S3-compatible server on loopback (moto's, in a thread).

The client publishes to the bucket and sends the presigned URL; FakeGewe downloads it from the
server, as GeWe does.
"""

from __future__ import annotations

import re
import socket
import sys
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from aiobotocore.session import get_session
from moto.server import ThreadedMotoServer

from gewe_async import GeweConfigError
from gewe_async.media import GeweMediaError, S3MediaHost
from gewe_async.media._s3 import PART_SIZE
from gewe_async.testing import FakeGewe
from tests.paths import DOCS

pytestmark = pytest.mark.filterwarnings(
    # botocore and moto still call datetime.utcnow() and friends.
    "ignore::DeprecationWarning",
)

BUCKET = "gewe-media-test"
CREDENTIALS = {
    "region_name": "us-east-1",
    "aws_access_key_id": "AKIATESTTESTTEST",
    "aws_secret_access_key": "test-secret-key-never-shown",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
async def bucket(endpoint: str) -> AsyncIterator[str]:
    async with get_session().create_client("s3", endpoint_url=endpoint, **CREDENTIALS) as s3:
        await s3.create_bucket(Bucket=BUCKET)
        yield BUCKET
        listed = await s3.list_objects_v2(Bucket=BUCKET)
        for item in listed.get("Contents", []):
            await s3.delete_object(Bucket=BUCKET, Key=item["Key"])
        await s3.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe()
    fake.add_device("wx_1")
    return fake


def sent(fake: FakeGewe, endpoint: str, field: str) -> str:
    (request,) = [r for r in fake.requests if r.endpoint == endpoint]
    value = request.body[field]
    assert isinstance(value, str)
    return value


async def test_bytes_are_uploaded_and_the_fake_fetches_the_presigned_url(fake, endpoint, bucket):
    media = S3MediaHost(bucket, endpoint_url=endpoint, **CREDENTIALS)
    async with media, fake.client(media=media) as client:
        await client.message.post_file("wx_1", "wxid_friend", b"quarterly,figures\n", "q.csv")
    url = sent(fake, "message/postFile", "fileUrl")
    assert re.match(rf"{endpoint}/{bucket}/gewe-media/[0-9a-f]{{32}}\.csv\?", url)
    assert "X-Amz-Signature=" in url or "Signature=" in url
    assert fake.fetched_media[url] == b"quarterly,figures\n"
    assert CREDENTIALS["aws_secret_access_key"] not in url


async def test_a_file_above_one_part_is_uploaded_in_parts(fake, endpoint, bucket, tmp_path):
    video = tmp_path / "long.mp4"
    content = bytes(range(256)) * ((PART_SIZE + 300_000) // 256)
    video.write_bytes(content)
    media = S3MediaHost(bucket, endpoint_url=endpoint, prefix="clips/", **CREDENTIALS)
    async with media, fake.client(media=media) as client:
        await client.message.post_video("wx_1", "wxid_friend", video, b"\xff\xd8thumb", 12)
    video_url = sent(fake, "message/postVideo", "videoUrl")
    assert f"/{bucket}/clips/" in video_url
    assert fake.fetched_media[video_url] == content
    assert fake.fetched_media[sent(fake, "message/postVideo", "thumbUrl")] == b"\xff\xd8thumb"
    async with get_session().create_client("s3", endpoint_url=endpoint, **CREDENTIALS) as s3:
        key = video_url.split(f"/{bucket}/", 1)[1].split("?")[0]
        head = await s3.head_object(Bucket=bucket, Key=key)
        assert head["ContentType"] == "video/mp4"
        assert "-" in head["ETag"]  # a multipart upload's ETag: "<md5>-<parts>"


async def test_the_presigned_url_is_sigv4_and_signed_to_expire(endpoint, bucket):
    """The URL expires after ``expires`` seconds (moto does not enforce it: the signed field)."""
    async with S3MediaHost(bucket, endpoint_url=endpoint, expires=90, **CREDENTIALS) as media:
        url = await media.publish(b"soon gone")
        async with httpx.AsyncClient(trust_env=False) as http:
            assert (await http.get(url)).content == b"soon gone"
    query = httpx.URL(url).params
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Expires"] == "90"


async def test_an_upload_that_fails_is_a_media_error_and_nothing_is_sent(fake, endpoint):
    media = S3MediaHost("no-such-bucket", endpoint_url=endpoint, **CREDENTIALS)
    async with media, fake.client(media=media) as client:
        with pytest.raises(GeweMediaError, match="NoSuchBucket") as caught:
            await client.message.post_image("wx_1", "wxid_friend", b"\x89PNG....")
    assert fake.requests == []
    assert CREDENTIALS["aws_secret_access_key"] not in str(caught.value)
    assert caught.value.__cause__ is not None


async def test_an_unreachable_storage_is_a_media_error(fake):
    port = free_port()  # nothing listens there
    media = S3MediaHost(
        BUCKET,
        endpoint_url=f"http://127.0.0.1:{port}",
        client_config={"retries": {"max_attempts": 1}, "connect_timeout": 5},
        **CREDENTIALS,
    )
    async with media, fake.client(media=media) as client:
        with pytest.raises(GeweMediaError, match="uploading 4 bytes"):
            await client.message.post_image("wx_1", "wxid_friend", b"\x89PNG")
    assert fake.requests == []


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="bucket"):
        S3MediaHost("")
    with pytest.raises(ValueError, match="expires"):
        S3MediaHost(BUCKET, expires=8 * 24 * 3600)
    with pytest.raises(TypeError, match="expires"):
        S3MediaHost(BUCKET, expires=1.5)  # type: ignore[arg-type]


def test_without_the_s3_extra_the_host_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "aiobotocore.session", None)
    with pytest.raises(GeweConfigError, match=r'pip install "gewe-async\[s3\]"'):
        S3MediaHost(BUCKET)


def test_repr_names_the_bucket_and_no_credentials():
    media = S3MediaHost(BUCKET, endpoint_url="http://127.0.0.1:1", **CREDENTIALS)
    assert repr(media) == f"<S3MediaHost bucket={BUCKET!r} at 'http://127.0.0.1:1'>"


def python_block(page: str, section: str) -> str:
    """The first ```python block under the heading ``section`` of a docs page."""
    text = (DOCS / page).read_text(encoding="utf-8").split(f"\n## {section}\n")[1]
    match = re.search(r"^```python\n(.*?)^```", text, re.S | re.M)
    assert match is not None
    return match[1]


@pytest.mark.parametrize(
    ("page", "section"), [("media.md", "S3-compatible storage"), ("media.zh.md", "S3 兼容存储")]
)
async def test_the_pages_s3_host_publishes_to_the_bucket(
    page, section, endpoint, bucket, monkeypatch
):
    monkeypatch.setenv("S3_BUCKET", bucket)
    monkeypatch.setenv("S3_ENDPOINT", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS["aws_secret_access_key"])
    monkeypatch.setenv("GEWE_TOKEN", "a-gewe-token-for-the-docs")
    namespace: dict[str, object] = {}
    exec(python_block(page, section), namespace)  # the page's own code
    media, client = namespace["media"], namespace["client"]
    assert isinstance(media, S3MediaHost)
    async with media, client:  # type: ignore[attr-defined]
        assert client.media is media  # type: ignore[attr-defined]
        url = await media.publish(b"from the docs", name="a.txt")
        async with httpx.AsyncClient(trust_env=False) as http:
            assert (await http.get(url)).content == b"from the docs"
