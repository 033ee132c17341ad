"""How the fake declares an endpoint: a handler, the fields it requires, the device it needs.

The common checks (token, appId known, device online, required fields present) are done once by
the server in ``_fake``; a handler only applies the request to the device and returns ``data``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._state import FakeDevice

if TYPE_CHECKING:
    from gewe_async.testing._fake import FakeGewe

Handler = Callable[["FakeGewe", FakeDevice, dict[str, Any]], Any]


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
