"""Commands: ``user add | edit | list | disable | enable | passwd``."""

from __future__ import annotations

import click

from qbwc_service import accounts
from qbwc_service.cli.app import CliState, main, pass_state
from qbwc_service.cli.password_input import STDIN_HELP, read_password
from qbwc_service.jobboss import connect
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import User

JOBBOSS_URL_HELP = ("SQLAlchemy URL of this company's JobBOSS2 database, or env:NAME to read it from "
                    "environment variable NAME (keeps the SQL password out of the queue database).")


@main.group("user")
def user_group() -> None:
    """Web Connector users (one per QuickBooks company)."""


@user_group.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help=STDIN_HELP)
@click.option("--company-file", default="", help="QuickBooks company file path (empty: the open one).")
@click.option("--jobboss-url", default="", help=JOBBOSS_URL_HELP)
@click.option("--admin", "is_admin", is_flag=True, help="May log in to the /admin pages.")
@pass_state
def user_add(state: CliState, name: str, password_stdin: bool, company_file: str, jobboss_url: str,
             is_admin: bool) -> None:
    """Add user NAME (the UserName of its .qwc file)."""
    sessions = state.sessions  # configuration errors first, before asking for a password
    _check_database_url(jobboss_url)
    password = read_password(password_stdin)
    with _errors(), transaction(sessions) as db:
        user = accounts.create_user(db, name, password, company_file=company_file,
                                    jobboss_url=jobboss_url, is_admin=is_admin)
    click.echo(f"added user {user.name} (OwnerID {user.owner_id}, FileID {user.file_id})")
    _warn_stored_password(jobboss_url)


@user_group.command("edit")
@click.argument("name")
@click.option("--jobboss-url", default=None, help=JOBBOSS_URL_HELP)
@click.option("--company-file", default=None,
              help="QuickBooks company file path (empty: the open one); re-binds the user to the "
                   "company QuickBooks has open at its next session.")
@click.option("--admin/--no-admin", "is_admin", default=None, help="May (or may not) log in to /admin.")
@click.option("--enable/--disable", "enabled", default=None,
              help="Accept (or refuse) this user's Web Connector logins.")
@pass_state
def user_edit(state: CliState, name: str, jobboss_url: str | None, company_file: str | None,
              is_admin: bool | None, enabled: bool | None) -> None:
    """Change user NAME; what is not given stays as it is."""
    if jobboss_url is not None:
        _check_database_url(jobboss_url)
    changes = accounts.UserChanges(jobboss_url=jobboss_url, company_file=company_file,
                                   is_admin=is_admin, enabled=enabled)
    with _errors(), transaction(state.sessions) as db:
        accounts.update_user(db, name, changes)
    shown = {"jobboss_url": _masked(jobboss_url or "")}
    click.echo(f"changed user {name}: " + ", ".join(
        f"{field} = {shown.get(field, value)}" for field, value in changes.items()))
    _warn_stored_password(jobboss_url or "")
    if company_file is not None:
        click.echo(f"user {name} will be bound to the company QuickBooks has open at its next session")


@user_group.command("list")
@pass_state
def user_list(state: CliState) -> None:
    """List users."""
    with state.sessions() as db:
        users = accounts.list_users(db)
    if not users:
        click.echo("no users (add one with `qbwc-service user add NAME --password-stdin`)")
        return
    rows = [("NAME", "ENABLED", "ADMIN", "COMPANY FILE", "BOUND TO", "JOBBOSS2")]
    rows += [(u.name, "yes" if u.enabled else "no", "yes" if u.is_admin else "no",
              u.company_file or "(open file)", _bound(u), _masked(u.jobboss_url)) for u in users]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])


def _bound(user: User) -> str:
    """The company a user is bound to, as ``user list`` shows it."""
    if user.bound_at is None:
        return "(next session)"
    return user.bound_company_name or user.bound_company_path or user.bound_file_id or "?"


@user_group.command("disable")
@click.argument("name")
@pass_state
def user_disable(state: CliState, name: str) -> None:
    """Disable user NAME: its logins answer "invalid user" and its open sessions end."""
    with _errors(), transaction(state.sessions) as db:
        accounts.set_enabled(db, name, False)
    click.echo(f"disabled user {name}")


@user_group.command("enable")
@click.argument("name")
@pass_state
def user_enable(state: CliState, name: str) -> None:
    """Enable user NAME again."""
    with _errors(), transaction(state.sessions) as db:
        accounts.set_enabled(db, name, True)
    click.echo(f"enabled user {name}")


@user_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help=STDIN_HELP)
@pass_state
def user_passwd(state: CliState, name: str, password_stdin: bool) -> None:
    """Set the password of user NAME (type the same one into the Web Connector)."""
    sessions = state.sessions
    password = read_password(password_stdin)
    with _errors(), transaction(sessions) as db:
        accounts.set_password(db, name, password)
    click.echo(f"password changed for {name}")


def _check_database_url(url: str) -> None:
    """Refuse a --jobboss-url SQLAlchemy cannot read now, not at the first sync."""
    try:
        connect.check_setting(url)
    except connect.JobBossUrlError as exc:
        raise click.BadParameter(str(exc), param_hint="'--jobboss-url'") from None


def _warn_stored_password(url: str) -> None:
    """Say so when a SQL password is about to sit in the queue database."""
    if connect.stores_password(url):
        click.echo("note: this JobBOSS2 URL's password is stored in the queue database; "
                   "--jobboss-url env:NAME reads the URL from environment variable NAME instead",
                   err=True)


_masked = connect.masked


class _errors:
    """Turn :class:`accounts.AccountError` into a one-line CLI error (exit 1)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type | None, exc: BaseException | None, _tb: object) -> bool:
        if isinstance(exc, accounts.AccountError):
            raise click.ClickException(str(exc)) from exc
        return False
