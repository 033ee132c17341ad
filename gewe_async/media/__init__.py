"""Sending local files and bytes: media hosts that publish them at URLs GeWe downloads.

GeWe sends images, files, videos and voice only from URLs. Give the client a
[`MediaHost`][gewe_async.media.MediaHost] and the four media sends accept a
`pathlib.Path` or bytes too:

- [`ReceiverMediaHost`][gewe_async.media.ReceiverMediaHost]: served by the bot's own
  receiver, at ``<public_base_url>/media/<random token>``, for a limited time;
- [`S3MediaHost`][gewe_async.media.S3MediaHost]: uploaded to S3-compatible storage and
  sent as presigned URLs (the ``s3`` extra).

Voice messages must be SILK: [`to_silk()`][gewe_async.media.to_silk] converts WAV, MP3,
FLAC and Ogg Vorbis (the ``voice`` extra) and measures the duration.
"""

from gewe_async.exceptions import GeweMediaError
from gewe_async.media._host import MediaHost, MediaKind, MediaLimits, MediaSource
from gewe_async.media._s3 import S3MediaHost
from gewe_async.media._served import ReceiverMediaHost
from gewe_async.media._silk import Voice, silk_duration, to_silk

__all__ = [
    "GeweMediaError",
    "MediaHost",
    "MediaKind",
    "MediaLimits",
    "MediaSource",
    "ReceiverMediaHost",
    "S3MediaHost",
    "Voice",
    "silk_duration",
    "to_silk",
]
