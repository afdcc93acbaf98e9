"""qbwc-service doctor: one line per check, exit 1 on any failure, every missing piece named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from soap_support import free_port, self_signed_cert
from sqlalchemy.engine import make_url

from qbwc_service import accounts, config, server, wsgi
from qbwc_service.cli import main
from qbwc_service.doctor import FAIL, INFO, PASS
from qbwc_service.doctor import jobboss as jobboss_checks
from qbwc_service.doctor import service as service_checks
from qbwc_service.jobboss.layout import JobBossLayout
from qbwc_service.queue.db import transaction

MS_URL = "mssql+pyodbc://sa:Secret@sqlhost/JobBOSS2?driver=ODBC+Driver+18+for+SQL+Server"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("jobboss") / "demo.sqlite3"
    assert CliRunner().invoke(main, ["demo-db", str(path)]).exit_code == 0
    return path


def doctor(config_file, *args, env=None):
    return CliRunner().invoke(main, ["--config", str(config_file), "doctor", *args], env=env)


def lines(result) -> dict[str, str]:
    """check name -> status of each check line."""
    found = {}
    for line in result.output.splitlines():
        status, _, rest = line.partition("  ")
        if status.strip() in (PASS, FAIL, INFO):
            found[rest.strip().split(":")[0]] = status.strip()
    return found


def add(sessions, name, url, enabled=True):
    with transaction(sessions) as db:
        accounts.create_user(db, name, "pw", jobboss_url=url).enabled = enabled


def test_all_pass_with_the_demo_database(config_file, sessions, demo_path):
    add(sessions, "shop", f"sqlite:///{demo_path}")
    # A port nothing listens on: whatever else runs on this machine, serve is "not running".
    config_file.write_text(config_file.read_text(encoding="utf-8") + f"\n[server]\nport = {free_port()}\n",
                           encoding="utf-8")
    result = doctor(config_file)
    assert result.exit_code == 0, result.output
    assert lines(result) == {"configuration": PASS, "queue database": PASS, "queue migrations": PASS,
                             "JobBOSS2 of shop": PASS, "JobBOSS2 schema of shop": PASS, "serve": INFO}
    assert "not running" in result.output and result.output.rstrip().endswith("checks passed")


def test_a_missing_odbc_driver_is_named_with_what_to_install(config_file, sessions):
    add(sessions, "shop", MS_URL)
    result = doctor(config_file, "--user", "shop")
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if "JobBOSS2 of shop" in line]
    assert line.startswith("FAIL")
    assert 'the ODBC driver "ODBC Driver 18 for SQL Server" is not installed' in line
    assert "msodbcsql18" in line and "FreeTDS" in line and "Secret" not in line
    assert "mssql+pyodbc://USER:PASSWORD@HOST" in line  # the connection string format


def test_a_missing_pyodbc_names_the_extra(monkeypatch):
    def no_pyodbc(name):
        raise ModuleNotFoundError(f"No module named '{name}'")

    [check] = jobboss_checks.check_user("shop", MS_URL, JobBossLayout.default(), importer=no_pyodbc)
    assert check.status == FAIL and "pip install 'qbwc-service[mssql]'" in check.detail
    assert "unixodbc" in check.detail


@pytest.mark.parametrize(("url", "driver"), [
    (MS_URL, "ODBC Driver 18 for SQL Server"),
    ("mssql+pyodbc://u:p@h:1433/JB?driver=FreeTDS&TDS_Version=7.4", "FreeTDS"),
    ("mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BODBC+Driver+17+for+SQL+Server%7D%3BSERVER%3Dh",
     "ODBC Driver 17 for SQL Server"),
    ("mssql+pyodbc://u:p@MyDsn", None),
])
def test_the_driver_is_read_from_every_url_form(url, driver):
    assert jobboss_checks.odbc_driver_name(make_url(url)) == driver


def test_freetds_gets_the_debian_package():
    assert "apt-get install tdsodbc" in jobboss_checks.driver_source("FreeTDS")
    assert "msodbcsql17" in jobboss_checks.driver_source("ODBC Driver 17 for SQL Server")


def test_an_installed_driver_gets_as_far_as_connecting(config_file, sessions, tmp_path, monkeypatch):
    """SQLite3's ODBC driver is installed here: the pieces are there, the server is not."""
    monkeypatch.chdir(tmp_path)  # that driver takes the database name for a file to create
    add(sessions, "shop", "mssql+pyodbc://u:p@127.0.0.1:1/JB?driver=SQLite3")
    result = doctor(config_file)
    [line] = [line for line in result.output.splitlines() if "JobBOSS2 of shop" in line]
    assert line.startswith("FAIL") and "cannot connect" in line and "not installed" not in line


