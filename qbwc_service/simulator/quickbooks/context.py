"""What the parts of the stand-in may use of a company file: the :class:`Company` protocol.

:class:`~.company.QuickBooksCompany` is the one implementation. Handlers,
rules and references are typed against this protocol, so they import nothing
from ``company`` and the company imports them freely: the package's imports
run one way, from ``company`` down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from qbwc_service.simulator.quickbooks.products import Product
from qbwc_service.simulator.quickbooks.records import Record
from qbwc_service.simulator.quickbooks.state import CompanyState


@dataclass
class Injection:
    """An error to answer instead of processing a matching request."""

    target: str
    code: int
    remaining: int


@dataclass
class Iterator:
    """A query iterator: the rows still to hand out and how to write them."""

    rows: list[tuple[str, str]]
    request_type: str
    include: list[str] = field(default_factory=list)
    include_lines: bool = True


class Company(Protocol):
    """A company file as handlers see it."""

    state: CompanyState
    product: Product
    reject_raw_non_ascii: bool
    injections: list[Injection]
    iterators: dict[str, Iterator]
    requests_processed: int

    @property
    def country(self) -> str: ...

    @property
    def max_version(self) -> str: ...

    @property
    def owner_file_ids(self) -> dict[str, str]: ...

    def now(self) -> datetime: ...

    def new_txn_id(self) -> str: ...

    def stamp_new(self, record: Record, id_field: str) -> Record: ...

    def stamp_modified(self, record: Record) -> None: ...

    def setting(self, key: str, default: Any = None) -> Any: ...
