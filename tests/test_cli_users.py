"""``qbwc-service user add | list | disable | enable | passwd`` and the accounts module."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qbwc_service import accounts
from qbwc_service.cli import main
from qbwc_service.queue.db import transaction


def run(config_file, *args, stdin=None):
    return CliRunner().invoke(main, ["--config", str(config_file), *args], input=stdin)


def test_add_list_disable_enable_passwd(config_file, sessions):
    result = run(config_file, "user", "add", "alice", "--password-stdin", "--company-file",
                 "C:\\Co\\shop.qbw", "--jobboss-url", "mssql+pyodbc://sa:TopSecret@db/JobBOSS2", "--admin",
                 stdin="first pass\n")
    assert result.exit_code == 0, result.output
    assert "{" in result.output  # prints the OwnerID / FileID
    with sessions() as db:
        user = accounts.get_user(db, "alice")
        assert user.company_file == "C:\\Co\\shop.qbw" and user.is_admin and user.enabled
        assert user.password_hash.startswith("scrypt$")
        assert "first pass" not in user.password_hash
        assert accounts.verify_login(db, "alice", "first pass") is not None

    listing = run(config_file, "user", "list")
    assert listing.exit_code == 0
    assert "alice" in listing.output and "C:\\Co\\shop.qbw" in listing.output
    assert "TopSecret" not in listing.output  # JobBOSS2 password masked

    assert run(config_file, "user", "passwd", "alice", "--password-stdin", stdin="second\n").exit_code == 0
    with sessions() as db:
        assert accounts.verify_login(db, "alice", "first pass") is None
        assert accounts.verify_login(db, "alice", "second") is not None

    assert run(config_file, "user", "disable", "alice").exit_code == 0
    with sessions() as db:
        assert accounts.get_user(db, "alice").enabled is False
        assert accounts.verify_login(db, "alice", "second") is None
    assert "no" in run(config_file, "user", "list").output
    assert run(config_file, "user", "enable", "alice").exit_code == 0
    with sessions() as db:
        assert accounts.verify_login(db, "alice", "second") is not None


def test_password_keeps_leading_and_inner_spaces_but_not_trailing_ones(config_file, sessions):
    assert run(config_file, "user", "add", "bob", "--password-stdin", stdin=" a b \r\n").exit_code == 0
    with sessions() as db:
        assert accounts.verify_login(db, "bob", " a b") is not None


@pytest.mark.parametrize("args,stdin,message", [
    (["user", "add", "dup", "--password-stdin"], "x\n", "already exists"),
    (["user", "add", "new", "--password-stdin"], "\n", "empty"),
    (["user", "add", " padded", "--password-stdin"], "x\n", "spaces"),
    (["user", "passwd", "ghost", "--password-stdin"], "x\n", "unknown user 'ghost'"),
    (["user", "passwd", "dup", "--password-stdin"], "", "empty"),
    (["user", "disable", "ghost"], None, "unknown user 'ghost'"),
    (["user", "add", "bad-url", "--password-stdin", "--jobboss-url", "JobBOSS2 on the server"], "pw\n",
     "not a database URL"),
])
def test_errors_are_clear_and_exit_non_zero(config_file, sessions, args, stdin, message):
    with transaction(sessions) as db:
        accounts.create_user(db, "dup", "pw")
    result = run(config_file, *args, stdin=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_list_when_empty(config_file):
    result = run(config_file, "user", "list")
    assert result.exit_code == 0 and "no users" in result.output


def test_prompted_password_must_be_confirmed(config_file, sessions):
    result = run(config_file, "user", "add", "carol", stdin="pw1\npw1\n")
    assert result.exit_code == 0, result.output
    with sessions() as db:
        assert accounts.verify_login(db, "carol", "pw1") is not None


def test_every_user_command_has_help(config_file):
    for sub in ("add", "list", "disable", "enable", "passwd"):
        result = run(config_file, "user", sub, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def test_users_share_the_installations_owner_id_and_each_has_its_own_file_id(sessions):
    with transaction(sessions) as db:
        a = accounts.create_user(db, "a", "pw")
        b = accounts.create_user(db, "b", "pw")
        assert a.owner_id == b.owner_id
        assert len({a.owner_id, a.file_id, b.file_id}) == 3


def test_a_user_from_before_the_shared_owner_id_keeps_its_own(sessions):
    """Its Web Connector registered that OwnerID; later users follow the first user's."""
    with transaction(sessions) as db:
        first = accounts.create_user(db, "first", "pw")
        first.owner_id = "{11111111-1111-1111-1111-111111111111}"
    with transaction(sessions) as db:
        later = accounts.create_user(db, "later", "pw")
        assert later.owner_id == "{11111111-1111-1111-1111-111111111111}"


def test_user_commands_before_init_say_to_run_init(tmp_path):
    path = tmp_path / "qbwc-service.toml"
    path.write_text('[logging]\nlevel = "WARNING"\n', encoding="utf-8")
    for args, stdin in ((["user", "list"], None), (["user", "add", "bob", "--password-stdin"], "pw\n")):
        result = CliRunner().invoke(main, ["--config", str(path), *args], input=stdin)
        assert result.exit_code == 1, result.output
        assert "qbwc-service init" in result.output
        assert isinstance(result.exception, SystemExit)