def test_unset_env_url_schema_mismatch_and_no_url_fail(config_file, sessions, tmp_path):
    empty = tmp_path / "empty.sqlite3"
    import sqlite3
    sqlite3.connect(empty).close()
    add(sessions, "envuser", "env:SHOP_JB_URL")
    add(sessions, "wrongdb", f"sqlite:///{empty}")
    add(sessions, "nourl", "")
    add(sessions, "off", "", enabled=False)
    result = doctor(config_file)
    assert result.exit_code == 1
    found = lines(result)
    assert found["JobBOSS2 of envuser"] == FAIL and "SHOP_JB_URL" in result.output
    assert found["JobBOSS2 of wrongdb"] == PASS and found["JobBOSS2 schema of wrongdb"] == FAIL
    assert found["JobBOSS2 of nourl"] == FAIL and "user edit nourl --jobboss-url" in result.output
    assert "JobBOSS2 of off" not in found  # disabled users are not checked unless named


def test_an_unmigrated_queue_fails_and_skips_the_users(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "q.sqlite3"}"\n', encoding="utf-8")
    result = doctor(path)
    assert result.exit_code == 1
    assert lines(result)["queue migrations"] == FAIL and "qbwc-service init" in result.output
    assert lines(result)["users"] == INFO


def test_a_missing_configuration_file_fails(tmp_path):
    result = doctor(tmp_path / "absent.toml")
    assert result.exit_code == 1 and lines(result)["configuration"] == FAIL


def test_unknown_user_fails(config_file):
    result = doctor(config_file, "--user", "ghost")
    assert result.exit_code == 1 and "unknown user 'ghost'" in result.output


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory):
    return self_signed_cert(tmp_path_factory.mktemp("tls"))


def tls_config(tmp_path, cert, key):
    path = tmp_path / "c.toml"
    path.write_text(f'[server]\ntls_cert = "{cert}"\ntls_key = "{key}"\n', encoding="utf-8")
    return config.load(path)


def test_tls_certificate_matches_its_key_and_shows_days_left(tmp_path, tls_pair):
    cert, key = tls_pair
    month_before = datetime.now(UTC) + timedelta(days=2) - timedelta(days=30, hours=1)
    check = service_checks.check_tls(tls_config(tmp_path, cert, key), now=month_before)
    assert check.status == PASS and "matches its key" in check.detail and "(30 days)" in check.detail
    soon = service_checks.check_tls(tls_config(tmp_path, cert, key), now=datetime.now(UTC))
    assert soon.status == FAIL and "renew" in soon.detail  # two days left: under the warning period
    late = service_checks.check_tls(tls_config(tmp_path, cert, key),
                                    now=datetime.now(UTC) + timedelta(days=3))
    assert late.status == FAIL and "expired" in late.detail


def test_tls_key_of_another_certificate_fails(tmp_path, tls_pair):
    other_cert, other_key = self_signed_cert(tmp_path)
    check = service_checks.check_tls(tls_config(tmp_path, tls_pair[0], other_key))
    assert check.status == FAIL and "not a PEM certificate and its key" in check.detail
    assert service_checks.check_tls(config.load(tmp_path / "none.toml")) is None


def test_a_running_server_is_found_on_the_configured_address(config_file, sessions):
    cfg = config.load(config_file)
    with server.run_in_thread(wsgi.create_app(cfg, sessions=sessions)) as running:
        port = int(running.url.rsplit(":", 1)[1])
        config_file.write_text(config_file.read_text(encoding="utf-8") + f"\n[server]\nport = {port}\n",
                               encoding="utf-8")
        check = service_checks.check_serve(config.load(config_file))
    assert check.status == PASS and f"127.0.0.1:{port}/healthz" in check.detail


def test_sync_start_without_the_driver_points_at_doctor(config_file, sessions):
    add(sessions, "shop", MS_URL)
    result = CliRunner().invoke(main, ["--config", str(config_file), "sync", "start", "--user", "shop",
                                       "--from", "2026-01-01", "--to", "2026-01-31"])
    assert result.exit_code == 1 and "qbwc-service doctor" in result.output


