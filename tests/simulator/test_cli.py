"""``qbwc-service simulate`` and ``qbwc-service demo``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from mini_engine import MiniEngine, queue_customers

from qbwc_service import accounts, config
from qbwc_service.cli import main
from qbwc_service.queue.db import transaction
from qbwc_service.server import run_in_thread
from qbwc_service.wsgi import create_app


@pytest.fixture
def url(config_file, sessions):
    with transaction(sessions) as db:
        user = accounts.create_user(db, "shop", "s3cret pass")
        queue_customers(db, user, "Acme", "Beta", "Gamma")
    app = create_app(config.load(config_file), MiniEngine(), sessions=sessions)
    with run_in_thread(app, threads=4) as server:
        yield server.url + "/qbwc"


def test_simulate_runs_a_session_and_keeps_state(url, tmp_path):
    state = tmp_path / "qb.json"
    args = ["simulate", "--url", url, "--user", "shop", "--password-stdin", "--state", str(state)]
    result = CliRunner().invoke(main, args, input="s3cret pass\n")
    assert result.exit_code == 0, result.output
    assert "sendRequestXML(" in result.output and "receiveResponseXML(" in result.output
    assert "user shop: finished" in result.output and "closeConnection x1" in result.output
    names = sorted(r["Name"] for r in json.loads(state.read_text())["records"]["CustomerRet"].values())
    assert names == ["Acme", "Beta", "Gamma"]
    again = CliRunner().invoke(main, args + ["--quiet"], input="s3cret pass\n")
    assert again.exit_code == 0 and "user shop: none" in again.output


def test_simulate_crash_and_bad_password(url):
    crash = CliRunner().invoke(main, ["simulate", "--url", url, "--user", "shop", "--password-stdin",
                                      "--crash-after", "1", "-q"], input="s3cret pass\n")
    assert crash.exit_code == 0 and "crashed" in crash.output and "closeConnection" not in crash.output
    wrong = CliRunner().invoke(main, ["simulate", "--url", url, "--user", "shop", "--password-stdin"],
                               input="nope\n")
    assert wrong.exit_code == 1 and "user shop: nvu" in wrong.output


@pytest.mark.slow
def test_demo_syncs_the_demo_database(tmp_path):
    from qbwc_service.simulator.demo import run_demo

    lines: list[str] = []
    result = run_demo(tmp_path / "demo", printer=lines.append)
    assert result.plan_lines and result.sessions
    assert result.finished, [s.summary() for s in result.sessions]
    state = json.loads(result.state_path.read_text())
    assert state["records"].get("InvoiceRet")
    assert result.report_text and "Run " in result.report_text
