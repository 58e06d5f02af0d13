"""grid sessions: remote WebDriver sessions held, so a restart after a crash can end them

Revision ID: 0004_grid_sessions
Revises: 0003_batch
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_grid_sessions"
down_revision = "0003_batch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grid_sessions",
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("remote_url", sa.String(length=500), nullable=False),
        sa.Column("node_uri", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )


def downgrade() -> None:
    op.drop_table("grid_sessions")
