"""The areas of work, declared once: the order the queue hands them out, what they are called.

Every job belongs to one area (``jobs.area``). The queue hands the areas out
in :data:`AREAS` order: the list records transactions need first, then
invoices, bills and time. The record kinds (:mod:`qbwc_service.sync.kinds`)
say which area each belongs to; the dequeue, the admin's filters, the
engine's ``options.quit_area_on_error`` and the run reports read this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    """One area: its name in the queue, the nouns reports use, whether an error may stop it."""

    name: str
    noun: str  # one record, in a summary line
    plural: str
    #: ``options.quit_area_on_error`` may stop it for the run (list records never stop:
    #: their failures block what depends on them instead).
    stoppable: bool = True


LISTS = Area("lists", "list record", "list records", stoppable=False)
AR = Area("ar", "invoice", "invoices")
AP = Area("ap", "bill", "bills")
TIME = Area("time", "time record", "time records")

#: Every area, in the order the queue hands out their work.
AREAS: tuple[Area, ...] = (LISTS, AR, AP, TIME)
#: The order reports show them: what was synced, then the list records it needed.
REPORT_ORDER: tuple[Area, ...] = (AR, AP, TIME, LISTS)
#: Area names in the order the queue hands them out.
ORDER: tuple[str, ...] = tuple(area.name for area in AREAS)
BY_NAME: dict[str, Area] = {area.name: area for area in AREAS}
#: Areas ``options.quit_area_on_error`` may stop.
STOPPABLE: frozenset[str] = frozenset(area.name for area in AREAS if area.stoppable)
