r"""Voice messages are SILK: read their duration, and convert common formats (the ``voice`` extra).

A SILK file as WeChat writes it is ``\x02#!SILK_V3`` (the ``\x02`` is Tencent's), then
packets of 20 ms, each a little-endian int16 length and that many bytes, and optionally an
end marker (a negative length). The duration is the packet count times 20 ms: no decoder
needed. Converting WAV, MP3, FLAC or Ogg Vorbis needs ``miniaudio`` (decoding, no ffmpeg)
and ``silk-python`` (the encoder): ``pip install "gewe-async[voice]"``.
"""

from __future__ import annotations

import io
import struct
from typing import Any, Final

import attrs

from gewe_async.exceptions import GeweConfigError

__all__ = ["Voice", "silk_duration", "to_silk"]

_TENCENT: Final = b"\x02#!SILK_V3"
_PLAIN: Final = b"#!SILK_V3"
_PACKET_MS: Final = 20
#: The encoder's rates: 24 kHz is what WeChat's own voice messages use.
_SAMPLE_RATE: Final = 24_000
_BIT_RATE: Final = 24_000
_EXTRA: Final = 'pip install "gewe-async[voice]"'


@attrs.frozen
class Voice:
    """A voice message ready for ``post_voice``: SILK bytes and their duration."""

    data: bytes = attrs.field(repr=lambda data: f"<{len(data)} bytes>")
    """The SILK file (Tencent's header)."""
    duration: int
    """Milliseconds, as ``voiceDuration`` wants them."""


def is_silk(data: bytes) -> bool:
    """Whether ``data`` starts like a SILK v3 file (with or without Tencent's byte)."""
    return data.startswith((_TENCENT, _PLAIN))


def silk_duration(data: bytes) -> int:
    r"""The duration of a SILK v3 file in milliseconds, counted from its 20 ms packets.

    ```pycon
    >>> from gewe_async.media import silk_duration
    >>> silk = b"\x02#!SILK_V3" + (b"\x03\x00abc") * 50   # 50 packets of 3 bytes
    >>> silk_duration(silk)
    1000

    ```

    Raises:
        ValueError: ``data`` is not a SILK v3 file, or a packet is cut off.
    """
    if data.startswith(_TENCENT):
        at = len(_TENCENT)
    elif data.startswith(_PLAIN):
        at = len(_PLAIN)
    else:
        raise ValueError("not a SILK v3 file (it does not start with #!SILK_V3)")
    packets = 0
    end = len(data)
    while at + 2 <= end:
        (length,) = struct.unpack_from("<h", data, at)
        at += 2
        if length < 0:
            break  # the end marker some encoders write
        if at + length > end:
            raise ValueError(f"the SILK file is cut off in packet {packets + 1}")
        at += length
        packets += 1
    if packets == 0:
        raise ValueError("the SILK file has no audio packets")
    return packets * _PACKET_MS


def _kind(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"fLaC":
        return "flac"
    if data[:4] == b"OggS":
        return "vorbis" if b"\x01vorbis" in data[:256] else None
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def _miniaudio() -> Any:
    try:
        import miniaudio
    except ImportError:
        raise GeweConfigError(f"converting audio to SILK needs the voice extra: {_EXTRA}") from None
    return miniaudio


def _pysilk() -> Any:
    try:
        import pysilk
    except ImportError:
        raise GeweConfigError(f"encoding SILK needs the voice extra: {_EXTRA}") from None
    return pysilk


def to_silk(data: bytes, *, max_duration: int = 60_000) -> Voice:
    """Make a voice message of ``data``: SILK as it is, else WAV, MP3, FLAC or Ogg Vorbis converted.

    SILK needs nothing more; converting needs the ``voice`` extra. The audio is mixed to mono
    and resampled to 24 kHz. It is CPU work (about 50 ms per second of audio): the media sends
    run it in a thread.

    Args:
        data: The audio file's bytes.
        max_duration: The longest voice message accepted, in milliseconds.

    Raises:
        ValueError: The format is not one of those, the audio is broken or empty, or it is
            longer than ``max_duration``.
        GeweConfigError: The ``voice`` extra is not installed (a `ValueError` too).
    """
    if is_silk(data):
        voice = Voice(data, silk_duration(data))
    else:
        kind = _kind(data)
        if kind is None:
            raise ValueError(
                "unknown voice format: give SILK, WAV, MP3, FLAC or Ogg Vorbis "
                "(convert others with ffmpeg first)"
            )
        miniaudio = _miniaudio()
        pysilk = _pysilk()
        try:
            info = getattr(miniaudio, f"{kind}_get_info")(data)
        except miniaudio.DecodeError:
            raise ValueError(f"the {kind.upper()} audio cannot be decoded") from None
        # Refuse long audio before decoding it all into memory.
        if info.duration * 1000 > max_duration + _PACKET_MS:
            raise ValueError(_too_long(round(info.duration * 1000), max_duration))
        try:
            decoded = miniaudio.decode(
                data,
                output_format=miniaudio.SampleFormat.SIGNED16,
                nchannels=1,
                sample_rate=_SAMPLE_RATE,
            )
        except miniaudio.DecodeError:
            raise ValueError(f"the {kind.upper()} audio cannot be decoded") from None
        pcm = decoded.samples.tobytes()
        if not pcm:
            raise ValueError(f"the {kind.upper()} audio is empty")
        out = io.BytesIO()
        try:
            pysilk.encode(io.BytesIO(pcm), out, _SAMPLE_RATE, _BIT_RATE, tencent=True)
        except Exception as exc:  # pysilk.SilkError, with the SDK's error number
            raise ValueError(f"the {kind.upper()} audio could not be encoded to SILK") from exc
        silk = out.getvalue()
        voice = Voice(silk, silk_duration(silk))
    if voice.duration > max_duration:
        raise ValueError(_too_long(voice.duration, max_duration))
    return voice


def _too_long(duration: int, limit: int) -> str:
    return (
        f"the voice message is {duration} ms long, over the limit of {limit} ms "
        "(MediaLimits.voice_duration; WeChat records at most 60 s)"
    )
