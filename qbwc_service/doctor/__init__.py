"""``qbwc-service doctor``: is this installation ready, and if not, what is missing.

Each check gives one :class:`Check`: passed, failed, or information only
(``serve`` not running is worth knowing, not a failure). :mod:`.service`
checks the configuration, the queue database, TLS and the running server;
:mod:`.jobboss` each user's JobBOSS2 connection, down to the Python package
and the ODBC driver a SQL Server URL needs.
"""

from __future__ import annotations

from dataclasses import dataclass

PASS = "ok"
FAIL = "FAIL"
INFO = "info"


@dataclass(frozen=True)
class Check:
    """The outcome of one check, printed as one line."""

    status: str
    name: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    def line(self) -> str:
        return f"{self.status:<4}  {self.name}: {self.detail}"


def passed(name: str, detail: str) -> Check:
    return Check(PASS, name, detail)


def failed(name: str, detail: str) -> Check:
    return Check(FAIL, name, detail)


def info(name: str, detail: str) -> Check:
    return Check(INFO, name, detail)


def first_line(exc: BaseException) -> str:
    """The driver's own message (not SQLAlchemy's wrapping), first line only."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
