"""The whole billing schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Types are spelled out here rather than imported from the application so this revision never changes:
money is NUMERIC(12, 2) (exact decimal text on SQLite, which has no decimal type) and instants are
timezone-aware.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def exact(precision: int, scale: int) -> sa.types.TypeEngine:
    return sa.Numeric(precision, scale).with_variant(sa.String(precision + 2), "sqlite")


def money() -> sa.types.TypeEngine:
    return exact(12, 2)


def instant() -> sa.types.TypeEngine:
    return sa.DateTime(timezone=True)


def id_column() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def customer_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=f"fk_{table}_customer_id_customers")


def index(table: str, column: str) -> None:
    op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "customers",
        id_column(),
        sa.Column("number", sa.String(12), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("postal_code", sa.String(16), nullable=False),
        sa.Column("city", sa.String(80), nullable=False),
        sa.Column("suspended_since", sa.Date(), nullable=True),
        sa.Column("trust_release_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("number", name="uq_customers_number"),
    )
    op.create_table(
        "verification_attempts",
        sa.Column("number_hash", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", instant(), nullable=True),
        sa.Column("updated_at", instant(), nullable=False),
        sa.PrimaryKeyConstraint("number_hash", name="pk_verification_attempts"),
    )
    op.create_table(
        "plans",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("monthly_price", money(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_plans"),
    )
    index("plans", "country")
    op.create_table(
        "subscriptions",
        id_column(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("plan_code", sa.String(32), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_day", sa.Integer(), nullable=False),
        sa.Column("auto_pay", sa.Boolean(), nullable=False),
        sa.Column("due_day_changed_on", sa.Date(), nullable=True),
        sa.Column("scheduled_plan_code", sa.String(32), nullable=True),
        sa.Column("scheduled_change_on", sa.Date(), nullable=True),
        sa.Column("commitment_end", sa.Date(), nullable=True),
        sa.Column("cancel_effective_on", sa.Date(), nullable=True),
        sa.Column("price_override", money(), nullable=True),
        sa.Column("discount_percent", exact(5, 2), nullable=True),
        sa.Column("discount_until", sa.Date(), nullable=True),
        sa.Column("retention_accepted_on", sa.Date(), nullable=True),
        customer_fk("subscriptions"),
        sa.ForeignKeyConstraint(["plan_code"], ["plans.code"], name="fk_subscriptions_plan_code_plans"),
        sa.ForeignKeyConstraint(
            ["scheduled_plan_code"], ["plans.code"], name="fk_subscriptions_scheduled_plan_code_plans"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint("customer_id", name="uq_subscriptions_customer_id"),
    )
    op.create_table(
        "price_adjustments",
        id_column(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("index_name", sa.String(16), nullable=False),
        sa.Column("percent", exact(6, 3), nullable=False),
        sa.Column("old_price", money(), nullable=False),
        sa.Column("new_price", money(), nullable=False),
        customer_fk("price_adjustments"),
        sa.PrimaryKeyConstraint("id", name="pk_price_adjustments"),
    )
    index("price_adjustments", "customer_id")
    op.create_table(
        "installment_agreements",
        id_column(),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("total", money(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        customer_fk("installment_agreements"),
        sa.PrimaryKeyConstraint("id", name="pk_installment_agreements"),
        sa.UniqueConstraint("reference", name="uq_installment_agreements_reference"),
    )
    index("installment_agreements", "customer_id")
    op.create_table(
        "invoices",
        id_column(),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_paid", money(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("replaced_by_agreement_id", sa.Integer(), nullable=True),
        customer_fk("invoices"),
        sa.ForeignKeyConstraint(
            ["replaced_by_agreement_id"],
            ["installment_agreements.id"],
            name="fk_invoices_replaced_by_agreement_id_installment_agreements",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invoices"),
        sa.UniqueConstraint("reference", name="uq_invoices_reference"),
    )
    index("invoices", "customer_id")
    op.create_table(
        "invoice_lines",
        id_column(),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("amount", money(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name="fk_invoice_lines_invoice_id_invoices", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invoice_lines"),
    )
    index("invoice_lines", "invoice_id")
    op.create_table(
        "installments",
        id_column(),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", money(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["installment_agreements.id"],
            name="fk_installments_agreement_id_installment_agreements",
        ),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name="fk_installments_invoice_id_invoices"),
        sa.PrimaryKeyConstraint("id", name="pk_installments"),
        sa.UniqueConstraint("agreement_id", "number", name="uq_installments_agreement_id"),
    )
    op.create_table(
        "payments",
        id_column(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("provider_reference", sa.String(64), nullable=False),
        sa.Column("amount", money(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("paid_at", instant(), nullable=False),
        sa.Column("invoice_reference", sa.String(16), nullable=True),
        customer_fk("payments"),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.UniqueConstraint("provider_reference", name="uq_payments_provider_reference"),
    )
    index("payments", "customer_id")
    op.create_table(
        "payment_allocations",
        id_column(),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", money(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name="fk_payment_allocations_invoice_id_invoices"),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name="fk_payment_allocations_payment_id_payments"),
        sa.PrimaryKeyConstraint("id", name="pk_payment_allocations"),
    )
    index("payment_allocations", "invoice_id")
    index("payment_allocations", "payment_id")
    op.create_table(
        "payment_methods",
        id_column(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("masked", sa.String(40), nullable=False),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("expires", sa.String(5), nullable=True),
        customer_fk("payment_methods"),
        sa.PrimaryKeyConstraint("id", name="pk_payment_methods"),
    )
    index("payment_methods", "customer_id")
    op.create_table(
        "payment_method_links",
        id_column(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", instant(), nullable=False),
        sa.Column("expires_at", instant(), nullable=False),
        sa.Column("used_at", instant(), nullable=True),
        customer_fk("payment_method_links"),
        sa.PrimaryKeyConstraint("id", name="pk_payment_method_links"),
        sa.UniqueConstraint("token_sha256", name="uq_payment_method_links_token_sha256"),
    )
    index("payment_method_links", "customer_id")
    op.create_table(
        "cancellations",
        id_column(),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("early_termination_fee", money(), nullable=False),
        sa.Column("final_invoice_estimate", money(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        customer_fk("cancellations"),
        sa.PrimaryKeyConstraint("id", name="pk_cancellations"),
        sa.UniqueConstraint("reference", name="uq_cancellations_reference"),
    )
    index("cancellations", "customer_id")
    op.create_table(
        "trust_releases",
        id_column(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        customer_fk("trust_releases"),
        sa.PrimaryKeyConstraint("id", name="pk_trust_releases"),
    )
    index("trust_releases", "customer_id")
    op.create_table(
        "notas_fiscais",
        id_column(),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("service", sa.String(120), nullable=False),
        sa.Column("amount", money(), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        customer_fk("notas_fiscais"),
        sa.PrimaryKeyConstraint("id", name="pk_notas_fiscais"),
        sa.UniqueConstraint("number", name="uq_notas_fiscais_number"),
    )
    index("notas_fiscais", "customer_id")
    op.create_table(
        "pending_charges",
        id_column(),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("amount", money(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        customer_fk("pending_charges"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name="fk_pending_charges_invoice_id_invoices"),
        sa.PrimaryKeyConstraint("id", name="pk_pending_charges"),
    )
    index("pending_charges", "customer_id")
    op.create_table(
        "tickets",
        id_column(),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("created_at", instant(), nullable=False),
        sa.Column("updated_at", instant(), nullable=False),
        customer_fk("tickets"),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint("reference", name="uq_tickets_reference"),
    )
    index("tickets", "customer_id")


def downgrade() -> None:
    for table in (
        "tickets",
        "pending_charges",
        "notas_fiscais",
        "trust_releases",
        "cancellations",
        "payment_method_links",
        "payment_methods",
        "payment_allocations",
        "payments",
        "installments",
        "invoice_lines",
        "invoices",
        "installment_agreements",
        "price_adjustments",
        "subscriptions",
        "plans",
        "verification_attempts",
        "customers",
    ):
        op.drop_table(table)  # dropping a table drops its indexes
