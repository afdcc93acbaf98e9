"""The shape of a record kind: what each kind module declares.

A kind module declares one ``KIND``, as data plus a few small functions:

* :class:`TxnKind`, a transaction (invoice, bill, time record): its area, the
  JobBOSS2 sources it reads (:class:`Source`), the list records it needs, how
  it builds its request, how it is found again after a lost answer (the
  verify query and the match), its JobBOSS2 write-backs and its nouns.
* :class:`ListKind`, a kind of list record transactions reference
  (customer, item, account...): the ID map entity, how it is queried, added
  and changed, where JobBOSS2 keeps it.

:mod:`.registry` finds every ``KIND`` of this package; planning and the
engine read it, so nothing else names a kind. The areas a kind belongs to are
declared once, in :mod:`qbwc_service.queue.areas`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from qbwc_service.jobboss.reader import JobBossReader, TxnFilter
from qbwc_service.qbxml import requests as rq
from qbwc_service.qbxml.parse import RetInfo
from qbwc_service.queue.areas import LISTS, Area
from qbwc_service.sync.kinds.context import MapContext, Need
from qbwc_service.sync.kinds.payload import JobPayload, Phase
from qbwc_service.sync.kinds.summary import Summary
from qbwc_service.sync.names.rule import NameRule
from qbwc_service.sync.settings import SyncSettings

R = TypeVar("R")


class SourceRecord(Protocol):
    """What planning reads of any JobBOSS2 record (``jobboss.records``)."""

    @property
    def key(self) -> str:
        """``"Table:key"``, stable."""
        ...

    def fingerprint(self) -> str:
        """A short hash of the record's content."""
        ...


class Family(StrEnum):
    """What a job does, which decides its phases."""

    TXN = "txn"  # a transaction: add (verify after a lost answer)
    ENSURE = "ensure"  # a list record a transaction needs: query by name, add when missing
    MOD = "mod"  # a changed list record QuickBooks holds: (read), mod


class KnownRecords(Protocol):
    """What a source may ask of planning: the keys an ID map entity holds for the user."""

    def known_keys(self, entity: str) -> Mapping[str, str]:
        """Every JobBOSS2 key of ``entity`` QuickBooks holds -> the version it was sent as."""
        ...


@dataclass(frozen=True)
class Source(Generic[R]):
    """Where records come from in JobBOSS2, and the settings that turn it on.

    ``switch`` is the setting that syncs its area at all; ``choice`` the
    ``(setting, value)`` that picks this source among others of the area.
    """

    name: str
    area: Area
    switch: str
    read: Callable[[JobBossReader, TxnFilter, KnownRecords], Iterable[R]]
    choice: tuple[str, str] | None = None

    def enabled(self, settings: SyncSettings) -> bool:
        if not settings[self.switch]:
            return False
        return self.choice is None or settings[self.choice[0]] == self.choice[1]


@dataclass(frozen=True)
class WriteBack:
    """A JobBOSS2 write-back once QuickBooks holds the record; ``setting`` enables it ("" = always)."""

    action: str  # "exported", "paid"
    setting: str = ""


EXPORTED = WriteBack("exported")


