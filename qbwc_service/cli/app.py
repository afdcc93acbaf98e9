"""The ``qbwc-service`` command group and the state its commands share."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from qbwc_service import config as config_mod
from qbwc_service import logsetup
from qbwc_service.queue import db

F = TypeVar("F", bound=Callable[..., object])


@dataclass
class CliState:
    """Lazily loaded configuration and database handles for one invocation."""

    config_arg: str | None
    _config: config_mod.Config | None = field(default=None, repr=False)

    @property
    def config(self) -> config_mod.Config:
        if self._config is None:
            try:
                self._config = config_mod.load(self.config_arg)
            except config_mod.ConfigError as exc:
                raise ConfigUsageError(str(exc)) from exc
            try:
                logsetup.configure(self._config)
            except OSError as exc:
                raise ConfigUsageError(f"{self._config.path}: key 'logging.file': cannot open "
                                       f"{self._config['logging.file']}: {exc.strerror or exc}") from exc
        return self._config

    @cached_property
    def engine(self) -> Engine:
        return db.make_engine(self.config.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return db.session_factory(self.engine)


class WriteError(click.ClickException):
    """A file the command must write cannot be (no folder, no permission, full disk): one line."""

    def __init__(self, path: object, exc: OSError) -> None:
        super().__init__(f"cannot write {path}: {exc.strerror or exc}")


def write_new_file(path: Path, data: bytes, *, force: bool) -> None:
    """Write *data* to *path*; an existing file is kept unless *force* (checked atomically)."""
    try:
        with path.open("wb" if force else "xb") as out:
            out.write(data)
    except FileExistsError as exc:
        raise click.ClickException(f"{path} exists; pass --force to replace it") from exc
    except OSError as exc:
        raise WriteError(path, exc) from exc


class ConfigUsageError(click.ClickException):
    """A configuration problem: printed plainly, exit code 2."""

    exit_code = 2


pass_state = click.make_pass_decorator(CliState)

#: A job or run id on the command line: the databases keep them in 32-bit integer columns.
ROW_ID = click.IntRange(1, 2**31 - 1)

#: The one wording of ``--user`` in every command's help.
USER_HELP = "Web Connector user name (one per QuickBooks company)"


def user_option(*, required: bool = True, scope: str = "") -> Callable[[F], F]:
    """``--user NAME`` (into ``user_name``); *scope* says what it limits, e.g. "only its jobs"."""
    text = f"{USER_HELP}; {scope}." if scope else f"{USER_HELP}."
    return click.option("--user", "user_name", metavar="NAME", required=required, help=text)


#: Driver messages that mean the schema is missing or behind the code.
MISSING_SCHEMA = ("no such table", "no such column", "does not exist")
#: unixODBC's words for a driver that is not installed.
MISSING_ODBC_DRIVER = "Can't open lib"


class DatabaseUsageError(click.ClickException):
    """A database that cannot be reached or has no schema yet: one line, exit code 1."""

    @classmethod
    def from_error(cls, exc: DBAPIError) -> DatabaseUsageError:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        hint = (" (run `qbwc-service init` to create or upgrade the queue database)"
                if _queue_schema_missing(detail) else "")
        if MISSING_ODBC_DRIVER in detail:
            hint = " (an ODBC driver is missing: `qbwc-service doctor` says which and what to install)"
        return cls(f"database error: {detail}{hint}")


def _queue_schema_missing(detail: str) -> bool:
    """Whether *detail* says a queue table or column is missing (not a JobBOSS2 one)."""
    from qbwc_service.queue.models import Base

    words = set(re.findall(r"\w+", detail))
    return (any(text in detail.lower() for text in MISSING_SCHEMA)
            and not words.isdisjoint(Base.metadata.tables))


class MainGroup(click.Group):
    """The command group; a database failure in any command ends as one clear line, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DBAPIError as exc:
            logging.getLogger(__name__).debug("database error", exc_info=True)
            raise DatabaseUsageError.from_error(exc) from exc


@click.group(cls=MainGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Configuration file (default: $QBWC_SERVICE_CONFIG, else qbwc-service.toml in the "
                   "current folder; on Windows in %PROGRAMDATA%\\qbwc-service).")
@click.version_option(package_name="qbwc-service")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Sync JobBOSS2 into QuickBooks Desktop through the QuickBooks Web Connector."""
    ctx.obj = CliState(config_path)
