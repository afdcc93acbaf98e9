"""Configuration: defaults, environment, and errors that name the key (exit code 2)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qbwc_service import config
from qbwc_service.cli import main


def run_with(tmp_path, text, *args, env=None):
    path = tmp_path / "qbwc-service.toml"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["--config", str(path), *(args or ("user", "list"))], env=env)


@pytest.mark.parametrize("text,key", [
    ('[server]\nprot = 8080\n', "server.prot"),
    ('[nonsense]\nx = 1\n', "nonsense.x"),
    ('[server]\nport = 0\n', "server.port"),
    ('[server]\nport = "eighty"\n', "server.port"),
    ('[qbwc]\nticket_ttl_minutes = -5\n', "qbwc.ticket_ttl_minutes"),
    ('[qbwc]\nmin_client_version = "two"\n', "qbwc.min_client_version"),
    ('[qbwc]\nwarn_client_version = "2.\u00b2"\n', "qbwc.warn_client_version"),
    ('[qbwc]\nmax_failures = true\n', "qbwc.max_failures"),
    ('[logging]\nlevel = "LOUD"\n', "logging.level"),
    ('[server]\nmax_request_mb = 0\n', "server.max_request_mb"),
    ('[database]\nurl = "env:QBWC_TEST_SURELY_UNSET_VAR"\n', "database.url"),
    ('[database]\nurl = "not a database url"\n', "database.url"),
    ('[server]\ntls_cert = "cert.pem"\n', "server.tls_key"),
    ('[server]\ntls_key = "key.pem"\n', "server.tls_cert"),
    ('[logging]\nformat = "xml"\n', "logging.format"),
    ('[logging]\nmax_mb = 0\n', "logging.max_mb"),
    ('[alerts]\nsmtp_security = "tls"\n', "alerts.smtp_security"),
    ('[alerts]\nwebhook_url = "ftp://x"\n', "alerts.webhook_url"),
    ('[alerts]\nsilent_hours = 0\n', "alerts.silent_hours"),
])
def test_bad_configuration_exits_2_naming_the_key(tmp_path, text, key):
    result = run_with(tmp_path, text)
    assert result.exit_code == 2, result.output
    assert key in result.output
    assert "Traceback" not in result.output


def test_a_bad_database_url_from_the_environment_names_the_key(tmp_path):
    result = run_with(tmp_path, "", "init", env={"QBWC_SERVICE_DATABASE_URL": "nonsense"})
    assert result.exit_code == 2
    assert "database.url" in result.output


def test_invalid_toml_exits_2(tmp_path):
    result = run_with(tmp_path, "[server\nport = 1\n")
    assert result.exit_code == 2
    assert "TOML" in result.output


@pytest.mark.parametrize("command", [("serve",), ("qwc", "x", "--url", "https://a/qbwc"),
                                     ("user", "add", "x", "--password-stdin")])
def test_my_commands_report_config_errors_the_same_way(tmp_path, command):
    result = run_with(tmp_path, '[server]\nport = 70000\n', *command)
    assert result.exit_code == 2
    assert "server.port" in result.output


def test_defaults_and_secrets_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "c.toml"
    path.write_text('[database]\nurl = "env:MY_QUEUE_URL"\n[qbwc]\nticket_ttl_minutes = 5\n',
                    encoding="utf-8")
    monkeypatch.setenv("MY_QUEUE_URL", "sqlite:///x.sqlite3")
    cfg = config.load(path)
    assert cfg.database_url == "sqlite:///x.sqlite3"
    assert cfg["qbwc.ticket_ttl_minutes"] == 5
    assert cfg["server.port"] == 8080 and cfg.tls is None
    monkeypatch.setenv("QBWC_SERVICE_DATABASE_URL", "sqlite:///override.sqlite3")
    assert config.load(path).database_url == "sqlite:///override.sqlite3"


def test_tls_paths_are_relative_to_the_config_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[server]\ntls_cert = "certs/c.pem"\ntls_key = "certs/k.pem"\n', encoding="utf-8")
    cert, key = config.load(path).tls
    assert cert == tmp_path.resolve() / "certs" / "c.pem"
    assert key == tmp_path.resolve() / "certs" / "k.pem"


def test_template_loads_to_the_defaults(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(config.template(), encoding="utf-8")
    cfg = config.load(path)
    assert cfg.values == {name: key.default for name, key in config.KEYS.items()}


def test_a_config_path_that_is_a_folder_exits_2(tmp_path):
    folder = tmp_path / "conf.d"
    folder.mkdir()
    result = CliRunner().invoke(main, ["user", "list"], env={config.CONFIG_ENV: str(folder)})
    assert result.exit_code == 2
    assert "cannot read the configuration file" in result.output
