"""The QuickBooks stand-in: one company file that answers qbXML.

>>> company = QuickBooksCompany.fresh(country="US")
>>> response = company.process(request_xml)      # or raises QbXmlParseFailure

Everything a handler needs is here: the state, a clock, identifiers and the
error injections a test arms with :meth:`QuickBooksCompany.inject_error`.
The processing of a message (parse, validate, dispatch, onError) lives in
:mod:`.dispatch`; what each request does lives in ``handlers/``.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from qbwc_service.simulator.quickbooks import defaults, dispatch, hcp, ids, products
from qbwc_service.simulator.quickbooks.context import Injection, Iterator
from qbwc_service.simulator.quickbooks.records import Record
from qbwc_service.simulator.quickbooks.state import CompanyState


class QuickBooksCompany:
    """A stateful QuickBooks company file answering qbXML request messages
    (the :class:`~.context.Company` the handlers work on)."""

    def __init__(self, state: CompanyState, *, clock: ids.Clock = ids.system_clock,
                 product: products.Product | None = None, reject_raw_non_ascii: bool = True) -> None:
        self.state = state
        self.clock = clock
        #: The QuickBooks release playing this file; messages above its qbXML version fail.
        self.product = product or products.product_for(state.country, "13.0")
        #: QuickBooks rejects raw non-ASCII characters; character references pass.
        self.reject_raw_non_ascii = reject_raw_non_ascii
        self.injections: list[Injection] = []
        self.iterators: dict[str, Iterator] = {}
        self.lock = threading.RLock()
        self.requests_processed = 0

    # -- construction and persistence ---------------------------------------

    @classmethod
    def fresh(cls, country: str = "US", company_name: str = "Sample Manufacturing Co",
              **options: Any) -> QuickBooksCompany:
        """A new company with the default accounts, terms, tax codes and payroll items."""
        company = cls(CompanyState(country=country, company_name=company_name), **options)
        defaults.populate(company, defaults.profile_for(country))
        return company

    @classmethod
    def load(cls, path: str | os.PathLike[str], **options: Any) -> QuickBooksCompany:
        return cls(CompanyState.load(path), **options)

    @classmethod
    def open_or_create(cls, path: str | os.PathLike[str], country: str = "US",
                       **options: Any) -> QuickBooksCompany:
        """Load *path* if it exists, else a fresh company (saved there on :meth:`save`)."""
        if Path(path).exists():
            return cls.load(path, **options)
        return cls.fresh(country=country, **options)

    def save(self, path: str | os.PathLike[str]) -> None:
        with self.lock:
            self.state.save(path)

    # -- the one entry point -------------------------------------------------

    def process(self, request_xml: str) -> str:
        """Answer a qbXML request message, or raise :class:`QbXmlParseFailure`."""
        with self.lock:
            return dispatch.process(self, request_xml)

    # -- fault injection -----------------------------------------------------

    def inject_error(self, target: str, code: int, times: int = 1) -> None:
        """Answer *code* (e.g. 3175, 3180) to the next *times* requests matching *target*.

        *target* is a request type (``CustomerAddRq`` or ``CustomerAdd``) or a
        name / RefNumber the request carries (compared without case).
        """
        self.injections.append(Injection(target, code, times))

    # -- helpers for handlers ------------------------------------------------

    @property
    def country(self) -> str:
        return self.state.country

    @property
    def max_version(self) -> str:
        """The newest qbXML spec this QuickBooks accepts."""
        return self.product.qbxml

    @property
    def owner_file_ids(self) -> dict[str, str]:
        """OwnerID -> FileID the Web Connector stamped on this file (CompanyRet DataExt)."""
        return self.state.settings.setdefault("owner_file_ids", {})

    def hcp_response(self) -> str:
        """The HostQuery/CompanyQuery/PreferencesQuery answer the Web Connector sends first."""
        with self.lock:
            return hcp.hcp_response(self, self.product, self.owner_file_ids)

    def now(self) -> datetime:
        return self.clock()

    def stamp(self) -> int:
        return int(self.now().timestamp())

    def new_list_id(self) -> str:
        return ids.list_id(self.state.take_list_counter(), self.stamp())

    def new_txn_id(self) -> str:
        return ids.txn_id(self.state.take_txn_counter(), self.stamp())

    def new_edit_sequence(self) -> str:
        return self.state.take_edit_sequence(self.stamp())

    def stamp_new(self, record: Record, id_field: str) -> Record:
        """Give a new record its ID, timestamps, EditSequence and creation order."""
        moment = ids.timestamp(self.now())
        record[id_field] = self.new_list_id() if id_field == "ListID" else self.new_txn_id()
        record["TimeCreated"] = moment
        record["TimeModified"] = moment
        record["EditSequence"] = self.new_edit_sequence()
        record["_seq"] = self.state.next_list + self.state.next_txn
        return record

    def stamp_modified(self, record: Record) -> None:
        record["TimeModified"] = ids.timestamp(self.now())
        record["EditSequence"] = self.new_edit_sequence()

    def setting(self, key: str, default: Any = None) -> Any:
        return self.state.settings.get(key, default)

    # -- changes made in QuickBooks, behind the service's back (tests) ----------

    def alter(self, ret: str, record_id: str, **fields: Any) -> Record:
        """Change a record as a person in QuickBooks would: new values, a new EditSequence."""
        with self.lock:
            record = self.state.get(ret, record_id)
            if record is None:
                raise KeyError(f"no {ret} {record_id}")
            old_name = record.get("FullName", "")
            record.update(fields)
            self.stamp_modified(record)
            if record.get("FullName", "") != old_name:
                self.state.rename(ret, old_name, record_id, record)
            return record

    def delete(self, ret: str, record_id: str) -> None:
        """Delete a transaction as a person in QuickBooks would."""
        with self.lock:
            if self.state.records.get(ret, {}).pop(record_id, None) is None:
                raise KeyError(f"no {ret} {record_id}")
