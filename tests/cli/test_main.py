"""The gewe-async CLI end to end: exit codes, report file, bad input, the demo."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from gewe_async.cli import main
from tests.journals import free_port

FAKE_TOKEN = "cli-test-token"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`gewe-async fake-server` in a subprocess on loopback, with devices wx_00001..wx_00005."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gewe_async",
            "fake-server",
            "--port",
            str(port),
            "--devices",
            "5",
            "--token",
            FAKE_TOKEN,
            "--auto-login",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                reason = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"fake-server did not start: {reason}") from exc
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v2/api"
    process.terminate()
    process.wait(timeout=10)
    if process.stderr is not None:
        process.stderr.close()


@pytest.fixture
def api_args(server: str) -> list[str]:
    return ["--token", FAKE_TOKEN, "--base-url", server]


def test_demo_runs_the_main_job_and_verifies(capsys):
    """`gewe-async demo` updates every online device, verifies, and exits 0."""
    assert main(["demo", "--devices", "120"]) == 0
    out = capsys.readouterr().out
    assert "verified" in out
    assert "NOT verified" not in out
    assert "118/118 online devices" in out
    assert "GeweDeviceOfflineError" in out


def test_profile_prints_a_table(api_args, capsys):
    """`profile` fetches each appId and prints them in a table; exit 0."""
    assert main(["profile", *api_args, "wx_00001", "wx_00002"]) == 0
    out = capsys.readouterr().out
    assert "wxid_wx_00001" in out
    assert "wxid_wx_00002" in out


def test_profile_json_lines_and_failure_exit(api_args, capsys):
    """`profile --json` prints one JSON line per appId; an unknown one makes the exit 1."""
    assert main(["profile", *api_args, "--json", "wx_00003", "wx_missing"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["appId"] for line in lines] == ["wx_00003", "wx_missing"]
    assert lines[0]["ok"] is True
    assert lines[0]["profile"]["wxid"] == "wxid_wx_00003"
    assert lines[1] == {
        "appId": "wx_missing",
        "ok": False,
        "error": "GeweDeviceNotFoundError",
        "message": lines[1]["message"],
    }


def test_set_avatar_reports_every_device_once(api_args, tmp_path, capsys):
    """A failed device does not stop the others; each appears once in the report; exit 1."""
    report = tmp_path / "report.jsonl"
    ids = ["wx_00001", "wx_nope", "wx_00002"]
    code = main(
        [
            "set-avatar",
            *api_args,
            "--url",
            "https://example.com/n.png",
            "--report",
            str(report),
            *ids,
        ]
    )
    assert code == 1
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert sorted(r["appId"] for r in rows) == sorted(ids)
    by_id = {r["appId"]: r for r in rows}
    assert by_id["wx_00001"]["ok"]
    assert by_id["wx_00002"]["ok"]
    assert by_id["wx_nope"]["error"] == "GeweDeviceNotFoundError"
    assert "2 avatars set, 1 failed" in capsys.readouterr().out

    assert main(["profile", *api_args, "--json", "wx_00001"]) == 0
    profile = json.loads(capsys.readouterr().out)["profile"]
    assert profile["bigHeadImgUrl"] == "https://example.com/n.png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "jobs.csv",
            "appId,url\nwx_00004,https://example.com/4.png\nwx_00005,https://example.com/5.png\n",
        ),
        (
            "jobs.jsonl",
            '{"appId": "wx_00004", "url": "https://example.com/4.png"}\n\n'
            '{"appId": "wx_00005", "url": "https://example.com/5.png"}\n',
        ),
    ],
)
def test_set_avatar_from_csv_or_json_lines(api_args, tmp_path, capsys, name, content):
    """--from reads CSV (with or without header) or JSON lines; all succeed; exit 0."""
    path = tmp_path / name
    path.write_text(content)
    assert main(["set-avatar", *api_args, "--from", str(path)]) == 0
    assert "2 avatars set, 0 failed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("wx_1,https://example.com/a.png,extra\n", ":1: expected 2 columns"),
        ("wx_1,ftp://example.com/a.png\n", ":1: head_img_url must be an http(s) URL"),
        ("wx_1,https://a.example/1.png\nwx_1,https://a.example/2.png\n", "already given"),
        ('{"appId": "wx_1"}\n', ':1: expected {"appId"'),
        ('{"appId": "wx_1", "url": "https://a.example/1.png"}\n{broken\n', ":2: not JSON"),
        ("", "has no rows"),
    ],
)
def test_set_avatar_refuses_malformed_files_clearly(api_args, tmp_path, capsys, content, message):
    """A malformed row is reported with file and line, before any call; exit 2, no traceback."""
    path = tmp_path / "jobs.txt"
    path.write_text(content)
    assert main(["set-avatar", *api_args, "--from", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_set_avatar_unreadable_file(api_args, tmp_path, capsys):
    """A file that cannot be read is a clear error with exit 2."""
    assert main(["set-avatar", *api_args, "--from", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_missing_token_is_a_clear_error(monkeypatch, server, capsys):
    """Without --token or GEWE_TOKEN the CLI says how to give one; exit 2."""
    monkeypatch.delenv("GEWE_TOKEN", raising=False)
    assert main(["profile", "--base-url", server, "wx_00001"]) == 2
    assert "GEWE_TOKEN" in capsys.readouterr().err


def test_set_avatar_needs_url_or_file(api_args, capsys):
    """set-avatar with neither --url nor --from explains the two forms."""
    assert main(["set-avatar", *api_args, "wx_00001"]) == 2
    assert "--from FILE" in capsys.readouterr().err


def test_console_script_runs_demo():
    """The installed `gewe-async` entry point runs the demo from a shell."""
    env = {**os.environ, "COLUMNS": "120"}
    result = subprocess.run(
        [sys.executable, "-m", "gewe_async", "demo", "--devices", "30"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "verified" in result.stdout


def test_login_shows_a_qr_code_and_prints_the_new_device(api_args, capsys, monkeypatch):
    """`login` renders the QR code, follows the login and prints appId and wxid; exit 0."""
    monkeypatch.delenv("GEWE_REGION_ID", raising=False)
    code = main(["login", *api_args, "--region-id", "320000", "--poll-interval", "0.05"])
    captured = capsys.readouterr()
    assert code == 0
    assert "▀" in captured.err or "█" in captured.err  # the QR code, in block characters
    app_id = captured.out.split("appId ")[1].split()[0]
    assert f"wxid wxid_{app_id}" in captured.out
    assert main(["status", *api_args, app_id]) == 0
    assert "online" in capsys.readouterr().out


def test_login_without_a_region_is_refused(api_args, capsys, monkeypatch):
    """Without --region-id or GEWE_REGION_ID, `login` exits 2 and says how to choose one."""
    monkeypatch.delenv("GEWE_REGION_ID", raising=False)
    assert main(["login", *api_args]) == 2
    assert "320000" in capsys.readouterr().err


def test_status_exits_1_for_an_unknown_device(api_args, capsys):
    """`status` reports each device; an unknown one makes the exit 1."""
    assert main(["status", *api_args, "wx_00001", "wx_gone"]) == 1
    out = capsys.readouterr().out
    assert "wx_00001: online" in out
    assert "GeweDeviceNotFoundError" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["login", "--token", "t", "--region-id", "12"], "--region-id: must be the six-digit"),
        (["profile", "--token", "t", "--timeout", "0", "wx_1"], "--timeout: must be a positive"),
        (["profile", "--token", "t", "--timeout", "inf", "wx_1"], "--timeout: must be a positive"),
        (["profile", "--token", "t", "--timeout", "nan", "wx_1"], "--timeout: must be a positive"),
        (["fake-server", "--latency", "-5"], "--latency: must be 0 or more"),
        (["fake-server", "--port", "70000"], "--port: must be a port number"),
        (["login", "--poll-interval", "nan", "--region-id", "320000"], "--poll-interval"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(capsys, argv, message):
    """A bad argument is one clear line on stderr and exit 2, never a traceback."""
    with pytest.raises(SystemExit) as caught:
        main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_a_refused_token_on_login_is_one_line_and_exit_2(server, capsys, monkeypatch):
    """`login` with a wrong token says the token was refused; exit 2, no traceback."""
    monkeypatch.delenv("GEWE_REGION_ID", raising=False)
    code = main(["login", "--token", "wrong", "--base-url", server, "--region-id", "320000"])
    err = capsys.readouterr().err
    assert code == 2
    assert "token was refused" in err
    assert "Traceback" not in err


def test_fake_server_on_a_port_in_use_says_so(capsys):
    """`fake-server` on a taken port is one line naming the port; exit 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["fake-server", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"127.0.0.1:{port}" in err
    assert "in use" in err
    assert "Traceback" not in err


def _start_fake_server(port: int, *extra: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gewe_async", "fake-server", "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)


@pytest.fixture(scope="module")
def slow_server() -> Iterator[str]:
    """A fake-server answering each call after 2 s, so that a signal finds calls in flight."""
    port = free_port()
    process = _start_fake_server(
        port, "--devices", "40", "--token", FAKE_TOKEN, "--latency", "2000"
    )
    yield f"http://127.0.0.1:{port}/v2/api"
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_set_avatar_stopped_by_a_signal_keeps_its_report_and_resumes(
    slow_server, tmp_path, signum, code
):
    """A signal mid-job: every row reported once, in-flight ones 'unknown'; --resume finishes."""
    ids = [f"wx_{i:05d}" for i in range(1, 41)]
    url = f"https://example.com/{signum}.png"
    report = tmp_path / "report.jsonl"
    api = ["--token", FAKE_TOKEN, "--base-url", slow_server]
    argv = [sys.executable, "-m", "gewe_async", "set-avatar", *api, "--url", url]
    job = subprocess.Popen(
        [*argv, "--report", str(report), "--concurrency", "4", "--grace", "0.5", *ids],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not report.exists() or len(report.read_text().splitlines()) < 4:
        assert job.poll() is None, "the job ended early"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    job.send_signal(signum)  # the first 4 are done; the next 4 are in flight
    out, err = job.communicate(timeout=30)
    assert job.returncode == code, err
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert sorted(r["appId"] for r in rows) == ids  # every row exactly once
    status = Counter(r["status"] for r in rows)
    assert status["ok"] >= 4
    assert status["unknown"] >= 1
    assert status["ok"] + status["unknown"] + status["not_tried"] == 40
    assert all("may have been applied" in r["message"] for r in rows if r["status"] == "unknown")
    assert "interrupted by" in out
    assert "Traceback" not in err

    resumed = subprocess.run(
        [*argv, "--resume", str(report), "--concurrency", "40", *ids],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{status['ok']} already done (skipped)" in resumed.stdout
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert len(rows) == 40 + 40 - status["ok"]  # the resumed rows are appended
    last = {r["appId"]: r["status"] for r in rows}
    assert set(last.values()) == {"ok"}


def test_version_prints_the_package_version(capsys):
    """`gewe-async --version` prints the installed version; exit 0."""
    from gewe_async import __version__

    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out.strip() == f"gewe-async {__version__}"


COMMANDS = [
    "demo", "profile", "set-avatar", "login", "status", "fake-server", "set-callback",
    "test-callback", "receive", "worker",
]  # fmt: skip


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_plain_text(command, capsys):
    """No reST or Markdown markup (``x``, `x`, :class:) in any --help."""
    with pytest.raises(SystemExit):
        main([command, "--help"] if command else ["--help"])
    text = capsys.readouterr().out
    assert "usage: gewe-async" in text
    assert "`" not in text
    assert ":class:" not in text
    assert ":func:" not in text


def test_the_bot_commands_say_what_concurrency_bounds(capsys):
    """For receive and worker, --concurrency is the bot client's API calls, not handlers."""
    for command in ("receive", "worker"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "API calls in flight at once through the client made for a bot" in text
        assert "Dispatcher's concurrency" in text


def test_worker_offers_no_sqlite_journal(monkeypatch, capsys):
    """A worker needs the Redis journal: no SQLite default, and none given is exit 2."""
    monkeypatch.delenv("GEWE_JOURNAL", raising=False)
    with pytest.raises(SystemExit):
        main(["worker", "--help"])
    assert "sqlite" not in capsys.readouterr().out.lower()
    assert main(["worker", "mybot:dp", "--token", "t"]) == 2
    err = capsys.readouterr().err
    assert "give --journal redis://" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["profile", "wx_00001", "wx_00002"],
        ["profile", "--json", "wx_00001"],
        ["status", "wx_00001"],
        ["set-avatar", "--url", "https://example.com/a.png", "wx_00001"],
    ],
)
def test_a_refused_token_exits_2_on_every_command(server, argv, capsys):
    """As the README says: a refused token is exit 2 (not 1, as for a device that failed)."""
    code = main([*argv, "--token", "wrong", "--base-url", server])
    err = capsys.readouterr().err
    assert code == 2
    assert "token was refused" in err
    assert "Traceback" not in err


def test_fake_server_says_the_port_is_in_use_once(capsys):
    """The port error is one reason, not the OS's, Python's and ours in a row."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["fake-server", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("in use") == 1
    assert "while attempting" not in err
