"""MkDocs hook: references to the API group classes' old top-level path still resolve.

The group classes are documented where they now live, ``gewe_async.resources.PersonalAPI``;
docstrings that still say ``[...][gewe_async.PersonalAPI.get_profile]`` are pointed at the
same anchors rather than failing the strict build.
"""

from __future__ import annotations

from typing import Any

from mkdocs.plugins import event_priority

NEW = "gewe_async.resources."
OLD = "gewe_async."


@event_priority(0)  # Before autorefs fixes the links (-50), after every page is rendered.
def on_env(env: Any, /, *, config: Any, files: Any) -> Any:
    """Register each ``gewe_async.resources.X...`` anchor as ``gewe_async.X...`` too."""
    autorefs = config.plugins["autorefs"]
    for identifier, urls in list(autorefs._primary_url_map.items()):
        if identifier.startswith(NEW):
            old = OLD + identifier.removeprefix(NEW)
            autorefs._secondary_url_map.setdefault(old, list(urls))
    return env
