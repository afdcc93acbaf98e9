"""The JobBOSS2 side: read the E2 tables as typed records, write back flags, build a demo database.

* :mod:`.records` - the frozen dataclasses (``ArInvoice``, ``ApInvoice``, ``Customer`` ...);
* :mod:`.reader` - :class:`JobBossReader` and :class:`TxnFilter`;
* :mod:`.writeback` - :class:`JobBossWriter` (exported, paid, Set Begin);
* :mod:`.mapping` - table/column names per entity, :func:`check_schema`;
* :mod:`.schema` - the E2 tables as SQLAlchemy Core tables;
* :mod:`.demo_db` - :func:`create_demo_database` (``qbwc-service demo-db``).
"""

from qbwc_service.jobboss.mapping import JobBossMapping, MappingError, SchemaMismatch, check_schema
from qbwc_service.jobboss.reader import ALL, JobBossReader, TxnFilter
from qbwc_service.jobboss.writeback import JobBossWriter, RecordNotFound

__all__ = ["ALL", "JobBossMapping", "JobBossReader", "JobBossWriter", "MappingError", "RecordNotFound",
           "SchemaMismatch", "TxnFilter", "check_schema"]
