"""Constants and builders shared by the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gewe_async import Retries

TOKEN = "tok-3f9a1c-SECRET"
BASE_URL = "http://api.geweapi.com/gewe/v2/api"

#: Schemas and examples of the official pages (tests/data/extract_spec.py made this file).
OFFICIAL: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "official.json").read_text(encoding="utf-8")
)


def envelope(data: Any = None, *, ret: int = 200, msg: str = "操作成功") -> dict[str, Any]:
    """Build a GeWe answer."""
    answer: dict[str, Any] = {"ret": ret, "msg": msg}
    if data is not None:
        answer["data"] = data
    return answer


#: For tests of a single attempt's outcome.
NO_RETRY = Retries(max_retries=0)
