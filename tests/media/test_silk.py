"""Voice messages: SILK durations, converting common formats (the voice extra), clear refusals."""

from __future__ import annotations

import io
import math
import struct
import sys
import wave
from collections.abc import AsyncIterator

import pysilk
import pytest

from gewe_async import GeweConfigError
from gewe_async.bot import ASGIReceiver, Dispatcher
from gewe_async.media import MediaLimits, ReceiverMediaHost, Voice, silk_duration, to_silk
from gewe_async.testing import FakeGewe
from tests.bot_helpers import served
from tests.paths import DATA


def wav(seconds: float, rate: int = 16_000, channels: int = 1) -> bytes:
    """A WAV of a 440 Hz tone, made here (the standard library writes WAV)."""
    frames = int(seconds * rate)
    samples = (int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(frames))
    pcm = b"".join(struct.pack("<h", s) * channels for s in samples)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def silk(packets: int, *, tencent: bool = True, end_marker: bool = False) -> bytes:
    head = b"\x02#!SILK_V3" if tencent else b"#!SILK_V3"
    return head + b"\x02\x00ab" * packets + (b"\xff\xff" if end_marker else b"")


@pytest.mark.parametrize(
    ("data", "duration"),
    [
        (silk(1), 20),
        (silk(50), 1000),
        (silk(50, tencent=False), 1000),
        (silk(3, end_marker=True), 60),
    ],
)
def test_the_duration_of_a_silk_file_is_its_packets_times_20_ms(data, duration):
    assert silk_duration(data) == duration


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"RIFF....WAVE", "not a SILK v3 file"),
        (b"\x02#!SILK_V3", "no audio packets"),
        (b"\x02#!SILK_V3\x09\x00abc", "cut off in packet 1"),
    ],
)
def test_what_is_not_silk_is_refused(data, match):
    with pytest.raises(ValueError, match=match):
        silk_duration(data)


def test_a_wav_is_converted_to_silk_that_decodes_back_to_as_long_audio():
    voice = to_silk(wav(1.5, rate=44_100, channels=2))
    assert isinstance(voice, Voice)
    assert voice.data.startswith(b"\x02#!SILK_V3")
    assert voice.duration == 1500
    pcm = io.BytesIO()
    pysilk.decode(io.BytesIO(voice.data), pcm, 24_000)  # the encoder's own decoder agrees
    assert len(pcm.getvalue()) == 24_000 * 2 * 1.5
    assert "bytes>" in repr(voice)


def test_silk_passes_through_unchanged():
    data = silk(10)
    assert to_silk(data) == Voice(data, 200)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"\x00\x01\x02\x03 an unknown format", "unknown voice format"),
        (b"OggS" + b"\x00" * 60 + b"OpusHead", "unknown voice format"),  # Ogg Opus: not Vorbis
        (b"RIFF\x24\x00\x00\x00WAVEfmt garbage", "WAV audio cannot be decoded"),
    ],
)
def test_unknown_or_broken_audio_is_refused_clearly(data, match):
    with pytest.raises(ValueError, match=match):
        to_silk(data)


def test_audio_over_the_duration_limit_is_refused_before_it_is_decoded():
    with pytest.raises(ValueError, match=r"2000 ms long, over the limit of 1000 ms"):
        to_silk(wav(2, rate=8000), max_duration=1000)
    with pytest.raises(ValueError, match="over the limit of 100 ms"):
        to_silk(silk(10), max_duration=100)


@pytest.mark.parametrize("module", ["miniaudio", "pysilk"])
def test_without_the_voice_extra_conversion_says_what_to_install(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # import fails, as when not installed
    with pytest.raises(GeweConfigError, match=r'pip install "gewe-async\[voice\]"'):
        to_silk(wav(0.1))
    assert to_silk(silk(2)).duration == 40  # SILK itself needs nothing


# -- end to end: post_voice from a WAV file ----------------------------------------------------


@pytest.fixture
async def root() -> AsyncIterator[str]:
    async with served(ASGIReceiver(Dispatcher(), secret="s3cret-path", path="/gewe")) as url:
        yield url


async def test_post_voice_converts_a_wav_file_and_sends_its_duration(root, tmp_path):
    fake = FakeGewe()
    fake.add_device("wx_1")
    recording = tmp_path / "hello.wav"
    recording.write_bytes(wav(2.5))
    async with ReceiverMediaHost(f"{root}/gewe") as media, fake.client(media=media) as client:
        await client.message.post_voice("wx_1", "wxid_friend", recording)
    (request,) = [r for r in fake.requests if r.endpoint == "message/postVoice"]
    assert request.body["voiceDuration"] == 2500
    assert request.body["voiceUrl"].endswith(".silk")
    fetched = fake.fetched_media[request.body["voiceUrl"]]
    assert silk_duration(fetched) == 2500  # the fake checked it is SILK


async def test_a_voice_over_the_hosts_limits_is_refused_before_any_request(tmp_path):
    fake = FakeGewe()
    fake.add_device("wx_1")
    media = ReceiverMediaHost("http://127.0.0.1:9/gewe", limits=MediaLimits(voice_duration=1000))
    long_one = tmp_path / "long.wav"
    long_one.write_bytes(wav(1.2, rate=8000))
    async with fake.client(media=media) as client:
        with pytest.raises(ValueError, match="1200 ms long"):
            await client.message.post_voice("wx_1", "wxid_friend", long_one)
        with pytest.raises(ValueError, match="unknown voice format"):
            await client.message.post_voice("wx_1", "wxid_friend", b"not audio at all")
        small = ReceiverMediaHost("http://127.0.0.1:9/gewe", limits=MediaLimits(voice=100))
        async with fake.client(media=small) as tight:
            with pytest.raises(ValueError, match="the voice is 800 bytes"):
                await tight.message.post_voice("wx_1", "wxid_friend", b"\x00" * 800)
    assert fake.requests == []


async def test_a_voice_that_is_not_silk_at_its_url_is_refused_by_the_fake(root):
    """The fake checks what it downloads for postVoice, as GeWe takes SILK only."""
    fake = FakeGewe()
    fake.add_device("wx_1")
    async with ReceiverMediaHost(f"{root}/gewe") as media, fake.client() as client:
        url = await media.publish(wav(0.2))
        from gewe_async import GeweAPIError

        with pytest.raises(GeweAPIError, match="silk"):
            await client.message.post_voice("wx_1", "wxid_friend", url, 200)


MEDIA = DATA / "media"


@pytest.mark.parametrize("name", ["tone.mp3", "tone.flac", "tone.ogg"])
def test_mp3_flac_and_ogg_vorbis_are_converted_with_their_duration(name):
    """Files SoX made (tests/data/media/README.md): 1.2 s, plus an MP3 encoder's padding."""
    voice = to_silk((MEDIA / name).read_bytes())
    assert voice.data.startswith(b"\x02#!SILK_V3")
    assert 1200 <= voice.duration <= 1320
    assert silk_duration(voice.data) == voice.duration


async def test_post_voice_sends_an_mp3_as_silk(root):
    fake = FakeGewe()
    fake.add_device("wx_1")
    async with ReceiverMediaHost(f"{root}/gewe") as media, fake.client(media=media) as client:
        await client.message.post_voice("wx_1", "wxid_friend", MEDIA / "tone.mp3")
    (request,) = [r for r in fake.requests if r.endpoint == "message/postVoice"]
    assert (
        silk_duration(fake.fetched_media[request.body["voiceUrl"]]) == request.body["voiceDuration"]
    )
