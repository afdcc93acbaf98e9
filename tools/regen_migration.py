"""Development helper: regenerate the initial migration from ``queue/models.py``.

Only while nothing is released: the single revision 0001 is rebuilt from the
models so the schema stays one readable file. Run: ``python tools/regen_migration.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from qbwc_service.queue.db import alembic_config

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


def main() -> None:
    for old in VERSIONS.glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = alembic_config(f"sqlite:///{tmp}/gen.sqlite3")
        command.revision(cfg, message="initial queue schema", autogenerate=True, rev_id="0001")
    for new in VERSIONS.glob("0001_*.py"):
        text = new.read_text().replace("Revises: \n", "Revises:\n")
        text = "\n".join(line for line in text.splitlines() if "Create Date" not in line)
        new.write_text(text + "\n")
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(VERSIONS)], check=False)
    subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "-q", str(VERSIONS)], check=False)


if __name__ == "__main__":
    main()
