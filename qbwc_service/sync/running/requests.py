"""What a job asks of QuickBooks in its current phase.

A transaction sends its kind's request (``add``), or its verify query after
a lost answer; one changed after export is read by TxnID, then changed
(``mod``). A list record is looked up by name (``query``, ``verify``:
several ensure jobs of one kind share one query), read by ListID before a
Mod (``read``), then added or changed as its kind says.
"""

from __future__ import annotations

from qbwc_service.qbxml import requests as rq
from qbwc_service.queue.models import Job
from qbwc_service.sync.kinds import registry
from qbwc_service.sync.kinds.base import Family, ListKind, ModOf, TxnKind, TxnModKind
from qbwc_service.sync.kinds.context import BuildError, MapContext, Need
from qbwc_service.sync.kinds.payload import QUERY_PHASES, JobPayload, Phase


def request_for(job: Job, payload: JobPayload, ctx: MapContext) -> rq.Request:
    """The request a job sends in its current phase (raises :class:`BuildError`)."""
    kind = registry.job_kind(job.kind)
    if isinstance(kind, TxnModKind):
        return _txn_mod(kind, payload, ctx)
    if isinstance(kind, TxnKind):
        record = registry.record_of(payload)
        if payload.phase is Phase.VERIFY:
            return kind.verify(record, payload.index, ctx)
        return kind.build(record, payload.index, ctx)
    spec, need = kind.kind, registry.need_of(payload)
    if payload.phase in (Phase.QUERY, Phase.VERIFY):
        return names_query(spec, (need.name,), ctx.country)
    if payload.phase is Phase.READ:
        return spec.query(ctx.country)(list_ids=(_held(need, ctx),))
    if kind.family is Family.MOD:
        return _mod(spec, need, payload, ctx)
    return _add(spec, need, payload, ctx)


def names_query(spec: ListKind[object], names: tuple[str, ...], country: str) -> rq.Request:
    """The query finding list records of a kind by full name."""
    return spec.query(country)(full_names=names)


def operation(payload: JobPayload) -> str:
    """What the current phase asks of QuickBooks, for the error policy: query, add or mod."""
    if payload.phase in QUERY_PHASES:
        return "query"
    return "mod" if payload.phase is Phase.MOD else "add"


def _txn_mod(kind: TxnModKind[object], payload: JobPayload, ctx: MapContext) -> rq.Request:
    """A transaction's Mod: read it by TxnID (also after a lost answer: whether the Mod got
    there or not, sending it again with the EditSequence read is the same change), then Mod."""
    if not payload.txn_id:
        raise BuildError(f"the {kind.noun} has no TxnID to change")
    if payload.phase is Phase.MOD:
        return kind.mod(registry.record_of(payload), payload.index, payload.txn_id,
                        payload.edit_sequence, ctx)
    return kind.read(payload.txn_id)


def _held(need: Need, ctx: MapContext) -> str:
    """The ListID of a list record the ID map holds."""
    known = ctx.resolve(need.entity, need.key)
    if known is None or not known.list_id:
        raise BuildError(f"{need.entity} {need.name!r} is not in the ID map")
    return known.list_id


def _add(spec: ListKind[object], need: Need, payload: JobPayload, ctx: MapContext) -> rq.Request:
    """The Add of a list record QuickBooks does not have."""
    if spec.add is None:
        raise BuildError(f"{need.entity.replace('_', ' ')} {need.name!r} cannot be added by the "
                         "service")
    return spec.add(need, registry.record_of(payload), payload, ctx)


def _mod(spec: ListKind[object], need: Need, payload: JobPayload, ctx: MapContext) -> rq.Request:
    assert spec.mod is not None  # a Mod job exists only for a kind that has one
    held = ModOf(list_id=_held(need, ctx), edit_sequence=payload.edit_sequence,
                 ret_type=payload.ret_type)
    return spec.mod(registry.record_of(payload), held, ctx)
