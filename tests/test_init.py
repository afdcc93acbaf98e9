"""``qbwc-service init`` and ``db upgrade`` / ``db downgrade``."""

from __future__ import annotations

import tomllib

from click.testing import CliRunner
from sqlalchemy import inspect

from qbwc_service import config
from qbwc_service.cli import main
from qbwc_service.queue import db
from qbwc_service.queue.models import Base


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_init_writes_a_config_and_a_database_and_is_idempotent(tmp_path):
    path = tmp_path / "conf" / "qbwc-service.toml"
    first = run("--config", str(path), "init")
    assert first.exit_code == 0, first.output
    assert path.exists()
    tomllib.loads(path.read_text(encoding="utf-8"))  # valid TOML (all keys commented)
    cfg = config.load(path)
    assert cfg.database_url == f"sqlite:///{path.parent.resolve() / config.DEFAULT_DB_NAME}"
    engine = db.make_engine(cfg.database_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
    path.write_text(path.read_text(encoding="utf-8") + "\n# mine\n", encoding="utf-8")
    second = run("--config", str(path), "init")
    assert second.exit_code == 0, second.output
    assert path.read_text(encoding="utf-8").endswith("# mine\n")  # kept, not overwritten


def test_init_honours_the_environment_variable(tmp_path):
    path = tmp_path / "env.toml"
    result = run("init", env={config.CONFIG_ENV: str(path)})
    assert result.exit_code == 0, result.output
    assert path.exists()


def test_db_upgrade_and_downgrade(tmp_path, db_url):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    assert run("--config", str(cfg), "db", "downgrade", "base").exit_code == 0
    engine = db.make_engine(db_url)
    assert "users" not in inspect(engine).get_table_names()
    result = run("--config", str(cfg), "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "users" in inspect(engine).get_table_names()
    engine.dispose()


def test_unknown_revision_is_one_clear_line(tmp_path, db_url):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    for step in ("upgrade", "downgrade"):
        result = run("--config", str(cfg), "db", step, "no-such-revision")
        assert result.exit_code == 1
        assert "no-such-revision" in result.output and isinstance(result.exception, SystemExit)


def test_init_where_the_config_cannot_be_written_is_one_clear_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = run("--config", str(blocker / "qbwc-service.toml"), "init")
    assert result.exit_code == 1
    assert "cannot write" in result.output and isinstance(result.exception, SystemExit)
