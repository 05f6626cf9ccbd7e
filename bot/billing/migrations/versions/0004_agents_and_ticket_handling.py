"""Agents of the console, their sessions, and the handling of tickets (assignee, audit trail, rating).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08

Types are spelled out as in 0001 so this revision never changes with the application.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def instant() -> sa.types.TypeEngine:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", instant(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", instant(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_agents"),
        sa.UniqueConstraint("username", name="uq_agents_username"),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("csrf_token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", instant(), nullable=False),
        sa.Column("last_seen_at", instant(), nullable=False),
        sa.Column("expires_at", instant(), nullable=False),
        sa.Column("revoked_at", instant(), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name="fk_agent_sessions_agent_id_agents"),
        sa.PrimaryKeyConstraint("id", name="pk_agent_sessions"),
        sa.UniqueConstraint("token_sha256", name="uq_agent_sessions_token_sha256"),
    )
    op.create_index("ix_agent_sessions_agent_id", "agent_sessions", ["agent_id"], unique=False)
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("conversation_id", sa.String(128), nullable=True))
        batch.add_column(sa.Column("assigned_agent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("claimed_at", instant(), nullable=True))
        batch.add_column(sa.Column("resolved_at", instant(), nullable=True))
        batch.add_column(sa.Column("satisfaction", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_tickets_assigned_agent_id_agents", "agents", ["assigned_agent_id"], ["id"]
        )
        batch.create_index("ix_tickets_conversation_id", ["conversation_id"], unique=False)
        batch.create_index("ix_tickets_assigned_agent_id", ["assigned_agent_id"], unique=False)
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", instant(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_ticket_events_ticket_id_tickets"),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name="fk_ticket_events_agent_id_agents"),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_events"),
    )
    op.create_index("ix_ticket_events_ticket_id", "ticket_events", ["ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_table("ticket_events")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_assigned_agent_id")
        batch.drop_index("ix_tickets_conversation_id")
        batch.drop_constraint("fk_tickets_assigned_agent_id_agents", type_="foreignkey")
        batch.drop_column("satisfaction")
        batch.drop_column("resolved_at")
        batch.drop_column("claimed_at")
        batch.drop_column("assigned_agent_id")
        batch.drop_column("conversation_id")
    op.drop_table("agent_sessions")
    op.drop_table("agents")
