"""The sync engine: JobBOSS2 records into QuickBooks, exactly once.

* :mod:`.kinds`: one module per record kind, and the registry that finds them;
* :mod:`.planning`: which JobBOSS2 records become jobs, and what they wait for;
* :mod:`.running`: the engine the SOAP edge calls (:mod:`.contract`), from
  the queue to QuickBooks and back to JobBOSS2;
* :mod:`.settings` (each user's options), :mod:`.reports` (what a run did).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qbwc_service.config import Config
    from qbwc_service.sync.contract import SyncEngine


def default_engine(config: Config) -> SyncEngine:
    """The engine the served application uses (see ``wsgi.create_app``)."""
    from qbwc_service.sync.running.engine import JobBossSync

    return JobBossSync(paid_status_code=config["jobboss.paid_status_code"])
