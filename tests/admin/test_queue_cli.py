"""``qbwc-service queue ...`` as the issue spells it, on the admin's queue."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qbwc_service.cli import main
from qbwc_service.queue import jobs
from qbwc_service.queue.models import Job


@pytest.fixture
def cli(config_file):
    def run(*args: str):
        return CliRunner().invoke(main, ["--config", str(config_file), "queue", *args])
    return run


def _job(sessions, users, key: str, *statuses: str, area: str = "ar") -> int:
    with sessions.begin() as db:
        job = jobs.add_job(db, user_id=users["shop"], area=area, kind=f"{area}.add",
                           source_table="Billing", source_key=key, source_version="1",
                           payload={})
        for status in statuses:
            jobs.transition(db, job, status, reason="3000: nope" if status == "error" else "")
        return job.id


def _status(sessions, job_id: int) -> str:
    with sessions() as db:
        return db.get(Job, job_id).status


@pytest.mark.parametrize("statuses", [("sent",), ("sent", "verify")])
def test_retry_never_resends_a_job_quickbooks_may_hold(cli, sessions, users, statuses):
    """A sent job, or one whose response was lost, may already be in QuickBooks:
    putting it back to pending would send it blindly a second time."""
    job_id = _job(sessions, users, "INV-1", *statuses)
    res = cli("retry", str(job_id))
    assert res.exit_code == 1
    assert "cannot be retried" in res.output
    assert _status(sessions, job_id) == statuses[-1]
