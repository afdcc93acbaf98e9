"""The README's configuration reference names every configuration key."""

from __future__ import annotations

from pathlib import Path

from qbwc_service.config import KEYS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_documents_every_config_key() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [key for key in KEYS if f"`{key}`" not in text and f"`{key}," not in text]
    assert missing == []


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def test_windows_section_uses_powershell_and_the_windows_paths() -> None:
    windows = section("Windows")
    for needed in ("```powershell", "py -m venv .venv", r".venv\Scripts\qbwc-service",
                   "%PROGRAMDATA%\\qbwc-service", "windows-service", "QBWC_PASSWORD", "WinSW", "install"):
        assert needed in windows, needed


def test_command_table_lists_the_user_and_setup_commands() -> None:
    commands = section("Commands")
    for needed in ("`user enable NAME`", "`user edit NAME", "`doctor [--user NAME]`",
                   "`windows-service --print`", "`alerts test`", "--port N", "--verbose"):
        assert needed in commands, needed


def test_python_versions_match_what_ci_and_pyproject_prove() -> None:
    import re
    import tomllib

    root = README.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requires = project["requires-python"]
    assert requires == ">=3.11,<3.14"
    ci = (root / ".ci" / "run").read_text(encoding="utf-8")
    assert {"3.11", "3.12", "3.13"} <= set(re.findall(r"^venv_for (3\.\d+)", ci, re.MULTILINE))
    assert "Python 3.11, 3.12 or 3.13" in README.read_text(encoding="utf-8")
