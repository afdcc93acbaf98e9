"""The service's configuration: one TOML file.

The file is found through ``--config PATH``, else ``$QBWC_SERVICE_CONFIG``,
else ``qbwc-service.toml`` in :func:`default_data_dir` (the current directory,
or ``%PROGRAMDATA%\\qbwc-service`` on Windows). Every key is declared once in :data:`KEYS`
(type, default, check); an unknown key, a wrong type or a bad value raises
:class:`ConfigError` naming the key, which the CLI turns into exit code 2.

Secrets need not live in the file: a string value written ``"env:NAME"`` is
read from the environment variable ``NAME``, and ``QBWC_SERVICE_DATABASE_URL``
and ``QBWC_SERVICE_SECRET_KEY`` override their keys outright.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

DEFAULT_CONFIG_NAME = "qbwc-service.toml"
CONFIG_ENV = "QBWC_SERVICE_CONFIG"
DEFAULT_DB_NAME = "qbwc-service.sqlite3"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
SMTP_SECURITY = ("none", "starttls", "ssl")
APP_DIR_NAME = "qbwc-service"


class ConfigError(Exception):
    """A configuration problem; the message names the key."""


def _positive(value: int) -> bool:
    return value > 0


def _port(value: int) -> bool:
    return 0 < value < 65536


def is_database_url(value: str) -> bool:
    """Empty (the default SQLite file) or a URL SQLAlchemy can read."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not value:
        return True
    try:
        make_url(value)
    except (ArgumentError, ValueError):
        return False
    return True


def _http_url(value: str) -> bool:
    return value == "" or value.startswith(("http://", "https://"))


def _version(value: str) -> bool:
    """Empty or dotted ASCII digits, as :func:`qbwc_service.soap.versions.parse_version` reads them."""
    return value == "" or re.fullmatch(r"\d{1,9}(?:\.\d{1,9}){0,7}", value, re.ASCII) is not None


@dataclass(frozen=True)
class Key:
    """One configuration key: its type, default and an optional check."""

    kind: type
    default: Any
    check: Callable[[Any], bool] | None = None
    help: str = ""
    env: str | None = None


