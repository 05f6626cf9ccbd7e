"""The billing database: SQLAlchemy Core tables on one `MetaData`.

The migrations in `bot/billing/migrations` create exactly this schema (a test compares them).
Money columns are `Money()` (NUMERIC(12, 2)), never floats; instants are UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bot.billing.sql.types import ExactNumeric, Money, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _customer_id(nullable: bool = False) -> Column:
    return Column("customer_id", Integer, ForeignKey("customers.id"), nullable=nullable, index=True)


customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(12), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("country", String(2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("language", String(5), nullable=False),
    Column("status", String(24), nullable=False),
    Column("created_on", Date, nullable=False),
    Column("postal_code", String(16), nullable=False),  # the second verification factor
    Column("city", String(80), nullable=False),
    Column("street", String(160)),  # the billing address: street, postal_code, city
    Column("suspended_since", Date),
    Column("trust_release_until", Date),
)

# Keyed by a hash of the number typed, whether or not such a customer exists: an unknown number
# fails and locks exactly like a known one, so the answers reveal nothing.
verification_attempts = Table(
    "verification_attempts",
    metadata,
    Column("number_hash", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
)

plans = Table(
    "plans",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(80), nullable=False),
    Column("country", String(2), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("monthly_price", Money(), nullable=False),
    Column("features", JSON, nullable=False),
    Column("rank", Integer, nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, unique=True),
    Column("plan_code", String(32), ForeignKey("plans.code"), nullable=False),
    Column("started_on", Date, nullable=False),
    Column("due_day", Integer, nullable=False),
    Column("auto_pay", Boolean, nullable=False),
    Column("due_day_changed_on", Date),
    Column("scheduled_plan_code", String(32), ForeignKey("plans.code")),
    Column("scheduled_change_on", Date),
    Column("commitment_end", Date),
    Column("cancel_effective_on", Date),
    Column("price_override", Money()),
    Column("discount_percent", ExactNumeric(5, 2)),
    Column("discount_until", Date),
    Column("retention_accepted_on", Date),
)

price_adjustments = Table(
    "price_adjustments",
    metadata,
    Column("id", Integer, primary_key=True),
    _customer_id(),
    Column("effective_on", Date, nullable=False),
    Column("index_name", String(16), nullable=False),
    Column("percent", ExactNumeric(6, 3), nullable=False),
    Column("old_price", Money(), nullable=False),
    Column("new_price", Money(), nullable=False),
)

installment_agreements = Table(
    "installment_agreements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    _customer_id(),
    Column("total", Money(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    _customer_id(),
    Column("issued_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_paid", Money(), nullable=False),
    Column("status", String(8), nullable=False),
    Column("reminders_sent", Integer, nullable=False),
    # An overdue invoice that an installment agreement replaced is void and points to it.
    Column("replaced_by_agreement_id", Integer, ForeignKey("installment_agreements.id")),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("label", String(120), nullable=False),
    Column("amount", Money(), nullable=False),
    Column("period_start", Date),
    Column("period_end", Date),  # inclusive
)

installments = Table(
    "installments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agreement_id", Integer, ForeignKey("installment_agreements.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("amount", Money(), nullable=False),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False),
    UniqueConstraint("agreement_id", "number"),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True),
    _customer_id(),
    Column("provider_reference", String(64), nullable=False, unique=True),
    Column("amount", Money(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("method", String(16), nullable=False),
    Column("paid_at", UtcDateTime(), nullable=False),
    Column("invoice_reference", String(16)),  # the first invoice it settled, if any
)

payment_allocations = Table(
    "payment_allocations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payment_id", Integer, ForeignKey("payments.id"), nullable=False, index=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False, index=True),
    Column("amount", Money(), nullable=False),
)

payment_methods = Table(
    "payment_methods",
    metadata,
    Column("id", Integer, primary_key=True),
    _customer_id(),
    Column("kind", String(16), nullable=False),
    Column("masked", String(40), nullable=False),
    Column("holder", String(120), nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("expires", String(5)),
)

payment_method_links = Table(
    "payment_method_links",
    metadata,
    Column("id", Integer, primary_key=True),
    _customer_id(),
    Column("token_sha256", String(64), nullable=False, unique=True),  # never the token itself
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime()),
)

cancellations = Table(
    "cancellations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    _customer_id(),
    Column("requested_on", Date, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("early_termination_fee", Money(), nullable=False),
    Column("final_invoice_estimate", Money(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),
)

trust_releases = Table(
    "trust_releases",
    metadata,
    Column("id", Integer, primary_key=True),
    _customer_id(),
    Column("granted_on", Date, nullable=False),
    Column("until", Date, nullable=False),
)

notas_fiscais = Table(
    "notas_fiscais",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(24), nullable=False, unique=True),
    _customer_id(),
    Column("issued_on", Date, nullable=False),
    Column("service", String(120), nullable=False),
    Column("amount", Money(), nullable=False),
    Column("period", String(7), nullable=False),
)

# One-off amounts waiting for the next invoice (e.g. the pro-rata of a due-day change).
pending_charges = Table(
    "pending_charges",
    metadata,
    Column("id", Integer, primary_key=True),
    _customer_id(),
    Column("kind", String(16), nullable=False),
    Column("label", String(120), nullable=False),
    Column("amount", Money(), nullable=False),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("created_on", Date, nullable=False),
    Column("invoice_id", Integer, ForeignKey("invoices.id")),
)

# People of the agent console who take over escalated conversations. The password is only ever stored
# as a self-describing scrypt hash (`bot.handoff.passwords`).
agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),  # lower-case
    Column("display_name", String(120), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),  # agent or supervisor
    Column("language", String(5), nullable=False),  # the console's language: fr, pt or en
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", UtcDateTime()),
)

# Console sessions: only SHA-256 digests of the session and CSRF tokens, never the tokens.
agent_sessions = Table(
    "agent_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agent_id", Integer, ForeignKey("agents.id"), nullable=False, index=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("csrf_token_sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),  # absolute: idle expiry is read from last_seen_at
    Column("revoked_at", UtcDateTime()),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    _customer_id(nullable=True),
    Column("channel", String(32), nullable=False),
    Column("language", String(5), nullable=False),
    Column("topic", String(64), nullable=False),
    Column("summary", Text, nullable=False),
    Column("priority", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("transcript", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("conversation_id", String(255), index=True),  # the Rasa sender id (conversation_key)
    Column("assigned_agent_id", Integer, ForeignKey("agents.id"), index=True),
    Column("claimed_at", UtcDateTime()),
    Column("resolved_at", UtcDateTime()),
    Column("satisfaction", Integer),  # the customer's rating, 1 to 5, once resolved
)

# The audit trail of a ticket's handling (kinds: `bot.billing.models.TicketEventKind`); `agent_id` is who
# did it (None: the customer or the bot).
ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("agent_id", Integer, ForeignKey("agents.id")),
    Column("text", Text),
    Column("created_at", UtcDateTime(), nullable=False),
)

# One row per conversation session the bot started (Rasa's session start), for the share of conversations
# solved without a human: ids, channel and language only, never what the customer wrote.
conversation_sessions = Table(
    "conversation_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False),  # the Rasa sender id
    Column("channel", String(32), nullable=False),
    Column("language", String(5)),
    Column("started_at", UtcDateTime(), nullable=False, index=True),
    UniqueConstraint("conversation_id", "started_at"),  # a session recorded twice is one session
)

# What a customer asked to pay now (card page, Pix code, boleto); paid when the provider confirms it.
payment_requests = Table(
    "payment_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    _customer_id(),
    Column("amount", Money(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("method", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # pending or paid: expiry is read from expires_at
    Column("url", String(300)),
    Column("pix_code", String(512)),
    Column("boleto_line", String(64)),
    Column("payable_from", Date),
    Column("due_on", Date),
    Column("provider_reference", String(64)),
    Column("payment_id", Integer, ForeignKey("payments.id")),
    Column("paid_at", UtcDateTime()),
)

# E-mails waiting for the mailer; the subject and body are locale keys rendered when sent.
email_outbox = Table(
    "email_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    _customer_id(),
    Column("recipient", String(254), nullable=False),
    Column("subject_key", String(64), nullable=False),
    Column("invoice_reference", String(16)),
    Column("language", String(5), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
)