@dataclass(frozen=True)
class TxnKind(Generic[R]):
    """A transaction kind. Functions get the record, the job's unit index and the rest.

    A record is one job, or one per unit when ``units`` is set (an attendance
    day: one per punch; the index picks the unit). ``claims``: when several
    kinds read one source, which records this one takes (kinds that claim go
    first; one without ``claims`` takes the rest).
    """

    name: str  # the job kind, e.g. ``invoice.add``
    area: Area
    entity: str  # the ID map entity
    record_type: type[R]
    sources: tuple[Source[R], ...]
    needs: Callable[[R, int, SyncSettings], list[Need]]
    build: Callable[[R, int, MapContext], rq.Request]
    verify: Callable[[R, int, MapContext], rq.Request]
    matches: Callable[[R, int, RetInfo], bool]
    noun: str
    plural: str
    writebacks: tuple[WriteBack, ...] = (EXPORTED,)
    units: Callable[[R], Iterable[int]] | None = None
    claims: Callable[[R], bool] | None = None
    #: The QuickBooks transaction type it becomes (``Invoice``, ``Bill``...), for
    #: reconciliation; "" = not reconciled.
    qb_type: str = ""
    #: The total QuickBooks should return for the record (``None``: not comparable, e.g.
    #: converted to another currency); a different one is a warning on the record.
    total: Callable[[R, SyncSettings], Decimal | None] | None = None
    #: The RefNumber's limit and namespace (the name map), and the record's number.
    names: NameRule | None = None
    ref_number: Callable[[R], str] | None = None
    #: The record as the admin pages list it (document, number, name, date, amount).
    summary: Callable[[R, int], Summary] | None = None
    #: A record QuickBooks holds that changed in JobBOSS2 since ("changed after export"):
    #: the ``...Mod`` carrying the Add :attr:`build` makes today (``options.update_exported``)
    #: and the query reading its EditSequence by TxnID first. ``None``: never watched.
    mod_request: type[rq.TxnModRequest] | None = None
    read_request: type[rq.TxnQueryRequest] | None = None

    family = Family.TXN
    first_phase = Phase.ADD

    @property
    def mod_kind(self) -> str:
        """The job kind of its Mods (``invoice.mod``)."""
        return self.name.rsplit(".", 1)[0] + ".mod"

    @property
    def watched(self) -> bool:
        """Whether a change after export is looked for (and can be sent)."""
        return self.mod_request is not None and self.read_request is not None


@dataclass(frozen=True)
class TxnModKind(TxnKind[R]):
    """The Mod jobs of a transaction kind (:meth:`of`): read the EditSequence by TxnID,
    then send the ``...Mod`` of the record as JobBOSS2 holds it now."""

    family = Family.MOD
    first_phase = Phase.READ

    @classmethod
    def of(cls, kind: TxnKind[Any]) -> TxnModKind[Any]:
        fields = {f.name: getattr(kind, f.name) for f in dataclasses.fields(kind)}
        return cls(**{**fields, "name": kind.mod_kind})

    def mod(self, record: R, index: int, txn_id: str, edit_sequence: str,
            ctx: MapContext) -> rq.Request:
        """The Mod of ``record``: its Add as built today, under the TxnID and EditSequence held."""
        assert self.mod_request is not None
        return self.mod_request(txn_id=txn_id, edit_sequence=edit_sequence,
                                of=self.build(record, index, ctx))  # type: ignore[call-arg]

    def read(self, txn_id: str) -> rq.Request:
        """The query reading the record QuickBooks holds, by TxnID."""
        assert self.read_request is not None
        return self.read_request(txn_ids=(txn_id,))


@dataclass(frozen=True)
class ModOf:
    """What a Mod needs besides the record: the ListID, EditSequence and ``...Ret`` type held."""

    list_id: str
    edit_sequence: str
    ret_type: str


def _no_needs(_settings: SyncSettings) -> list[Need]:
    return []


