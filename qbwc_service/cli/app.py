"""The ``qbwc-service`` command group and the state its commands share."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from qbwc_service import config as config_mod
from qbwc_service.queue import db


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
            logging.basicConfig(level=self._config["logging.level"].upper(),
                                format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return self._config

    @cached_property
    def engine(self) -> Engine:
        return db.make_engine(self.config.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return db.session_factory(self.engine)


class ConfigUsageError(click.ClickException):
    """A configuration problem: printed plainly, exit code 2."""

    exit_code = 2


pass_state = click.make_pass_decorator(CliState)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Configuration file (default: $QBWC_SERVICE_CONFIG or ./qbwc-service.toml).")
@click.version_option(package_name="qbwc-service")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Sync JobBOSS2 into QuickBooks Desktop through the QuickBooks Web Connector."""
    ctx.obj = CliState(config_path)
