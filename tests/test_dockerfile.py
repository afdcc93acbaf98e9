"""The Dockerfile, checked by reading (no Docker engine here): what the image must have."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parent.parent / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def last(name: str) -> str:
    return [args for instr, args in instructions() if instr == name][-1]


def test_slim_python_base_with_unixodbc_and_freetds():
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", last("FROM"))
    installs = " ".join(args for instr, args in instructions()
                        if instr == "RUN" and "apt-get install" in args)
    assert "unixodbc" in installs.split() and "tdsodbc" in installs.split()
    assert "--no-install-recommends" in installs and "rm -rf /var/lib/apt/lists" in installs


def test_package_installed_with_its_migrations_and_drivers():
    copied = " ".join(args for instr, args in instructions() if instr == "COPY")
    for path in ("pyproject.toml", "setup.py", "README.md", "qbwc_service", "migrations"):
        assert path in copied
    assert any(instr == "RUN" and "pip install" in args and "mssql" in args for instr, args in instructions())


def test_runs_as_a_non_root_user_with_a_data_volume():
    user = last("USER")
    assert user not in ("root", "0")
    assert any(instr == "RUN" and "useradd" in args and user in args for instr, args in instructions())
    assert "/data" in json.loads(last("VOLUME"))
    assert "/data/" in last("ENV")


def test_command_is_serve_on_all_interfaces_after_init():
    command = json.loads(last("CMD"))
    assert command[:2] == ["qbwc-service", "serve"] and "0.0.0.0" in command
    entrypoint = json.loads(last("ENTRYPOINT"))
    script = shlex.split(entrypoint[2])
    assert entrypoint[:2] == ["sh", "-c"] and script[:2] == ["qbwc-service", "init"]
    assert entrypoint[2].endswith('exec "$@"')


def test_python_version_is_one_ci_tests():
    version = re.fullmatch(r"python:(3\.\d+)-slim(-\w+)?", last("FROM")).group(1)
    ci = (DOCKERFILE.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(rf"^suite .*Python {re.escape(version)}\b", ci, re.MULTILINE), version


def test_healthcheck_asks_healthz_on_the_served_port():
    check = last("HEALTHCHECK")
    options, command = check.split("CMD", 1)
    assert "--interval=" in options and "--timeout=" in options
    argv = json.loads(command)
    port = json.loads(last("CMD"))[json.loads(last("CMD")).index("--port") + 1]
    assert any(f"http://127.0.0.1:{port}/healthz" in part for part in argv)
