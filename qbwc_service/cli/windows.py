"""Command: ``windows-service`` (a WinSW configuration for running ``serve`` as a Windows service)."""

from __future__ import annotations

import os
import sys
from pathlib import Path, PurePath, PureWindowsPath

import click

from qbwc_service import windows_service
from qbwc_service.cli.app import CliState, main, pass_state, write_new_file
from qbwc_service.config import config_path


@main.command("windows-service")
@click.option("--print", "to_stdout", is_flag=True, help="Write the configuration to standard output.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write it to this file (for WinSW: qbwc-service.xml beside qbwc-service.exe).")
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
@click.option("--exe", "executable", default=None,
              help="The qbwc-service program the service runs (default: the one running now).")
@click.option("--env", "env_names", multiple=True, metavar="NAME",
              help="Pass environment variable NAME (its current value) to the service, e.g. the one an "
                   "env:NAME JobBOSS2 URL reads; repeatable.")
@pass_state
def windows_service_command(state: CliState, to_stdout: bool, output: str | None, force: bool,
                            executable: str | None, env_names: tuple[str, ...]) -> None:
    """Write a WinSW configuration that runs serve as a Windows service.

    It starts with Windows, restarts after a failure, and keeps rolling logs
    in the data folder (beside the configuration file). See the README's
    Windows section for installing it.
    """
    if to_stdout == bool(output):
        raise click.UsageError("give --print or --output FILE")
    missing = [name for name in env_names if name not in os.environ]
    if missing:
        raise click.UsageError(f"--env {missing[0]}: not set in this shell; set it, then run this again")
    windows = sys.platform == "win32"
    spec = windows_service.ServiceSpec(
        executable=_absolute(executable, windows) if executable else
        windows_service.installed_executable(_absolute(sys.executable, windows), windows),
        config_path=_absolute(str(config_path(state.config_arg)), windows),
        environment={name: os.environ[name] for name in env_names})
    data = windows_service.winsw_xml(spec)
    if to_stdout:
        click.echo(data.decode("utf-8"), nl=False)
        return
    path = Path(output or "")
    # An existing file (a registration or a service in use) is kept unless --force.
    write_new_file(path, data, force=force)
    click.echo(f"wrote {path}; next to it put WinSW-x64.exe renamed to {path.stem}.exe, then run "
               f"{path.stem}.exe install")


def _absolute(path: str, windows: bool) -> PurePath:
    """*path* made absolute where it is used (a service starts in System32, not here)."""
    return PureWindowsPath(os.path.abspath(path)) if windows else Path(os.path.abspath(path))
