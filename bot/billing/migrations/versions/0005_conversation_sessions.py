"""Conversation sessions started by the bot, for the share of conversations solved without a human.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-15

Types are spelled out as in 0001 so this revision never changes with the application.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def instant() -> sa.types.TypeEngine:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "conversation_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(5), nullable=True),
        sa.Column("started_at", instant(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_sessions"),
        sa.UniqueConstraint(
            "conversation_id", "started_at", name="uq_conversation_sessions_conversation_id"
        ),
    )
    op.create_index(
        "ix_conversation_sessions_started_at", "conversation_sessions", ["started_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_sessions_started_at", table_name="conversation_sessions")
    op.drop_table("conversation_sessions")
