"""docs/cli.md: its ```bash examples run as written, in order, in one shell."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.cli_helpers import free_port
from tests.paths import DOCS

PAGE = DOCS / "cli.md"


def test_the_cli_page_examples_run_as_written(tmp_path):
    """Fake server, demo, login, profile, avatars, a bot, test-callback, set-callback: exit 0."""
    text = PAGE.read_text(encoding="utf-8")
    blocks = re.findall(r"^```bash\n(.*?)^```", text, re.S | re.M)
    assert len(blocks) >= 8
    script = "\n".join(blocks)
    # Other tests may hold the page's ports: the same script on free ones.
    script = script.replace("2531", str(free_port())).replace("8000", str(free_port()))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEWE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n"
         + script],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "callback URL set" in result.stdout
    assert "answered 200 to the test push" in result.stdout
    assert (tmp_path / "bot.db").exists()
    assert "Traceback" not in result.stderr
