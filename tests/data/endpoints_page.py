"""Render docs/endpoints.md: every official endpoint and its method, by the naming rule.

Run from the repository root to rewrite the page (tests/api/test_endpoints.py checks it is current):
    python tests/data/endpoints_page.py > docs/endpoints.md
The endpoints and their page titles come from official.json, which extract_spec.py made from
the spec's INDEX.md.
"""

import json
import re
import sys
from pathlib import Path

OFFICIAL = json.loads((Path(__file__).parent / "official.json").read_text(encoding="utf-8"))

#: The groups in the order of the client's attributes (the brief's order).
GROUPS = (
    "personal",
    "login",
    "message",
    "contacts",
    "im",
    "group",
    "label",
    "sns",
    "favor",
    "finder",
)


def snake(name: str) -> str:
    """``getLoginQrCode`` -> ``get_login_qr_code``: the naming rule for methods.

    A run of capitals is one word: ``joinRoomUsingQRCode`` -> ``join_room_using_qr_code``.
    """
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def method(path: str) -> str:
    """The method an endpoint path is called by: ``sns/snsList`` -> ``client.sns.sns_list``."""
    group, _, name = path.partition("/")
    return f"client.{group}.{snake(name)}"


def render() -> str:
    lines = [
        "# Endpoints and their methods",
        "",
        f"All {len(OFFICIAL)} official GeWe endpoints, each called by its path's name in",
        "snake_case on the client's group: `POST /sns/snsList` is",
        "`await client.sns.sns_list(app_id, ...)`. The keyword arguments are the body's fields in",
        "snake_case. Helpers built on them (paging iterators, posting flows, batches) are listed",
        "on each group's reference page.",
        "",
        "This page is generated from the official index (`python tests/data/endpoints_page.py`);",
        "a test checks that it is current.",
        "",
    ]
    for group in GROUPS:
        paths = sorted(p for p in OFFICIAL if p.partition("/")[0] == group)
        lines += [
            f"## {group} ({len(paths)})",
            "",
            f"Reference: [client.{group}](reference/api/{group}.md).",
            "",
            "| Endpoint | Official page | Method |",
            "|---|---|---|",
        ]
        for path in paths:
            title = Path(OFFICIAL[path]["page"]).stem
            lines.append(f"| `/{path}` | {title} | `{method(path)}()` |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render())
