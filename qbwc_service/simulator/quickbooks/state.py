"""The company file: every record, the counters, JSON persistence.

Records live per Ret type (``CustomerRet``, ``InvoiceRet`` ...) keyed by
ListID or TxnID, in creation order. A name index per namespace (see
:mod:`.names`) answers FullName lookups and uniqueness checks.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qbwc_service.simulator.quickbooks import names
from qbwc_service.simulator.quickbooks.records import Record

STATE_FORMAT = 1


@dataclass
class CompanyState:
    """Everything a company file holds, JSON-serialisable."""

    country: str = "US"
    company_name: str = "Sample Manufacturing Co"
    settings: dict[str, Any] = field(default_factory=dict)
    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    next_list: int = 1
    next_txn: int = 1
    next_txn_number: int = 1
    last_edit_sequence: int = 0
    _names: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict, repr=False)

    # -- records -------------------------------------------------------------

    def table(self, ret: str) -> dict[str, Record]:
        return self.records.setdefault(ret, {})

    def put(self, ret: str, record_id: str, record: Record) -> None:
        self.table(ret)[record_id] = record
        self._index(ret, record_id, record)

    def get(self, ret: str, record_id: str) -> Record | None:
        return self.records.get(ret, {}).get(record_id)

    def rename(self, ret: str, old_full_name: str, record_id: str, record: Record) -> None:
        space = names.NAMESPACE_OF.get(ret)
        if space:
            self._names.get(space, {}).pop(names.key(old_full_name), None)
        self._index(ret, record_id, record)

    def find_by_name(self, space: str, full_name: str) -> tuple[str, str] | None:
        """``(ret, id)`` of the record called *full_name* in *space*, any case."""
        return self._names.get(space, {}).get(names.key(full_name))

    def all(self, rets: tuple[str, ...]) -> list[tuple[str, Record]]:
        """Records of the given Ret types, in creation order."""
        rows = [(ret, rec) for ret in rets for rec in self.records.get(ret, {}).values()]
        rows.sort(key=lambda row: row[1].get("_seq", 0))
        return rows

    def _index(self, ret: str, record_id: str, record: Record) -> None:
        space = names.NAMESPACE_OF.get(ret)
        if space and record.get("FullName"):
            self._names.setdefault(space, {})[names.key(record["FullName"])] = (ret, record_id)

    # -- counters ------------------------------------------------------------

    def take_list_counter(self) -> int:
        self.next_list += 1
        return self.next_list - 1

    def take_txn_counter(self) -> int:
        self.next_txn += 1
        return self.next_txn - 1

    def take_txn_number(self) -> int:
        self.next_txn_number += 1
        return self.next_txn_number - 1

    def take_edit_sequence(self, stamp: int) -> str:
        """A fresh EditSequence: the clock's second, forced to grow on every change."""
        self.last_edit_sequence = max(stamp, self.last_edit_sequence + 1)
        return str(self.last_edit_sequence)

    # -- persistence ---------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT, "country": self.country, "company_name": self.company_name,
            "settings": self.settings, "records": self.records, "next_list": self.next_list,
            "next_txn": self.next_txn, "next_txn_number": self.next_txn_number,
            "last_edit_sequence": self.last_edit_sequence,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CompanyState:
        if data.get("format") != STATE_FORMAT:
            raise ValueError(f"unknown stand-in state format {data.get('format')!r}")
        state = cls(country=data["country"], company_name=data["company_name"],
                    settings=data["settings"], records=data["records"],
                    next_list=data["next_list"], next_txn=data["next_txn"],
                    next_txn_number=data["next_txn_number"],
                    last_edit_sequence=data["last_edit_sequence"])
        for ret, table in state.records.items():
            for record_id, record in table.items():
                state._index(ret, record_id, record)
        return state

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the state atomically (temporary file, then rename)."""
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(target)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CompanyState:
        """The state saved in *path*; a file that is not one gives a ValueError naming it."""
        try:
            return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ValueError(f"{path} is not a QuickBooks stand-in state file ({detail})") from exc
