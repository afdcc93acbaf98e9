"""A run report cut down to what a newcomer reads on one screen.

The full report (``qbwc-service report``) lists every record; after the demo
that is well over a thousand lines, and each invoice blocked by one failed
customer repeats the same long reason. Here records of one area that share
an outcome and a message become one line, and each section shows its first
lines followed by how many records are left out and the command that lists
them all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from qbwc_service.sync import reports

#: Lines each section shows before "... N more".
SECTION_LINES = 10
#: Record keys a grouped line names before "and N more".
KEYS_SHOWN = 2


@dataclass
class _Group:
    """Records of one area with the same outcome and message."""

    item: reports.ReportItem
    keys: list[str]  # distinct record keys, in report order
    count: int = 1  # report items merged (a record may carry the same message twice)

    def line(self) -> str:
        named = ", ".join(self.keys[:KEYS_SHOWN])
        rest = len(self.keys) - KEYS_SHOWN
        if rest > 0:
            named += f" and {rest} more"
        note = reports.ITEM_NOTES.get(self.item.outcome, "")
        text = f"  [{self.item.area}] {named}{note}"
        return f"{text}: {self.item.message}" if self.item.message else text


def grouped(items: list[reports.ReportItem]) -> list[_Group]:
    """Items in report order, those sharing area, outcome and a message merged into one group."""
    groups: dict[tuple[str, str, str] | int, _Group] = {}
    for index, item in enumerate(items):
        key: tuple[str, str, str] | int = (item.area, item.outcome, item.message) if item.message else index
        group = groups.get(key)
        if group is not None:
            group.count += 1
            if item.record_key not in group.keys:
                group.keys.append(item.record_key)
        else:
            groups[key] = _Group(item, [item.record_key])
    return list(groups.values())


def summary_text(report: reports.Report, more_hint: str, limit: int = SECTION_LINES) -> str:
    """*report* as text with each section capped at *limit* lines; *more_hint* says how to see all."""
    bare = reports.render_text(replace(report, sections=(), items={})).rstrip("\n").split("\n")
    closing = bare.pop()  # render_text ends with a blank line and the one-line summary: keep it last
    lines = bare[:-1] if bare and not bare[-1] else bare
    for section in report.sections:
        items = report.items.get(section, [])
        lines += ["", f"{section.capitalize()} ({len(items)})"]
        groups = grouped(items)
        lines += [group.line() for group in groups[:limit]]
        left = sum(group.count for group in groups[limit:])
        if left:
            lines.append(f"  ... {left} more: {more_hint}")
    lines += ["", closing]
    return "\n".join(lines) + "\n"
