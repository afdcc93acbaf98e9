"""The sync engine: JobBOSS2 records into QuickBooks, exactly once."""

from __future__ import annotations

from typing import Any


def default_engine(config: Any) -> Any:
    """The engine the served application uses (see ``wsgi.create_app``)."""
    from qbwc_service.sync.engine import JobBossSync

    return JobBossSync(paid_status_code=config["jobboss.paid_status_code"])
