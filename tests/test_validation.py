"""Bad input raises ValueError or TypeError before any request is sent."""

from __future__ import annotations

import pytest

from tests.helpers import envelope

BAD_APP_IDS = [
    ("", ValueError),
    ("  ", ValueError),
    (" wx_1", ValueError),
    (None, TypeError),
    (123, TypeError),
    (b"wx_1", TypeError),
    ("wx_1\nINFO forged log line", ValueError),
    ("wx_\x1b[31m1", ValueError),
    ("wx\u20281", ValueError),
]


@pytest.fixture
def any_route(api):
    """Answer every personal endpoint, so that a request that slips through is seen."""
    return api.route(path__regex=r"/personal/.*").respond(json=envelope())


@pytest.mark.parametrize(("app_id", "error"), BAD_APP_IDS)
@pytest.mark.parametrize(
    "call",
    [
        lambda c, a: c.personal.get_profile(a),
        lambda c, a: c.personal.get_qr_code(a),
        lambda c, a: c.personal.get_safety_info(a),
        lambda c, a: c.personal.privacy_settings(a, 4, True),
        lambda c, a: c.personal.update_profile(a, nick_name="x"),
        lambda c, a: c.personal.update_head_img(a, "https://example.com/a.png"),
    ],
)
async def test_bad_app_id_is_refused_before_sending(client, any_route, call, app_id, error):
    """Every endpoint refuses an empty or non-str app_id without a request."""
    with pytest.raises(error, match="app_id"):
        await call(client, app_id)
    assert not any_route.called


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.com/a.png", ValueError),
        ("example.com/a.png", ValueError),
        ("https://", ValueError),
        ("/local/file.png", ValueError),
        ("", ValueError),
        (" https://example.com/a.png", ValueError),
        ("http://[::1/a.png", ValueError),
        (None, TypeError),
        (42, TypeError),
    ],
)
async def test_update_head_img_refuses_non_http_urls(client, any_route, url, error):
    """Only absolute http(s) URLs are accepted for the avatar."""
    with pytest.raises(error, match="head_img_url"):
        await client.personal.update_head_img("wx_1", url)
    assert not any_route.called


@pytest.mark.parametrize(
    ("option", "error"),
    [(5, ValueError), (0, ValueError), (True, TypeError), ("4", TypeError), (4.0, TypeError)],
)
async def test_privacy_settings_refuses_undocumented_options(client, any_route, option, error):
    """Options outside 4, 7, 8, 25, 38, 39, 40 are refused, with the allowed list."""
    with pytest.raises(error) as caught:
        await client.personal.privacy_settings("wx_1", option, True)
    if error is ValueError:
        assert "25" in str(caught.value)
    assert not any_route.called


@pytest.mark.parametrize("value", [1, 0, "true", None])
async def test_privacy_settings_open_must_be_bool(client, any_route, value):
    """open must be a real bool."""
    with pytest.raises(TypeError, match="open"):
        await client.personal.privacy_settings("wx_1", 4, value)
    assert not any_route.called


async def test_update_profile_refuses_a_call_with_no_field(client, any_route):
    """updateProfile with nothing to change is refused."""
    with pytest.raises(ValueError, match="needs a field"):
        await client.personal.update_profile("wx_1")
    assert not any_route.called


@pytest.mark.parametrize(
    "fields",
    [
        {"nick_name": "a", "signature": "b"},
        {"nick_name": "a", "city": "Xuzhou"},
        {"sex": 1, "signature": "b"},
    ],
)
async def test_update_profile_refuses_more_than_one_item(client, any_route, fields):
    """The docs say one item per call; mixing items is refused with how to do it."""
    with pytest.raises(ValueError, match="one item per call"):
        await client.personal.update_profile("wx_1", **fields)
    assert not any_route.called


@pytest.mark.parametrize(
    ("fields", "error"),
    [({"sex": 3}, ValueError), ({"sex": "1"}, TypeError), ({"nick_name": 5}, TypeError)],
)
async def test_update_profile_refuses_bad_values(client, any_route, fields, error):
    """A sex other than 1/2 or a non-str text field is refused."""
    with pytest.raises(error):
        await client.personal.update_profile("wx_1", **fields)
    assert not any_route.called


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.label.add("wx_1", "a\x00b"),  # social groups
        lambda c: c.contacts.set_friend_remark("wx_1", "wxid_abc", "a\x00b"),
        lambda c: c.finder.publish_finder_web(
            "wx_1",
            title="a\x00b",
            description="",
            video_url="https://x.test/v.mp4",
            thumb_url="https://x.test/t.jpg",
        ),  # feeds groups
    ],
)
async def test_one_wording_for_a_control_character(client, any_route, call):
    """The same mistake reads the same in every group (issue 20 item 4)."""
    with pytest.raises(ValueError, match=r"must not contain control characters, got 'a\\x00b'"):
        await call(client)
    assert not any_route.called


def test_one_describe_and_one_digits_rule():
    """No group keeps its own copy of the shared checks."""
    import inspect

    from gewe_async import _validators
    from gewe_async._api import _feeds, _message_checks, _social, finder, sns

    for module in (_feeds, _message_checks, _social, finder, sns):
        source = inspect.getsource(module)
        assert "def _describe" not in source
        assert 're.compile(r"[\\x00' not in source
    assert _feeds.content is _validators.free_text is _social.clean_text
    with pytest.raises(TypeError, match="non-negative int or a string of digits"):
        sns._digits("")
    assert finder._digits("") == ""
