"""JobBOSS2 URLs written env:NAME are read from the environment when an engine is made."""

from __future__ import annotations

import pytest

from qbwc_service.jobboss import connect
from qbwc_service.jobboss.reader import JobBossReader


def test_env_reference_is_resolved_at_connect_time(demo_path, monkeypatch):
    monkeypatch.setenv("SHOP_JOBBOSS_URL", f"sqlite:///{demo_path}")
    engine = connect.jobboss_engine("env:SHOP_JOBBOSS_URL")
    assert engine.url.database == str(demo_path)
    assert JobBossReader("env:SHOP_JOBBOSS_URL").engine.url.database == str(demo_path)


def test_an_unset_variable_is_named(monkeypatch):
    monkeypatch.delenv("SHOP_JOBBOSS_URL", raising=False)
    with pytest.raises(connect.JobBossUrlError, match="SHOP_JOBBOSS_URL"):
        connect.jobboss_engine("env:SHOP_JOBBOSS_URL")


@pytest.mark.parametrize(("value", "expected"), [
    ("env:JB_URL", True), ("env:_x1", True), ("env:", False), ("env:1A", False), ("env:A-B", False),
    ("mssql+pyodbc://u:p@h/db", False)])
def test_env_reference_names(value, expected):
    assert connect.is_env_reference(value) is expected


def test_plain_urls_pass_through():
    assert connect.resolve_url("sqlite:///x.db", environ={}) == "sqlite:///x.db"
    assert connect.resolve_url("env:X", environ={"X": "sqlite:///y.db"}) == "sqlite:///y.db"
