"""logging.file with rotation, logging.format text / json, and the default data directory."""

from __future__ import annotations

import json
import logging
from pathlib import Path, PureWindowsPath

import pytest
from click.testing import CliRunner

from qbwc_service import config, logsetup
from qbwc_service.cli import main


@pytest.fixture
def configured(tmp_path):
    """Configure logging from a file of *text*; undo it afterwards."""
    level = logging.getLogger().level

    def apply(text: str) -> Path | None:
        path = tmp_path / "qbwc-service.toml"
        path.write_text(text, encoding="utf-8")
        return logsetup.configure(config.load(path))

    yield apply
    logsetup.reset()
    logging.getLogger().setLevel(level)


def test_a_relative_log_file_lives_beside_the_configuration_and_rotates(tmp_path, configured):
    path = configured('[logging]\nfile = "logs/service.log"\nmax_mb = 1\nbackups = 2\n')
    assert path == tmp_path / "logs" / "service.log"
    log = logging.getLogger("qbwc_service.test")
    line = "x" * 1000
    for _ in range(3500):  # about 3.5 MB: two rotations and more
        log.warning(line)
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["service.log", "service.log.1", "service.log.2"]
    assert all(p.stat().st_size <= 1024 * 1024 for p in path.parent.iterdir())


def test_json_format_writes_one_object_per_line_with_extra_fields(configured):
    path = configured('[logging]\nfile = "q.log"\nformat = "json"\n')
    logging.getLogger("qbwc_service.sessions").warning("session 3 ended",
                                                       extra={"user": "shop", "jobs": {"done": 2}})
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    assert record["message"] == "session 3 ended" and record["level"] == "WARNING"
    assert record["logger"] == "qbwc_service.sessions" and record["user"] == "shop"
    assert record["jobs"] == {"done": 2} and record["time"]


def test_text_format_is_the_default(configured):
    path = configured('[logging]\nfile = "q.log"\n')
    logging.getLogger("qbwc_service.x").warning("plain line")
    assert path.read_text(encoding="utf-8").rstrip().endswith("WARNING qbwc_service.x: plain line")


def test_configuring_again_replaces_its_own_handlers(configured):
    configured('[logging]\nfile = "a.log"\n')
    configured('[logging]\nfile = "b.log"\n')
    own = [h for h in logging.getLogger().handlers if getattr(h, logsetup.OWN, False)]
    assert [Path(h.baseFilename).name for h in own] == ["b.log"]


def test_an_unwritable_log_file_is_a_configuration_error(tmp_path):
    (tmp_path / "blocker").write_text("a file, not a folder", encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text('[logging]\nfile = "blocker/q.log"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "user", "list"])
    logsetup.reset()
    assert result.exit_code == 2 and "logging.file" in result.output


@pytest.mark.parametrize(("environ", "expected"), [
    ({"PROGRAMDATA": r"D:\ProgramData"}, r"D:\ProgramData\qbwc-service"),
    ({}, r"C:\ProgramData\qbwc-service"),
])
def test_windows_keeps_its_data_under_programdata(environ, expected):
    found = config.default_data_dir("win32", environ)
    assert isinstance(found, PureWindowsPath) and found == PureWindowsPath(expected)
    assert found / config.DEFAULT_CONFIG_NAME == PureWindowsPath(expected + r"\qbwc-service.toml")


def test_elsewhere_the_current_directory(monkeypatch):
    assert str(config.default_data_dir("linux", {"PROGRAMDATA": "ignored"})) == "."
    assert config.config_path() == Path("qbwc-service.toml")
    monkeypatch.setenv(config.CONFIG_ENV, "/etc/qbwc/q.toml")
    assert config.config_path() == Path("/etc/qbwc/q.toml")
