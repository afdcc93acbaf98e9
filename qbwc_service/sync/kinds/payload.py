"""What a job keeps besides its columns: :class:`JobPayload`, stored as JSON in ``jobs.payload``.

A job holds the JobBOSS2 record as planned (so what is sent is exactly the
planned version, whichever process sends it), the phase it is in and its
counters; nothing lives in the process. :meth:`JobPayload.to_json` writes
only what is set, :meth:`JobPayload.from_json` reads it back typed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Phase(StrEnum):
    """What a job asks of QuickBooks next."""

    QUERY = "query"  # look a list record up by name
    ADD = "add"  # create the record
    READ = "read"  # read a record's current EditSequence (before a Mod)
    MOD = "mod"  # change a record QuickBooks holds
    VERIFY = "verify"  # the answer was lost: does QuickBooks hold the record?


#: Phases whose request is a query (for the error policy, and shared name lookups).
QUERY_PHASES = frozenset({Phase.QUERY, Phase.VERIFY, Phase.READ})


@dataclass(frozen=True)
class JobPayload:
    """A job's payload, typed. Fields left at their defaults are not stored."""

    phase: Phase
    #: The JobBOSS2 record as planned (JSON form, see :mod:`qbwc_service.sync.serialize`)
    #: and the name of its record type; none for a list record known by name only.
    record_type: str | None = None
    record: dict[str, Any] | None = None
    #: List records: the ID map entity, the JobBOSS2 key and the QuickBooks name.
    entity: str = ""
    key: str = ""
    name: str = ""
    #: List records: the fingerprint of the JobBOSS2 record planned.
    fingerprint: str = ""
    #: A default account: the type it is created with.
    account_type: str = ""
    #: A Mod: the EditSequence it is sent with, and the ``...Ret`` QuickBooks holds it as.
    edit_sequence: str = ""
    ret_type: str = ""
    #: A transaction's Mod: the TxnID QuickBooks holds it under; after a first 3200, the
    #: EditSequence that went stale (a second one fails the job naming both).
    txn_id: str = ""
    stale_edit_sequence: str = ""
    #: A record sent as several jobs (an attendance day, one per punch): which one, and
    #: the key of the whole record (what JobBOSS2 write-backs flag).
    index: int = 1
    parent_key: str = ""
    #: Counters: transient errors retried, references re-created after a 3140, names adopted.
    retries: int = 0
    replans: int = 0
    adopt_tries: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any], first_phase: Phase) -> JobPayload:
        """Read a stored payload; ``first_phase`` when it names none."""
        phase = Phase(data.get("phase") or first_phase)
        if _FIELDS.issuperset(data) and None not in data.values():  # as written by to_json
            return cls(**{**data, "phase": phase})
        values = {name: data[name] for name in _FIELDS if data.get(name) is not None}
        if "parent_key" not in values and data.get("day_key"):  # rows planned before the rename
            values["parent_key"] = data["day_key"]
        return cls(**{**values, "phase": phase})

    def to_json(self) -> dict[str, Any]:
        """The JSON form: the phase and every field not at its default."""
        out: dict[str, Any] = {"phase": self.phase.value}
        for name, default in _DEFAULTS.items():
            value = getattr(self, name)
            if value != default:
                out[name] = value
        return out

    def but(self, **changes: Any) -> JobPayload:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)


_FIELDS = frozenset(f.name for f in dataclasses.fields(JobPayload))
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(JobPayload)
                             if f.name != "phase"}