#: Every key of the file, ``section.name`` -> declaration. The single source
#: of truth for validation, defaults, ``init``'s template and the README.
KEYS: dict[str, Key] = {
    "database.url": Key(str, "", is_database_url, "queue database URL; empty = SQLite file beside the config",
                        "QBWC_SERVICE_DATABASE_URL"),
    "server.host": Key(str, "127.0.0.1", None, "address `serve` listens on"),
    "server.port": Key(int, 8080, _port, "port `serve` listens on"),
    "server.tls_cert": Key(str, "", None, "PEM certificate; with tls_key, `serve` speaks HTTPS"),
    "server.tls_key": Key(str, "", None, "PEM private key for tls_cert"),
    "server.threads": Key(int, 16, _positive, "worker threads of the WSGI server"),
    "server.trusted_proxies": Key(int, 0, lambda v: 0 <= v <= 10,
                                  "reverse proxies in front of `serve` whose X-Forwarded-For / "
                                  "-Proto / -Host are trusted (0: none)"),
    "server.max_request_mb": Key(int, 64, _positive,
                                 "largest SOAP request accepted (QuickBooks responses can be big)"),
    "server.max_large_requests": Key(int, 2, _positive,
                                     "SOAP requests over 1 MB handled at once; as many more wait, "
                                     "the rest get HTTP 503"),
    "logging.level": Key(str, "INFO", lambda v: v.upper() in LOG_LEVELS, "log level"),
    "logging.file": Key(str, "", None, "log file (relative: beside this file), rotated by size; "
                        "empty = standard error only"),
    "logging.format": Key(str, "text", lambda v: v in LOG_FORMATS, "`text` or `json` (one object a line)"),
    "logging.max_mb": Key(int, 10, _positive, "size at which logging.file is rotated"),
    "logging.backups": Key(int, 5, lambda v: v >= 0, "rotated log files kept"),
    "qbwc.ticket_ttl_minutes": Key(int, 30, _positive, "a session ticket expires after this idle time"),
    "qbwc.min_client_version": Key(str, "2.1.0.30", _version,
                                   "oldest Web Connector accepted (older: `O:` answer)"),
    "qbwc.warn_client_version": Key(str, "", _version,
                                    "Web Connector versions below this get a `W:` warning"),
    "qbwc.paused_message": Key(str, "", None,
                               "non-empty: syncing is paused; every Web Connector stops at "
                               "clientVersion (`E:` answer) showing this text"),
    "qbwc.max_failures": Key(int, 5, _positive,
                             "failed logins allowed per user and caller address (then locked), and "
                             "per address (then slowed down)"),
    "qbwc.failure_window_seconds": Key(int, 300, _positive,
                                       "window and lockout length for failed logins"),
    "qbwc.slowdown_max_seconds": Key(int, 60, _positive,
                                     "longest wait forced on an address between failed logins"),
    "qbwc.app_name": Key(str, "JobBOSS2 QuickBooks Sync", None, "AppName in .qwc files"),
    "qbwc.support_url": Key(str, "", None, "AppSupport in .qwc files; empty = the service URL + /support"),
    "admin.secret_key": Key(str, "", None, "signs admin sessions; empty = random per start",
                            "QBWC_SERVICE_SECRET_KEY"),
    "admin.session_hours": Key(int, 12, _positive,
                               "an admin login lasts this long (logging out ends it at once)"),
    "storage.keep_messages_days": Key(int, 90, lambda v: v >= 0,
                                      "qbXML messages older than this are pruned daily by `serve` "
                                      "and by `db prune` (0: keep them all)"),
    "storage.max_message_kb": Key(int, 1024, _positive,
                                  "a request or response larger than this is kept cut short, with "
                                  "its full size and SHA-256"),
    "metrics.token": Key(str, "", None, "non-empty: /metrics requires `Authorization: Bearer <token>`"),
    "alerts.email_to": Key(str, "", None, "comma-separated addresses that get alert emails; empty = none"),
    "alerts.email_from": Key(str, "", None, "From of alert emails; empty = qbwc-service@ this host"),
    "alerts.smtp_host": Key(str, "localhost", None, "SMTP server for alert emails"),
    "alerts.smtp_port": Key(int, 25, _port, "its port (587 for STARTTLS, 465 for SSL)"),
    "alerts.smtp_security": Key(str, "none", lambda v: v in SMTP_SECURITY, "`none`, `starttls` or `ssl`"),
    "alerts.smtp_user": Key(str, "", None, "SMTP login; empty = no login"),
    "alerts.smtp_password": Key(str, "", None, "SMTP password (\"env:NAME\" keeps it out of this file)"),
    "alerts.webhook_url": Key(str, "", _http_url, "URL that gets each alert as a JSON POST; empty = none"),
    "alerts.silent_hours": Key(int, 26, _positive,
                               "alert when a user's Web Connector has not called for this long"),
    "jobboss.paid_status_code": Key(str, "P", lambda v: len(v) == 1,
                                    "PymtStatus letter written when an invoice is marked paid"),
    "jobboss.mapping_file": Key(str, "", None,
                                "TOML file overriding JobBOSS2 table/column names per entity"),
}


#: Keys that only make sense together: setting one requires the other.
PAIRED: tuple[tuple[str, str], ...] = (("server.tls_cert", "server.tls_key"),)


