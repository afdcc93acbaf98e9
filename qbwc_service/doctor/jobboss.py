"""Checks of one user's JobBOSS2 database: URL, driver pieces, connection, schema.

A SQL Server URL (``mssql+pyodbc://``) needs three things this service cannot
install itself: the ``pyodbc`` package, unixODBC (Linux) and an ODBC driver
registered under the name the URL gives. When the connection fails, every
missing piece is named with what to install and the URL format that works.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from types import ModuleType

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from qbwc_service.doctor import Check, failed, first_line, passed
from qbwc_service.jobboss import connect
from qbwc_service.jobboss.layout import JobBossLayout, SchemaMismatch, check_schema

#: The URL formats that work, shown when a SQL Server connection cannot be made.
URL_FORMATS = ("mssql+pyodbc://USER:PASSWORD@HOST/JobBOSS2?driver=ODBC+Driver+18+for+SQL+Server"
               "&TrustServerCertificate=yes (Microsoft's driver), or "
               "mssql+pyodbc://USER:PASSWORD@HOST:1433/JobBOSS2?driver=FreeTDS&TDS_Version=7.4 (FreeTDS)")
#: Where each known driver comes from, by a word in its name.
DRIVER_SOURCES = {
    "odbc driver": "Microsoft's \"{driver}\" (Windows: its installer from Microsoft; Debian/Ubuntu: "
                   "package msodbcsql{version} from Microsoft's package repository)",
    "freetds": "FreeTDS (Debian/Ubuntu: apt-get install tdsodbc, then odbcinst -i -d -f "
               "/usr/share/tdsodbc/odbcinst.ini)",
    "sql server": "Microsoft's \"{driver}\" (built into Windows; elsewhere use ODBC Driver 18 or FreeTDS)",
}
MISSING_PYODBC = ("the Python package pyodbc is not installed: pip install 'qbwc-service[mssql]' "
                  "(on Linux it also needs unixODBC: apt-get install unixodbc)")

Importer = Callable[[str], ModuleType]


def check_user(name: str, url: str, layout: JobBossLayout, *,
               importer: Importer = importlib.import_module) -> list[Check]:
    """The JobBOSS2 checks of user *name*: connection, then schema."""
    label = f"JobBOSS2 of {name}"
    if not url:
        return [failed(label, f"no JobBOSS2 URL (qbwc-service user edit {name} --jobboss-url URL)")]
    try:
        resolved = make_url(connect.resolve_url(url))
    except connect.JobBossUrlError as exc:
        return [failed(label, str(exc))]
    except ArgumentError:
        return [failed(label, f"not a database URL: {connect.env_name(url) or 'the stored value'}")]
    shown = resolved.render_as_string(hide_password=True)
    if resolved.get_backend_name() == "mssql":
        missing = missing_sql_server_pieces(resolved, importer)
        if missing:
            return [failed(label, f"{shown}: " + "; ".join(missing) + f"; URL format: {URL_FORMATS}")]
    try:
        engine = connect.jobboss_engine(resolved.render_as_string(hide_password=False))
        with engine.connect():
            pass
    except (SQLAlchemyError, ImportError) as exc:
        hint = f"; URL format: {URL_FORMATS}" if resolved.get_backend_name() == "mssql" else ""
        return [failed(label, f"{shown}: cannot connect: {first_line(exc)}{hint}")]
    checks = [passed(label, f"connected to {shown}")]
    try:
        check_schema(engine, layout)
    except SchemaMismatch as exc:
        checks.append(failed(f"JobBOSS2 schema of {name}", str(exc)))
    except SQLAlchemyError as exc:
        checks.append(failed(f"JobBOSS2 schema of {name}", f"cannot read it: {first_line(exc)}"))
    else:
        checks.append(passed(f"JobBOSS2 schema of {name}", "every mapped table and column is there"))
    finally:
        engine.dispose()
    return checks


def missing_sql_server_pieces(url: URL, importer: Importer = importlib.import_module) -> list[str]:
    """What a ``mssql+pyodbc`` URL needs that this machine lacks (empty: nothing known missing)."""
    if url.get_driver_name() != "pyodbc":
        return []
    try:
        pyodbc = importer("pyodbc")
    except ImportError as exc:
        detail = "" if "pyodbc" in str(exc) and "No module" in str(exc) else f" ({exc})"
        return [MISSING_PYODBC + detail]
    driver = odbc_driver_name(url)
    if driver is None:
        dsn = url.host or ""
        if dsn and dsn not in pyodbc.dataSources():
            return [f"no driver= in the URL and no ODBC data source named {dsn!r}; "
                    "name the driver in the URL"]
        return []
    installed: Sequence[str] = pyodbc.drivers()
    if driver.lower() in (d.lower() for d in installed):
        return []
    return [f"the ODBC driver \"{driver}\" is not installed (installed: {', '.join(installed) or 'none'}); "
            f"install {driver_source(driver)}"]


def odbc_driver_name(url: URL) -> str | None:
    """The ODBC driver a URL names: ``driver=`` or DRIVER={...} inside ``odbc_connect``."""
    query = {key.lower(): value for key, value in url.query.items()}
    if "driver" in query:
        value = query["driver"]
        return value if isinstance(value, str) else value[0]
    raw = query.get("odbc_connect")
    if raw:
        match = re.search(r"driver\s*=\s*\{?([^};]+)\}?", raw if isinstance(raw, str) else raw[0], re.I)
        if match:
            return match.group(1).strip()
    return None


def driver_source(driver: str) -> str:
    """Where *driver* comes from, as an install hint."""
    version = (re.findall(r"\d+", driver) or ["18"])[0]
    for word, source in DRIVER_SOURCES.items():
        if word in driver.lower():
            return source.format(driver=driver, version=version)
    return f"the ODBC driver \"{driver}\" (or change driver= in the URL to one that is installed)"