def test_unreachable_database_is_one_clear_line(tmp_path):
    path = tmp_path / "qbwc-service.toml"
    path.write_text('[database]\nurl = "sqlite:////nonexistent-dir/q.sqlite3"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "user", "list"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: database error:")
    assert isinstance(result.exception, SystemExit)


def test_init_hint_only_for_missing_queue_tables():
    from sqlalchemy.exc import OperationalError

    from qbwc_service.cli.app import DatabaseUsageError

    def message(detail):
        return DatabaseUsageError.from_error(OperationalError("SELECT 1", {}, Exception(detail))).message

    assert "qbwc-service init" in message("no such table: users")
    assert "qbwc-service init" in message('relation "jobs" does not exist')
    assert "qbwc-service init" not in message("no such table: Billing")  # a JobBOSS2 table
    assert message("unable to open database file") == "database error: unable to open database file"


def test_edit_changes_only_what_is_given(config_file, sessions):
    assert run(config_file, "user", "add", "shop", "--password-stdin", "--company-file", "C:\\A.qbw",
               stdin="pw\n").exit_code == 0
    result = run(config_file, "user", "edit", "shop", "--jobboss-url", "env:SHOP_JOBBOSS_URL", "--admin")
    assert result.exit_code == 0, result.output
    assert "env:SHOP_JOBBOSS_URL" in result.output
    with sessions() as db:
        user = accounts.get_user(db, "shop")
        assert (user.jobboss_url, user.company_file, user.is_admin, user.enabled) == \
            ("env:SHOP_JOBBOSS_URL", "C:\\A.qbw", True, True)
    assert run(config_file, "user", "edit", "shop", "--company-file", "", "--no-admin",
               "--disable").exit_code == 0
    with sessions() as db:
        user = accounts.get_user(db, "shop")
        assert (user.jobboss_url, user.company_file, user.is_admin, user.enabled) == \
            ("env:SHOP_JOBBOSS_URL", "", False, False)
    assert run(config_file, "user", "edit", "shop", "--enable").exit_code == 0
    with sessions() as db:
        assert accounts.get_user(db, "shop").enabled


@pytest.mark.parametrize(("args", "message"), [
    ((), "nothing to change"),
    (("--jobboss-url", "env:"), "environment variable name"),
    (("--jobboss-url", "env:A-B"), "environment variable name"),
    (("--jobboss-url", "not a url"), "not a database URL"),
])
def test_edit_refuses_bad_input(config_file, args, message):
    run(config_file, "user", "add", "shop", "--password-stdin", stdin="pw\n")
    result = run(config_file, "user", "edit", "shop", *args)
    assert result.exit_code != 0 and message in result.output


def test_edit_of_an_unknown_user_names_it(config_file):
    result = run(config_file, "user", "edit", "ghost", "--admin")
    assert result.exit_code == 1 and "ghost" in result.output


def test_a_url_with_a_password_gets_a_note_and_env_urls_do_not(config_file):
    stored = CliRunner().invoke(main, ["--config", str(config_file), "user", "add", "a", "--password-stdin",
                                       "--jobboss-url", "mssql+pyodbc://sa:Secret@h/JB?driver=FreeTDS"],
                                input="pw\n")
    assert stored.exit_code == 0 and "env:NAME" in stored.stderr
    from_env = CliRunner().invoke(main, ["--config", str(config_file), "user", "add", "b", "--password-stdin",
                                         "--jobboss-url", "env:JB_URL"], input="pw\n")
    assert from_env.exit_code == 0 and "note" not in from_env.stderr


@pytest.mark.parametrize(("line", "stored"), [
    ("a long password \r\n", "a long password"),  # cmd.exe: echo a long password | ...
    ("pw\n", "pw"),
    (" inner  spaces kept\n", " inner  spaces kept"),
])
def test_password_stdin_drops_the_line_end_and_trailing_spaces(config_file, sessions, line, stored):
    assert run(config_file, "user", "add", "u", "--password-stdin", stdin=line).exit_code == 0
    with sessions() as db:
        assert accounts.verify_login(db, "u", stored) is not None


@pytest.mark.parametrize("line", ["'a long password' \r\n", '"pw"\n'])
def test_password_stdin_refuses_quotes_cmd_exe_kept(config_file, sessions, line):
    result = run(config_file, "user", "add", "u", "--password-stdin", stdin=line)
    assert result.exit_code == 2 and "QBWC_PASSWORD" in result.output
    with sessions() as db:
        assert accounts.get_user(db, "u") is None


def test_password_from_the_environment_is_taken_as_is(config_file, sessions, monkeypatch):
    monkeypatch.setenv("QBWC_PASSWORD", "'quoted' and spaced ")
    assert run(config_file, "user", "add", "u").exit_code == 0
    with sessions() as db:
        assert accounts.verify_login(db, "u", "'quoted' and spaced ") is not None


def test_edit_company_file_rebinds_the_user(config_file, sessions):
    from qbwc_service.queue.models import utcnow

    assert run(config_file, "user", "add", "bob", "--password-stdin", stdin="pw-bob-123\n").exit_code == 0
    with transaction(sessions) as db:
        user = accounts.require_user(db, "bob")
        user.bound_company_name, user.bound_company_path = "Old Books", r"C:\Co\old.qbw"
        user.bound_file_id, user.bound_at = "{F}", utcnow()
    assert "Old Books" in run(config_file, "user", "list").output

    result = run(config_file, "user", "edit", "bob", "--company-file", r"C:\Co\new.qbw")
    assert result.exit_code == 0, result.output
    assert "bound to the company QuickBooks has open at its next session" in result.output
    with sessions() as db:
        user = accounts.require_user(db, "bob")
        assert user.company_file == r"C:\Co\new.qbw"
        assert (user.bound_at, user.bound_company_name, user.bound_file_id) == (None, None, None)
    assert "(next session)" in run(config_file, "user", "list").output
