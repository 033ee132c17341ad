"""Write the documented answers of the Channels endpoints for FakeGewe's table-driven routes.

Run from the repository root with the shared spec beside it:
    python tests/data/extract_finder_examples.py ../shared/spec \
        > gewe_async/testing/finder_examples.json
Lists are cut to two entries: the fake needs the shapes, not the volume.
"""

import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent


def trim(value: Any) -> Any:
    if isinstance(value, list):
        return [trim(v) for v in value[:2]]
    if isinstance(value, dict):
        return {k: trim(v) for k, v in value.items()}
    return value


def page_example(spec_root: str, page: str) -> Any:
    text = Path(spec_root, page).read_text(encoding="utf-8")
    doc = yaml.safe_load(text.split("```yaml", 1)[1].split("```", 1)[0])
    (op,) = doc["paths"].values()
    answer = next(iter(op["post"]["responses"].values()))["content"]["application/json"]
    return answer["examples"]["1"]["value"]


def main(spec_root: str) -> None:
    official = json.loads((HERE / "official.json").read_text(encoding="utf-8"))
    out = {}
    for path, entry in sorted(official.items()):
        if not path.startswith("finder/"):
            continue
        example = entry["response_example"]
        if isinstance(example, str):
            example = json.loads(example, strict=False)
        if example is None:
            example = page_example(spec_root, entry["page"])
        if example.get("ret") != 200:  # publishFinderCdn documents only its failure
            example = {"ret": 200, "msg": "操作成功"}
        out[path] = trim(example.get("data"))
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
