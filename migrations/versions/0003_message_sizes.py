"""size and SHA-256 of each kept message; jobs indexed by message

Revision ID: 0003_message_sizes
Revises: 0002_admin_sessions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_message_sizes"
down_revision = "0002_admin_sessions"
branch_labels = None
depends_on = None

COLUMNS = (("request_bytes", sa.Integer(), "0"), ("request_sha256", sa.String(length=64), ""),
           ("response_bytes", sa.Integer(), "0"), ("response_sha256", sa.String(length=64), ""))


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        for name, kind, default in COLUMNS:
            # The server default fills the rows already there; the model sets every new one.
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=default))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        for name, _kind, _default in COLUMNS:
            batch_op.alter_column(name, server_default=None)
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_message", ["message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_message")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        for name, _kind, _default in reversed(COLUMNS):
            batch_op.drop_column(name)
