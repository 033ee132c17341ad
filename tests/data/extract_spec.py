"""Extract request/response schemas and examples from the official pages into JSON.

Run from the repository root with the shared spec beside it:
    python tests/data/extract_spec.py ../shared/spec > tests/data/official.json
The output is committed, so the tests need neither the spec nor PyYAML.
"""

import json
import re
import sys
from pathlib import Path

import yaml

GROUPS = ("personal", "login", "message", "contacts", "im", "group", "label", "sns", "favor")
GROUPS += ("finder",)


def main(spec_root: str) -> None:
    index = Path(spec_root, "INDEX.md").read_text(encoding="utf-8")
    out = {}
    for path, page in re.findall(r"\| `(/[^`]+)` \| [^|]+ \| (geweapi/[^|]+?) \|", index):
        if path.strip("/").split("/")[0] not in GROUPS:
            continue
        text = Path(spec_root, page).read_text(encoding="utf-8")
        doc = yaml.safe_load(text.split("```yaml", 1)[1].split("```", 1)[0])
        (op,) = doc["paths"].values()
        post = op["post"]
        body = post["requestBody"]["content"]["application/json"]
        # finder/publishFinderCdn documents only its failure answer (a 500): take what there is.
        (status, response), *_ = sorted(post["responses"].items())
        answer = response["content"]["application/json"]
        out[path.strip("/")] = {
            "page": page,
            "description": post.get("description", ""),
            "request_schema": body.get("schema"),
            "request_example": body.get("example"),
            "response_schema": answer.get("schema"),
            "response_example": answer.get("example"),
            "response_status": status,
        }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
