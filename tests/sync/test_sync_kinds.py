"""The kind registry: a kind is named in its own module only, and one more module adds one.

``docs/adding-a-kind.md`` says adding a kind takes its module, its JobBOSS2
reader query and the stand-in's handler of its request. Here a kind that
needs neither new query nor new request (rush orders, sent apart from the
other invoices of Customer Billing) is added as one module in a folder of its
own, and goes through planning, the Web Connector, QuickBooks and JobBOSS2's
write-back with nothing else changed.
"""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import qbwc_service
from qbwc_service.jobboss.reader import TxnFilter
from qbwc_service.sync import kinds
from qbwc_service.sync.kinds import registry
from sync.conftest import WINDOW
from sync.helpers import jobs, ref_counts

PACKAGE = Path(qbwc_service.__file__).parent
RUSH_KIND = textwrap.dedent('''
    """Rush orders: Customer Billing invoices whose notes say so, sent as a kind of their own."""

    from qbwc_service.jobboss import records as jb
    from qbwc_service.queue.areas import AR
    from qbwc_service.sync.kinds import invoice
    from qbwc_service.sync.kinds.base import TxnKind

    KIND: TxnKind[jb.ArInvoice] = TxnKind(
        name="rush_invoice.add", area=AR, entity="invoice", record_type=jb.ArInvoice,
        sources=(invoice.BILLING,), needs=invoice.KIND.needs, build=invoice.KIND.build,
        verify=invoice.KIND.verify, matches=invoice.KIND.matches, noun="rush invoice",
        plural="rush invoices", writebacks=invoice.KIND.writebacks,
        claims=lambda inv: "Rush" in (inv.notes or ""),
    )
''')


def test_job_kinds_are_named_in_their_own_modules_only():
    """Outside the kind modules, nothing spells a kind: every other file reads the registry."""
    names = [*registry.TXN_KINDS, *(k for k in registry.JOB_KINDS if k not in registry.TXN_KINDS)]
    own = {kind.name: kind for kind in registry.TXN_KINDS.values()}
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in names:
            if re.search(rf"[\"']{re.escape(name)}[\"']", text) is None:
                continue
            module = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
            assert name in own and module == own[name].build.__module__.removeprefix("qbwc_service."), \
                f"{name!r} is spelled out in {module}"


@pytest.fixture
def rush_kind(tmp_path: Path) -> Iterator[None]:
    """The registry with one more kind module, found where the kinds are looked for."""
    folder = tmp_path / "more_kinds"
    folder.mkdir()
    (folder / "rush_invoice.py").write_text(RUSH_KIND, encoding="utf-8")
    kinds.__path__.append(str(folder))
    importlib.reload(registry)
    try:
        yield
    finally:
        kinds.__path__.remove(str(folder))
        sys.modules.pop(f"{kinds.__name__}.rush_invoice", None)
        importlib.reload(registry)


def test_a_kind_added_as_one_module_is_planned_sent_and_written_back(world, rush_kind):
    invoices = list(world.reader.ar_invoices(TxnFilter(date_from=WINDOW[0], date_to=WINDOW[1])))
    rush = {inv.key for inv in invoices if "Rush" in (inv.notes or "")}
    assert rush and len(rush) < len(invoices)
    plan = world.plan()
    assert plan.planned["rush_invoice.add"] == len(rush)
    world.sync_until_idle()
    rush_jobs = {f"{j.source_table}:{j.source_key}": j for j in jobs(world, "rush_invoice.add")}
    assert set(rush_jobs) == rush
    assert not rush & {f"{j.source_table}:{j.source_key}" for j in jobs(world, "invoice.add")}
    assert all(j.area == "ar" and j.status == "done" for j in rush_jobs.values())
    counts = ref_counts(world.quickbooks, "InvoiceRet")
    flags = {inv.key: inv.exported for inv in world.reader.ar_invoices(TxnFilter(only_unexported=False))}
    for inv in invoices:
        if inv.key in rush:
            assert counts[inv.invoice_no] == 1 and flags[inv.key], inv.key
