"""Payment requests (card page, Pix code, boleto) and the e-mail outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Types are spelled out as in 0001 so this revision never changes with the application.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def money() -> sa.types.TypeEngine:
    return sa.Numeric(12, 2).with_variant(sa.String(14), "sqlite")


def instant() -> sa.types.TypeEngine:
    return sa.DateTime(timezone=True)


def customer_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=f"fk_{table}_customer_id_customers")


def upgrade() -> None:
    op.create_table(
        "payment_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount", money(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("created_at", instant(), nullable=False),
        sa.Column("expires_at", instant(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("url", sa.String(300), nullable=True),
        sa.Column("pix_code", sa.String(512), nullable=True),
        sa.Column("boleto_line", sa.String(64), nullable=True),
        sa.Column("payable_from", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("provider_reference", sa.String(64), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("paid_at", instant(), nullable=True),
        customer_fk("payment_requests"),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name="fk_payment_requests_payment_id_payments"),
        sa.PrimaryKeyConstraint("id", name="pk_payment_requests"),
        sa.UniqueConstraint("reference", name="uq_payment_requests_reference"),
    )
    op.create_index("ix_payment_requests_customer_id", "payment_requests", ["customer_id"], unique=False)
    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject_key", sa.String(64), nullable=False),
        sa.Column("invoice_reference", sa.String(16), nullable=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("created_at", instant(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        customer_fk("email_outbox"),
        sa.PrimaryKeyConstraint("id", name="pk_email_outbox"),
    )
    op.create_index("ix_email_outbox_customer_id", "email_outbox", ["customer_id"], unique=False)


def downgrade() -> None:
    op.drop_table("email_outbox")
    op.drop_table("payment_requests")
