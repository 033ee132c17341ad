"""How the fake declares an endpoint: a handler, the fields it requires, the device it needs.

The common checks (token, appId known, device online, required fields present) are done once by
the server in ``_fake``; a handler only applies the request to the device and returns ``data``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Literal, Protocol

import attrs

from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._state import FakeDevice


class FakeServer(Protocol):
    """What a handler may use of the server beyond its device (`FakeGewe` is one).

    A protocol, not ``FakeGewe`` itself, so that the routes do not import the server that
    imports them; a handler that needs more of the server adds it here.
    """

    token: str
    qr_lifetime: float
    auto_login: bool
    callback_url: str | None

    @property
    def qr_code_base64(self) -> str:
        """The QR code image every device returns."""
        ...

    def new_uuid(self) -> str:
        """A fresh QR code uuid."""
        ...

    def push_test_callback(self) -> None:
        """Send the test push to the callback URL in the background."""
        ...


Handler = Callable[[FakeServer, FakeDevice, dict[str, Any]], Any]


@attrs.frozen
class FakeRoute:
    """How the fake serves one endpoint."""

    path: str
    handler: Handler
    required: tuple[str, ...] = ("appId",)
    """Body fields that must be present (and non-empty strings where they are strings)."""
    needs_online: bool = True
    """Whether an offline device refuses it (only login endpoints work offline)."""
    device: Literal["existing", "new_if_empty", "none"] = "existing"
    """Which device the body's appId names: one that must exist, a new one when it is empty
    (first logins), or none at all (setCallback)."""


ROUTES: Final[dict[str, FakeRoute]] = {}


def route(
    path: str,
    *,
    required: tuple[str, ...] = ("appId",),
    needs_online: bool = True,
    device: Literal["existing", "new_if_empty", "none"] = "existing",
) -> Callable[[Handler], Handler]:
    """Declare ``handler`` as the fake's implementation of ``path``."""

    def register(handler: Handler) -> Handler:
        ROUTES[path] = FakeRoute(path, handler, required, needs_online, device)
        return handler

    return register


def text(body: dict[str, Any], name: str) -> str:
    value = body[name]
    if not isinstance(value, str):
        raise FakeRefusal.invalid(f"{name} 格式错误")
    return value
