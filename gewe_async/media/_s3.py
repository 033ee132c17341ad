"""``S3MediaHost``: media uploaded to S3-compatible storage, sent as presigned GET URLs.

Needs the ``s3`` extra (aiobotocore): ``pip install "gewe-async[s3]"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from typing import TYPE_CHECKING, Any, Final

from gewe_async.exceptions import GeweConfigError, GeweMediaError
from gewe_async.media._host import MediaHost, MediaLimits, Prepared, prepare

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

__all__ = ["S3MediaHost"]

#: Files above this are sent in parts of this size: the memory one upload holds.
PART_SIZE: Final = 8 * 1024 * 1024
#: SigV4 presigned URLs last at most 7 days.
MAX_EXPIRES: Final = 7 * 24 * 3600
_EXTRA: Final = 'pip install "gewe-async[s3]"'


class S3MediaHost(MediaHost):
    """Media uploaded to an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, COS, OSS...).

    Each publication is a new object ``{prefix}{token}{extension}`` (128 random bits), sent to
    GeWe as a presigned ``GET`` URL that expires after ``expires`` seconds: the bucket can stay
    private. The objects are not deleted by the host: give the bucket a lifecycle rule that
    expires ``prefix`` after a day. Files are uploaded in 8 MiB parts (multipart upload) read
    from disk one at a time, so memory stays bounded whatever their size.

    ```python
    media = S3MediaHost("my-bucket", endpoint_url="https://s3.example.com", region_name="auto")
    async with media, AsyncGeweClient(media=media) as client:
        await client.message.post_file("wx_123", "wxid_friend", Path("report.pdf"), "report.pdf")
    ```

    Credentials come from the arguments, else from botocore's usual chain (environment
    variables ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``~/.aws``, instance roles).
    Needs the ``s3`` extra: ``pip install "gewe-async[s3]"``.

    Args:
        bucket: The bucket's name.
        prefix: Prepended to every object key (default ``"gewe-media/"``).
        expires: Seconds a presigned URL works (default 3600; at most 7 days).
        endpoint_url: The S3 endpoint of a provider other than AWS.
        region_name: The bucket's region.
        aws_access_key_id: The access key id (else botocore's chain).
        aws_secret_access_key: The secret key (else botocore's chain).
        aws_session_token: A temporary session token.
        client_config: Keyword arguments of ``botocore.config.Config`` (for example
            ``{"s3": {"addressing_style": "path"}}`` for MinIO).
        limits: The largest media published ([`MediaLimits`][gewe_async.media.MediaLimits]).

    Raises:
        GeweConfigError: The ``s3`` extra is not installed (a `ValueError` too).
        ValueError: ``bucket`` is empty or ``expires`` is out of range.
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "gewe-media/",
        expires: int = 3600,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        client_config: dict[str, Any] | None = None,
        limits: MediaLimits | None = None,
    ) -> None:
        super().__init__(limits=limits)
        try:
            from aiobotocore.config import AioConfig
            from aiobotocore.session import get_session
        except ImportError:
            raise GeweConfigError(f"S3MediaHost needs the s3 extra: {_EXTRA}") from None
        if not isinstance(bucket, str) or not bucket or bucket.strip() != bucket:
            raise ValueError(f"bucket must be a non-empty bucket name, got {bucket!r}")
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str, got {type(prefix).__name__}")
        if isinstance(expires, bool) or not isinstance(expires, int):
            raise TypeError(f"expires must be an int of seconds, got {type(expires).__name__}")
        if not 1 <= expires <= MAX_EXPIRES:
            raise ValueError(f"expires must be between 1 and {MAX_EXPIRES} seconds, got {expires}")
        self.bucket = bucket
        self.prefix = prefix
        self.expires = expires
        self.endpoint_url = endpoint_url
        self._session = get_session()
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "region_name": region_name,
            "aws_access_key_id": aws_access_key_id,
            "aws_secret_access_key": aws_secret_access_key,
            "aws_session_token": aws_session_token,
            # SigV4: v2 presigned URLs are refused by most providers (and not expired by some).
            "config": AioConfig(**{"signature_version": "s3v4", **(client_config or {})}),
        }
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: S3Client | None = None
        self._opening = asyncio.Lock()

    def __repr__(self) -> str:
        where = f" at {self.endpoint_url!r}" if self.endpoint_url else ""
        return f"<S3MediaHost bucket={self.bucket!r}{where}>"

    async def _s3(self) -> S3Client:
        async with self._opening:
            if self._client is not None:
                return self._client
            stack = contextlib.AsyncExitStack()
            creator = self._session.create_client("s3", **self._options)
            client: S3Client = await stack.enter_async_context(creator)
            self._client, self._stack = client, stack
            return client

    async def publish(
        self,
        source: os.PathLike[str] | bytes,
        *,
        name: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Upload a file or bytes as a new object; return its presigned GET URL.

        Raises:
            TypeError: ``source`` is not a path or bytes.
            ValueError: the file is missing, unreadable or empty.
            GeweMediaError: the upload failed (the storage's error is ``__cause__``).
        """
        item = prepare(source, name=name, content_type=content_type)
        key = f"{self.prefix}{secrets.token_hex(16)}{item.suffix}"
        try:
            s3 = await self._s3()
            if item.data is not None or item.size <= PART_SIZE:
                data = item.data
                if data is None:
                    assert item.path is not None
                    data = await asyncio.to_thread(item.path.read_bytes)
                await s3.put_object(
                    Bucket=self.bucket, Key=key, Body=data, ContentType=item.content_type
                )
            else:
                await self._upload_parts(s3, key, item)
            url: str = await s3.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=self.expires,
            )
        except (asyncio.CancelledError, GeweMediaError):
            raise
        except Exception as exc:
            raise GeweMediaError(
                f"uploading {item.size} bytes to the S3 bucket {self.bucket!r} failed: "
                f"{_reason(exc)}"
            ) from exc
        return url

    async def _upload_parts(self, s3: S3Client, key: str, item: Prepared) -> None:
        assert item.path is not None
        started = await s3.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=item.content_type
        )
        upload_id = started["UploadId"]
        parts = []
        try:
            with item.path.open("rb") as file:
                number = 1
                while chunk := await asyncio.to_thread(file.read, PART_SIZE):
                    done = await s3.upload_part(
                        Bucket=self.bucket,
                        Key=key,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=chunk,
                    )
                    parts.append({"ETag": done["ETag"], "PartNumber": number})
                    number += 1
            await s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise

    async def aclose(self) -> None:
        """Close the connection pool to the storage (the objects stay); idempotent."""
        async with self._opening:
            stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()


def _reason(exc: Exception) -> str:
    """The storage's error code or the exception's type: never a URL that may carry a key."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {})
        code = error.get("Code") if isinstance(error, dict) else None
        if code:
            return f"{type(exc).__name__} {code}"
    return type(exc).__name__
