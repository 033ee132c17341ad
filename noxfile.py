"""Developer tasks. `python -m nox` runs the default set: tests, lint, typecheck, docs."""

from __future__ import annotations

import os
import shutil

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests", "lint", "typecheck", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def install_group(session: nox.Session, group: str, *, extras: str = "") -> None:
    session.install("-e", f".{extras}", *nox.project.dependency_groups(PYPROJECT, group))


def ensure_redis_server(session: nox.Session) -> None:
    """The Redis journal's tests start a real redis-server on loopback: install Debian's."""
    if shutil.which("redis-server"):
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-qq", external=True, env=env)
        session.run(
            "apt-get", "install", "-y", "-qq", "--no-install-recommends", "redis-server",
            external=True, env=env,
        )
        return
    session.error("the tests need redis-server on PATH: apt-get install redis-server (or brew)")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    ensure_redis_server(session)
    install_group(session, "test", extras="[cli,server]")
    session.run("pytest", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Run the main job on the embedded fake server: `gewe-async demo`."""
    session.install("-e", ".[cli]")
    session.run("gewe-async", "demo", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Throughput, CPU, memory and import-time benchmarks; the receiver with and without state."""
    ensure_redis_server(session)
    # opengewe: the peer parser bench/callbacks.py compares with; granian: a server compared
    # with uvicorn. Both in this session's env only.
    session.install(
        "-e",
        ".[server,redis,schedule,speedups]",
        "aiohttp",
        "opengewe==0.2.1",
        "granian",
    )
    session.run("python", "bench/imports.py")  # exits 1 if an import-time target is missed
    session.run("python", "bench/run.py", *session.posargs)
    session.run("python", "bench/receiver.py")
    session.run("python", "bench/scaling.py")  # cost as appIds, chats and remembered ids grow
    session.run("python", "bench/callbacks.py")
    session.run("python", "bench/directory.py")  # exits 1 below 100,000 look-ups/s
    session.run("python", "bench/journal.py")  # starts its own redis-server on loopback
    session.run("python", "bench/fleet.py")  # scheduler CPU share, outbox vs direct sends
    session.run("python", "bench/state.py")  # conversation state's cost, per storage


@nox.session
def soak(session: nox.Session) -> None:
    """50,000 calls across 1,000 appIds against a faulty fake over TCP (not in CI)."""
    session.install("-e", ".[cli,server]")
    session.run("python", "bench/soak.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site with `mkdocs build --strict` (any warning fails)."""
    install_group(session, "docs")
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and common bugs with ruff."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", "gewe_async")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package and a user's typed code with mypy --strict."""
    install_group(session, "typecheck", extras="[cli,server]")
    session.run("mypy", "--strict", "gewe_async")
    session.run("mypy", "--strict", "tests/typing")
