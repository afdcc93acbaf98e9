"""``qbwc-service demo``: a whole sync on one machine, no Windows needed.

In a folder of its own it writes a demo JobBOSS2 database, a configuration
and a Web Connector user, starts the service on a free localhost port, plans
a manual sync, and lets the Web Connector emulator run sessions (answered by
the QuickBooks stand-in) until nothing is left. What it did comes back as a
:class:`DemoResult`; the CLI prints it.

Each step is one function so that what the sync engine adds (planning,
reports) plugs in at exactly one place.
"""

from __future__ import annotations

import logging
import secrets
import shlex
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from qbwc_service import accounts
from qbwc_service import config as config_mod
from qbwc_service.queue import db
from qbwc_service.queue.models import User
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.simulator.webconnector import EmulatorOptions, SessionResult, WebConnector
from qbwc_service.sync import reports

log = logging.getLogger(__name__)

DEMO_USER = "demo"
COMPANY_FILE = r"C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\JobBOSS2 Demo.qbw"
#: Lines each report section shows in the demo's printout (the report command shows all).
SECTION_LINES = 10
#: The demo's port when none is given: fixed, so the .qwc written with --serve works next time too.
DEFAULT_PORT = 8080
#: Outcomes after which another session would not help.
FINAL_OUTCOMES = frozenset({"none", "nvu", "busy", "connection_error", "rejected_client"})

Printer = Callable[[str], None]


@dataclass
class DemoResult:
    """Where the demo put things and what happened."""

    folder: Path
    config_path: Path
    jobboss_path: Path
    state_path: Path
    user: str
    password: str
    url: str = ""
    qwc_path: Path | None = None
    plan_lines: list[str] = field(default_factory=list)
    sessions: list[SessionResult] = field(default_factory=list)
    report_text: str = ""
    #: The latest run's report, if a run was recorded.
    report: reports.Report | None = None
    server: Any = None  # the RunningServer, still running with ``serve=True``
    #: Why the service is not on the port asked for (that port was busy), else empty.
    port_note: str = ""
    #: What QuickBooks holds after the sync, money first, in plain words (:func:`quickbooks_summary`).
    quickbooks_lines: list[str] = field(default_factory=list)

    @property
    def jobboss_url(self) -> str:
        """The demo JobBOSS2 database as the SQLAlchemy URL a user record holds."""
        return f"sqlite:///{self.jobboss_path.resolve()}"

    def report_summary(self, limit: int = SECTION_LINES) -> str:
        """The report with long sections cut to *limit* lines, naming the command that shows all."""
        if self.report is None:
            return self.report_text
        hint = f"qbwc-service --config {shlex.quote(str(self.config_path))} report"
        return reports.render_text(self.report, limit=limit, more_hint=hint)

    @property
    def finished(self) -> bool:
        """The last session found nothing (left) to do."""
        return bool(self.sessions) and self.sessions[-1].outcome in ("none", "finished")


def run_demo(folder: str | Path | None = None, *, serve: bool = False, seed: int = 0, scale: int = 1,
             max_sessions: int = 25, printer: Printer | None = None,
             options: EmulatorOptions | None = None, port: int = DEFAULT_PORT) -> DemoResult:
    """Run the demo in *folder* (a new temporary folder by default).

    With *serve* the server keeps running after the sync (``result.server``),
    so the admin page shows the demo's runs, queue and report, and a .qwc file
    is written for a real Web Connector on this machine. The service listens
    on *port* on localhost, or on a free port if that one is busy (``0``: any
    free port), which ``result.port_note`` then explains.
    """
    say = printer or (lambda _text: None)
    result = prepare(Path(folder) if folder else Path(tempfile.mkdtemp(prefix="qbwc-demo-")), seed, scale)
    say(f"demo folder: {result.folder}")
    config = config_mod.load(result.config_path)
    sessions = db.session_factory(db.make_engine(config.database_url))
    with db.transaction(sessions) as dbs:
        user = _ensure_user(dbs, result)
        owner_file_ids = {user.owner_id: user.file_id}
    result.server, result.port_note = start_server(config, sessions, port)
    result.url = result.server.url + "/qbwc"
    if result.port_note:
        say(result.port_note)
    say(f"service listening on {result.url}")
    result.plan_lines = plan_sync(sessions, result.user)
    for line in result.plan_lines:
        say(f"plan: {line}")
    try:
        emulate(result, owner_file_ids, max_sessions, say, options)
        result.quickbooks_lines = quickbooks_summary(QuickBooksCompany.load(result.state_path))
        result.report = latest_report(sessions, result.user)
        result.report_text = report_text(result.report)
    finally:
        if not serve:
            result.server.stop()
            result.server = None
    if serve:
        result.qwc_path = write_qwc(sessions, result, config)
    return result


def prepare(folder: Path, seed: int, scale: int) -> DemoResult:
    """The demo JobBOSS2 database and a configuration file in *folder*."""
    from qbwc_service.simulator.demo_db import create_demo_database

    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "qbwc-service.toml"
    if not config_path.exists():
        config_path.write_text('[logging]\nlevel = "WARNING"\n', encoding="utf-8")
    jobboss_path = create_demo_database(folder / "jobboss-demo.sqlite3", seed=seed, scale=scale)
    db.upgrade(config_mod.load(config_path).database_url)
    return DemoResult(folder=folder, config_path=config_path, jobboss_path=jobboss_path,
                      state_path=folder / "quickbooks-company.json", user=DEMO_USER,
                      password=secrets.token_urlsafe(12))


