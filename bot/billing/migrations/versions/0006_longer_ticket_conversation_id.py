"""A ticket keeps its conversation's id as long as the session log does (255): with 128, a longer id was
cut on the ticket but not on the lookup, and the conversation never found its own ticket again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column("conversation_id", type_=sa.String(255), existing_type=sa.String(128))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column("conversation_id", type_=sa.String(128), existing_type=sa.String(255))