@dataclass
class Config:
    """The loaded configuration. ``values`` holds every key of :data:`KEYS`."""

    path: Path
    values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def base_dir(self) -> Path:
        return self.path.resolve().parent

    @property
    def database_url(self) -> str:
        return self.values["database.url"] or f"sqlite:///{self.base_dir / DEFAULT_DB_NAME}"

    @property
    def tls(self) -> tuple[Path, Path] | None:
        cert, key = self.values["server.tls_cert"], self.values["server.tls_key"]
        if not cert:
            return None
        return self.resolve(cert), self.resolve(key)

    @property
    def secret_key(self) -> str:
        if not self.values["admin.secret_key"]:
            self.values["admin.secret_key"] = secrets.token_hex(32)
        return self.values["admin.secret_key"]

    def resolve(self, path: str) -> Path:
        """A path from the file, taken relative to the file's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p


def default_data_dir(platform: str = sys.platform, environ: Mapping[str, str] | None = None) -> PurePath:
    """Where configuration, queue database and logs go when no path is given.

    ``%PROGRAMDATA%\\qbwc-service`` on Windows (a service starts in System32,
    so the current directory is no place for them); the current directory elsewhere.
    """
    env = os.environ if environ is None else environ
    if platform == "win32":
        return PureWindowsPath(env.get("PROGRAMDATA") or r"C:\ProgramData") / APP_DIR_NAME
    return PurePath(".")


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the configuration lives: explicit path, env variable, or the default data directory."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(CONFIG_ENV) or Path(default_data_dir()) / DEFAULT_CONFIG_NAME)


def load(path: str | os.PathLike[str] | None = None, *, must_exist: bool = False) -> Config:
    """Read and validate the configuration file (defaults where it is absent)."""
    p = config_path(path)
    if p.exists():
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{p}: not valid TOML: {exc}") from exc
        except OSError as exc:
            raise ConfigError(f"{p}: cannot read the configuration file: {exc.strerror or exc}") from exc
    elif must_exist:
        raise ConfigError(f"{p}: configuration file not found (run `qbwc-service init`)")
    else:
        raw = {}
    return from_mapping(raw, p)


def from_mapping(raw: Mapping[str, Any], path: Path) -> Config:
    """Validate a parsed TOML mapping against :data:`KEYS`."""
    flat = _flatten(raw)
    unknown = sorted(k for k in flat if k not in KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} (known keys: see README)")
    values = {name: _value(name, key, flat, path) for name, key in KEYS.items()}
    for first, second in PAIRED:
        for given, missing in ((first, second), (second, first)):
            if values[given] and not values[missing]:
                raise ConfigError(f"{path}: key {missing!r} must be set when {given!r} is")
    return Config(path=path, values=values)


def _flatten(raw: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in raw.items():
        full = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, full + "."))
        else:
            flat[full] = value
    return flat


def _value(name: str, key: Key, flat: Mapping[str, Any], path: Path) -> Any:
    if key.env and os.environ.get(key.env):
        value: Any = os.environ[key.env]
    else:
        value = flat.get(name, key.default)
    if isinstance(value, str) and value.startswith("env:"):
        var = value[4:]
        if var not in os.environ:
            raise ConfigError(f"{path}: key {name!r} names environment variable {var}, which is unset")
        value = os.environ[var]
    if key.kind is int and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, key.kind) or isinstance(value, bool) and key.kind is not bool:
        raise ConfigError(f"{path}: key {name!r} must be {key.kind.__name__}, got {value!r}")
    if key.check and not key.check(value):
        raise ConfigError(f"{path}: key {name!r} has an invalid value {value!r}")
    return value


def template() -> str:
    """The commented default file ``qbwc-service init`` writes."""
    lines = ["# qbwc-service configuration. Every key is optional; shown with its default.", ""]
    section = None
    for name, key in KEYS.items():
        sec, leaf = name.split(".", 1)
        if sec != section:
            lines += ([""] if section else []) + [f"[{sec}]"]
            section = sec
        env = f" (env {key.env})" if key.env else ""
        lines.append(f"# {key.help}{env}")
        lines.append(f"# {leaf} = {_toml_literal(key.default)}")
    return "\n".join(lines) + "\n"


def _toml_literal(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value).lower() if isinstance(value, bool) else str(value)