@dataclass(frozen=True)
class ListKind(Generic[R]):
    """A kind of list record: how it is found, added and changed in QuickBooks.

    Entities keyed by a JobBOSS2 code (``customer`` = ``CustCode``...) carry
    their record (``record_type``, ``key_of``, ``read``); others are
    QuickBooks names taken from the settings.
    """

    entity: str  # the ID map entity and the job kinds' prefix (``customer.ensure``)
    table: str  # the record-key prefix shown in reports
    query: Callable[[str], Callable[..., rq.Request]]  # country -> query by full_names / list_ids
    #: Its place among the list kinds, where planning walks them (``sync defaults``,
    #: ``options.validate_sync_tables``, ``options.update_after_edit``).
    sync_order: int
    #: Send order among list records (accounts before the items that use them).
    priority: int = 30
    record_type: type[R] | None = None
    key_of: Callable[[R], str] | None = None
    #: The need of a key, named as its JobBOSS2 record (when known) names it in QuickBooks.
    need: Callable[[str, R | None], Need] | None = None
    #: Its :class:`~qbwc_service.jobboss.reader.JobBossReader` method: ``read(reader, keys)``, the
    #: records of some keys (``None``: all); ``read(reader, changed_since=when)`` for a kind with a Mod.
    read: Callable[..., Iterable[R]] | None = None
    #: The add request; ``None``: the service cannot add it (a person must).
    add: Callable[[Need, R | None, JobPayload, MapContext], rq.Request] | None = None
    #: The Mod request of a changed record (``options.update_after_edit``); ``None``: never sent.
    mod: Callable[[R, ModOf, MapContext], rq.Request] | None = None
    #: Read the record before a Mod (its type in QuickBooks decides the Mod).
    mod_reads_first: bool = False
    #: The list records an ensure job of this kind needs before it can add its record.
    needs: Callable[[SyncSettings], list[Need]] = _no_needs
    #: Payload fields an ensure job is planned with (a default account's type).
    planned_with: Callable[[Need, SyncSettings], Mapping[str, str]] | None = None
    #: What ``sync defaults`` ensures of this kind (the records named in the settings).
    defaults: Callable[[SyncSettings], list[Need]] = _no_needs
    #: Not found and not addable: ``True`` = remember it as absent (transactions leave the
    #: reference out, with a warning); ``False`` = the ensure job fails.
    absent_ok: bool = False
    #: When the record is missing, a person must create it; said in the error.
    missing_hint: str = ""
    noun: str = "list record"
    plural: str = "list records"
    area: Area = LISTS
    #: The name's limit and namespace in QuickBooks (the name map); ``None``: not mapped.
    names: NameRule | None = None

    @property
    def can_add(self) -> bool:
        return self.add is not None

    @property
    def ensure_kind(self) -> str:
        return f"{self.entity}.ensure"

    @property
    def mod_kind(self) -> str:
        return f"{self.entity}.mod"

    def named(self, key: str, record: R | None = None) -> Need:
        """The need of ``key``, with the QuickBooks name its record gives."""
        return self.need(key, record) if self.need is not None else Need(self.entity, key, key)


def named_record_kind(*, add: Callable[[R, MapContext], rq.Request],
                      mod: Callable[[R, str, str, MapContext], rq.Request],
                      by_name: Callable[[Need], R], **declared: Any) -> ListKind[R]:
    """A list kind of JobBOSS2 records QuickBooks knows by name (customers, vendors, employees).

    ``add(record, ctx)`` and ``mod(record, list_id, edit_sequence, ctx)`` build its requests;
    ``by_name`` makes the record of one JobBOSS2 did not return, to add it by name only.
    """
    return ListKind(add=lambda need, record, _payload, ctx: add(record or by_name(need), ctx),
                    mod=lambda record, held, ctx: mod(record, held.list_id, held.edit_sequence, ctx),
                    **declared)


@dataclass(frozen=True)
class ListJobKind:
    """The jobs of one list kind: its ensure jobs or its Mod jobs (see :meth:`of`)."""

    name: str
    family: Family
    kind: ListKind[object]
    first_phase: Phase
    area: Area = LISTS
    noun: str = "list record"

    @classmethod
    def of(cls, kind: ListKind[object], family: Family) -> ListJobKind:
        if family is Family.ENSURE:
            return cls(kind.ensure_kind, family, kind, Phase.QUERY, kind.area, kind.noun)
        return cls(kind.mod_kind, family, kind, Phase.MOD, kind.area, kind.noun)


#: What a job's kind string names.
JobKind = TxnKind[object] | ListJobKind


def query_of(query: Callable[..., rq.Request]) -> Callable[[str], Callable[..., rq.Request]]:
    """A ``ListKind.query`` that is the same in every country."""
    return lambda _country: query
