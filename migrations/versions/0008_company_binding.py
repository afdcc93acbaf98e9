"""the QuickBooks company each user is bound to

Revision ID: 0008_company_binding
Revises: 0004_name_map
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_company_binding"
down_revision = "0004_name_map"
branch_labels = None
depends_on = None

COLUMNS = (("bound_file_id", sa.String(length=255)), ("bound_company_path", sa.String(length=500)),
           ("bound_company_name", sa.String(length=200)), ("bound_at", sa.DateTime(timezone=True)))


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name, _kind in reversed(COLUMNS):
            batch_op.drop_column(name)
