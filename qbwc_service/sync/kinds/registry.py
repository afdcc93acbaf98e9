"""The kind registry: every record kind, found in the modules of this package.

Each module of :mod:`qbwc_service.sync.kinds` that declares a ``KIND`` (a
:class:`~.base.TxnKind` or a :class:`~.base.ListKind`) is a kind; adding a
module is all it takes to add one. Everything that needs to know the kinds
asks here: what a job's kind string means (:func:`job_kind`), which sources
planning reads and which kind each record becomes (:func:`sources`,
:func:`route`), the list kinds, the record types a payload may hold.

A job's kind string names what it does for which record: ``invoice.add``
(a transaction), ``customer.ensure`` (make sure QuickBooks has a list record
a transaction needs), ``customer.mod`` (send a changed list record).
"""

from __future__ import annotations

import importlib
import pkgutil
import weakref
from types import ModuleType

from qbwc_service.queue.areas import ORDER
from qbwc_service.queue.models import Job
from qbwc_service.sync import kinds as _package
from qbwc_service.sync.kinds.base import (
    Family,
    JobKind,
    ListJobKind,
    ListKind,
    Source,
    TxnKind,
    TxnModKind,
)
from qbwc_service.sync.kinds.context import Need
from qbwc_service.sync.kinds.payload import JobPayload
from qbwc_service.sync.serialize import from_jsonable
from qbwc_service.sync.settings import SyncSettings


def _kind_modules() -> list[ModuleType]:
    names = sorted(info.name for info in pkgutil.iter_modules(_package.__path__))
    modules = [importlib.import_module(f"{_package.__name__}.{name}") for name in names]
    return [module for module in modules if hasattr(module, "KIND")]


def _collect() -> tuple[dict[str, TxnKind[object]], dict[str, ListKind[object]]]:
    txns: dict[str, TxnKind[object]] = {}
    lists: dict[str, ListKind[object]] = {}
    for module in _kind_modules():
        kind = module.KIND
        if isinstance(kind, TxnKind):
            txns[kind.name] = kind
        elif isinstance(kind, ListKind):
            lists[kind.entity] = kind
        else:
            raise TypeError(f"{module.__name__}.KIND is neither a TxnKind nor a ListKind")
    return txns, dict(sorted(lists.items(), key=lambda item: item[1].sync_order))


#: Transaction kinds by job kind (``invoice.add``).
TXN_KINDS, LIST_KINDS = _collect()
#: Every job kind string -> what it names.
JOB_KINDS: dict[str, JobKind] = {
    **TXN_KINDS,
    **{k.ensure_kind: ListJobKind.of(k, Family.ENSURE) for k in LIST_KINDS.values()},
    **{k.mod_kind: ListJobKind.of(k, Family.MOD) for k in LIST_KINDS.values() if k.mod is not None},
    **{k.mod_kind: TxnModKind.of(k) for k in TXN_KINDS.values() if k.watched},
}
#: The record types a payload may hold, by name.
RECORD_TYPES: dict[str, type] = {
    t.__name__: t for t in [*(k.record_type for k in TXN_KINDS.values()),
                            *(k.record_type for k in LIST_KINDS.values() if k.record_type)]}


def _sources() -> list[Source[object]]:
    found: dict[int, Source[object]] = {}
    for kind in TXN_KINDS.values():
        for source in kind.sources:
            found.setdefault(id(source), source)
    return sorted(found.values(), key=lambda s: ORDER.index(s.area.name))


#: Every JobBOSS2 source, in the order planning reads them (by area).
SOURCES: list[Source[object]] = _sources()
#: Per source, the kinds reading it: those that claim records first, the catch-all last.
_READERS: dict[int, list[TxnKind[object]]] = {
    id(source): sorted((k for k in TXN_KINDS.values() if source in k.sources),
                       key=lambda k: k.claims is None)
    for source in SOURCES}


# ---------------------------------------------------------------- lookups


def job_kind(name: str) -> JobKind:
    """What a job's kind string names; ``KeyError`` for one no module declares."""
    return JOB_KINDS[name]


def txn_kind(name: str) -> TxnKind[object]:
    return TXN_KINDS[name]


def list_kind(entity: str) -> ListKind[object]:
    return LIST_KINDS[entity]


def route(source: Source[object], record: object) -> TxnKind[object] | None:
    """The kind a record of ``source`` becomes (``None``: no kind takes it)."""
    for kind in _READERS[id(source)]:
        if kind.claims is None or kind.claims(record):
            return kind
    return None


def watched(source: Source[object]) -> bool:
    """Whether a kind reading ``source`` looks for its documents changed after export."""
    return any(kind.watched for kind in _READERS[id(source)])


def watched_entities(source: Source[object]) -> set[str]:
    """The ID map entities of the kinds reading ``source`` that look for changes after export."""
    return {kind.entity for kind in _READERS[id(source)] if kind.watched}


def ensure_kinds() -> list[str]:
    """The job kinds of every ensure job."""
    return [k.ensure_kind for k in LIST_KINDS.values()]


def default_needs(settings: SyncSettings) -> list[Need]:
    """What ``sync defaults`` ensures, over every list kind."""
    return [need for kind in LIST_KINDS.values() for need in kind.defaults(settings)]


# ---------------------------------------------------------------- a job's payload


#: Typed payloads already read, per job: ``(the JSON dict they were read from, the payload)``.
#: A message reads a job's payload several times (building, warnings, applying); the JSON
#: dict is replaced whenever the payload changes (:func:`set_payload`), so it is the key.
_TYPED: weakref.WeakKeyDictionary[Job, tuple[object, JobPayload]] = weakref.WeakKeyDictionary()


def payload_of(job: Job) -> JobPayload:
    """The job's payload, typed (read once per stored version of it)."""
    stored = job.payload
    cached = _TYPED.get(job)
    if cached is not None and cached[0] is stored:
        return cached[1]
    payload = JobPayload.from_json(stored or {}, JOB_KINDS[job.kind].first_phase)
    _TYPED[job] = (stored, payload)
    return payload


def set_payload(job: Job, payload: JobPayload) -> None:
    """Store ``payload`` on the job (a new dict, so the JSON column is saved)."""
    job.payload = payload.to_json()


def record_of(payload: JobPayload) -> object | None:
    """The JobBOSS2 record the job was planned from (``None`` for a name-only list record).

    Rebuilt once per payload (records are frozen): building the request, its warnings
    and checking QuickBooks' total all read it.
    """
    if payload.record is None or payload.record_type is None:
        return None
    record = payload.__dict__.get(_RECORD)
    if record is None:
        record = from_jsonable(RECORD_TYPES[payload.record_type], payload.record)
        object.__setattr__(payload, _RECORD, record)  # a cache beside the fields, not one of them
    return record


_RECORD = "_record"


def need_of(payload: JobPayload) -> Need:
    """The list record an ensure or Mod job is about."""
    return Need(payload.entity, payload.key, payload.name)