def _ensure_user(dbs: Session, result: DemoResult) -> User:
    """The demo user (created, or its password reset when the folder is reused)."""
    user = accounts.get_user(dbs, result.user)
    if user is None:
        return accounts.create_user(dbs, result.user, result.password, company_file=COMPANY_FILE,
                                    jobboss_url=result.jobboss_url, is_admin=True)
    accounts.set_password(dbs, result.user, result.password)
    user.jobboss_url = result.jobboss_url
    return user


def start_server(config: config_mod.Config, sessions: sessionmaker[Session],
                 port: int = DEFAULT_PORT) -> tuple[Any, str]:
    """The running server and, if *port* was busy, why it runs on another one."""
    from qbwc_service import server, wsgi

    app = wsgi.create_app(config, sessions=sessions)
    try:
        return server.run_in_thread(app, "127.0.0.1", port, threads=4), ""
    except OSError as exc:
        if port == 0:
            raise
        log.debug("port %s: %s", port, exc)
        running = server.run_in_thread(app, "127.0.0.1", 0, threads=4)
        return running, (f"port {port} is busy (another program, or a demo still running, listens on it); "
                         f"using {running.url.rsplit(':', 1)[1]} for this run (choose one with --port N)")


def plan_sync(sessions: sessionmaker[Session], user_name: str) -> list[str]:
    """Plan a manual sync of everything unexported (the one call the sync engine provides).

    The demo turns on every area, time and attendance included, so a newcomer
    sees invoices, bills and payroll time records go through.
    """
    from qbwc_service.sync.planning import planner
    from qbwc_service.sync.settings import set_setting

    with db.transaction(sessions) as dbs:
        user = accounts.require_user(dbs, user_name)
        set_setting(dbs, user.id, "items.time_and_attendance", "true")
        plan = planner.plan_manual(dbs, user, None, date.today())
        return plan.lines()


def emulate(result: DemoResult, owner_file_ids: dict[str, str], max_sessions: int, say: Printer,
            options: EmulatorOptions | None) -> None:
    """Sessions until the service has nothing left (or stops making progress)."""
    company = QuickBooksCompany.open_or_create(result.state_path)
    base = options or EmulatorOptions(noop_pause=0.2, company_file=COMPANY_FILE, compact_calls=True)
    base.owner_file_ids = {**owner_file_ids, **base.owner_file_ids}
    connector = WebConnector(result.url, company, base, printer=say)
    for number in range(1, max_sessions + 1):
        say(f"--- Web Connector session {number}")
        session = connector.run_session(result.user, result.password)
        result.sessions.append(session)
        company.save(result.state_path)
        if session.outcome in FINAL_OUTCOMES or session.requests == 0:
            break


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _sum(records: list[dict[str, Any]], *fields: str) -> Decimal:
    return sum((Decimal(r.get(f) or "0") for r in records for f in fields), Decimal(0))


def quickbooks_summary(company: QuickBooksCompany) -> list[str]:
    """What the QuickBooks company holds, in an accountant's words: invoices and their sales
    tax, credit memos, bills and vendor credits, with their totals."""
    def records(ret: str) -> list[dict[str, Any]]:
        return [record for _ret, record in company.state.all((ret,))]

    invoices, memos = records("InvoiceRet"), records("CreditMemoRet")
    bills, credits = records("BillRet"), records("VendorCreditRet")
    tax_items = {r.get("FullName") or r.get("Name") for r in records("ItemSalesTaxRet")}

    def tax_of(txns: list[dict[str, Any]], lines_key: str) -> Decimal:
        on_lines = sum((Decimal(line.get("Amount") or "0") for txn in txns
                        for line in txn.get(lines_key) or []
                        if (line.get("ItemRef") or {}).get("FullName") in tax_items), Decimal(0))
        return on_lines + _sum(txns, "SalesTaxTotal")

    lines = [f"{len(invoices)} invoices totalling {_money(_sum(invoices, 'Subtotal', 'SalesTaxTotal'))}, "
             f"sales tax included: {_money(tax_of(invoices, 'InvoiceLineRet'))} (JobBOSS2's tax, "
             "to the cent, on a line of its own)"]
    if memos:
        lines.append(f"{len(memos)} credit memos (JobBOSS2 billings below zero) crediting customers "
                     f"{_money(_sum(memos, 'TotalAmount'))}, sales tax "
                     f"{_money(tax_of(memos, 'CreditMemoLineRet'))}")
    lines.append(f"{len(bills)} bills totalling {_money(_sum(bills, 'AmountDue'))}")
    if credits:
        lines.append(f"{len(credits)} vendor credits (JobBOSS2 vendor invoices below zero) "
                     f"totalling {_money(_sum(credits, 'CreditAmount'))}")
    return lines


def latest_report(sessions: sessionmaker[Session], user_name: str) -> reports.Report | None:
    """The report of *user_name*'s latest run, or ``None`` when no run was recorded."""
    with sessions() as dbs:
        user = accounts.require_user(dbs, user_name)
        run_id = reports.latest_run_id(dbs, user.id)
        return None if run_id is None else reports.build_report(dbs, run_id)


def report_text(report: reports.Report | None) -> str:
    """The full sync report as text (every record), or why there is none."""
    if report is None:
        return "No run was recorded (the service had nothing to send).\n"
    return reports.render_text(report)


def write_qwc(sessions: sessionmaker[Session], result: DemoResult, config: config_mod.Config) -> Path:
    from qbwc_service import qwc

    # The Web Connector allows plain http only for "localhost": name it, not the loopback address.
    url = result.url.replace("://127.0.0.1:", "://localhost:", 1)
    with sessions() as dbs:
        user = accounts.require_user(dbs, result.user)
        data = qwc.build_qwc(user, qwc.QwcOptions(url=url, app_name=config["qbwc.app_name"]))
    path = result.folder / f"{result.user}.qwc"
    path.write_bytes(data)
    return path
