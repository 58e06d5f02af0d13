"""batch: scheduled publishing and per-account pacing overrides

Revision ID: 0003_batch
Revises: 0002_security
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_batch"
down_revision = "0002_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publish_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("concurrency", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("min_interval", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("min_interval")
        batch_op.drop_column("concurrency")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("publish_at")
