"""The JobBOSS2 side: read the E2 tables as typed records, write back flags.

* :mod:`.records` - the frozen dataclasses (``ArInvoice``, ``ApInvoice``, ``Customer`` ...);
* :mod:`.reader` - :class:`JobBossReader` and :class:`TxnFilter`;
* :mod:`.writeback` - :class:`JobBossWriter` (exported, paid, Set Begin);
* :mod:`.layout` - the table layout: table/column names per entity, :func:`check_schema`;
* :mod:`.schema` - the E2 tables as SQLAlchemy Core tables.

The demo JobBOSS2 database (``qbwc-service demo-db``) is built by
:mod:`qbwc_service.simulator.demo_db`.
"""

from qbwc_service.jobboss.layout import JobBossLayout, LayoutError, SchemaMismatch, check_schema
from qbwc_service.jobboss.reader import ALL, JobBossReader, TxnFilter
from qbwc_service.jobboss.writeback import JobBossWriter, RecordNotFound

__all__ = ["ALL", "JobBossLayout", "JobBossReader", "JobBossWriter", "LayoutError", "RecordNotFound",
           "SchemaMismatch", "TxnFilter", "check_schema"]
