"""Migration 0004 on a database made by 0003: its tickets stay and can be handled. (That the migrated
schema equals `metadata` is checked from 0001 on in `tests/unit/billing/test_sql_account_services.py`.)"""

from __future__ import annotations

from sqlalchemy import text

from bot.billing.database import migrate
from bot.billing.models import TicketStatus
from bot.handoff.agents import AgentDirectory
from bot.handoff.queue import TicketQueue
from tests.unit.billing.conftest import NOW

from .conftest import PASSWORD, MovableClock, migrated_to

CUSTOMER_OF_0003 = text(
    "INSERT INTO customers (number, name, email, phone, country, currency, language, status, created_on,"
    " postal_code, city, street) VALUES ('100200', 'Old Customer', 'old@example.com', '+33612345678', 'FR',"
    " 'EUR', 'fr', 'active', '2025-01-15', '75011', 'Paris', '1 rue de la Paix')"
)
TICKET_OF_0003 = text(
    "INSERT INTO tickets (reference, customer_id, channel, language, topic, summary, priority, status,"
    " transcript, created_at, updated_at) SELECT 'TK-7H3K9P', id, 'rest', 'fr', 'other', 'old one', 'normal',"
    " 'open', '[]', :at, :at FROM customers WHERE number = '100200'"
)


def test_migrate_upgrades_a_0003_database_and_keeps_its_tickets(blank_database: str) -> None:
    with migrated_to(blank_database, "0003") as engine:
        with engine.begin() as conn:  # the 0003 columns only
            conn.execute(CUSTOMER_OF_0003)
            conn.execute(TICKET_OF_0003, {"at": "2026-03-11 09:00:00"})
        migrate(engine)
        clock = MovableClock(NOW)
        queue = TicketQueue(engine, clock)
        old = queue.get("TK-7H3K9P")
        assert (old.summary, old.status, old.conversation_id, old.assigned_agent_id) == (
            "old one",
            TicketStatus.OPEN,
            None,
            None,
        )
        assert queue.events("TK-7H3K9P") == []  # made before the audit trail existed
        agent = AgentDirectory(engine, clock).create_agent(
            "camille.agent", "Camille", PASSWORD, "agent", "fr"
        )
        assert queue.claim("TK-7H3K9P", agent).assigned_agent_id == agent.id
