"""The production configuration (endpoints.production.yml) against the real servers: PostgreSQL tracker
store, PostgreSQL billing database and Redis lock store. Conversations work and are stored in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from redis.connection import parse_url
from sqlalchemy import create_engine, text

from bot import i18n
from tests.conversation.conftest import start_assistant
from tests.conversation.replies import expected
from tests.postgres import fresh_database
from tests.stack import REDIS_URL, Assistant, production_env

LOCK_COMMANDS = {"get", "set", "del", "exists", "watch", "multi", "exec", "unwatch"}
REDIS_LOCK_DB = str(parse_url(REDIS_URL).get("db", 1))


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Assistant, str]]:
    with fresh_database("billing_conv") as billing_url, fresh_database("tracker_conv") as tracker_url:
        env = production_env(tracker_url)
        workdir = tmp_path_factory.mktemp("production")
        for assistant in start_assistant(workdir, billing_url, "endpoints.production.yml", env):
            yield assistant, tracker_url


def test_verification_and_balance_with_postgres_and_redis(
    production: tuple[Assistant, str], sender: str
) -> None:
    assistant, tracker_url = production
    assistant.texts(sender, "Bonjour, c'est combien mon solde ?")
    assistant.texts(sender, "482130")
    replies = assistant.texts(sender, "75011")
    assert replies[0] == expected("utter_identity_confirmed", "fr", customer_name="Camille")

    engine = create_engine(tracker_url, future=True)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT count(*) FROM events WHERE sender_id = :sender AND type_name = 'user'"),
                {"sender": sender},
            ).scalar_one()
    finally:
        engine.dispose()
    assert stored == 3
    assert rasa_used_the_redis_lock_store()


def rasa_used_the_redis_lock_store() -> bool:
    """Rasa's pooled connection stays on the lock database, its last command a lock read, a lock write or
    delete, or the end of a lock transaction (bot/resilience/lock_store.py changes locks in transactions)."""
    client = Redis.from_url(REDIS_URL)
    try:
        own_id = client.client_id()
        others = [c for c in client.client_list() if int(c["id"]) != own_id]
    finally:
        client.close()
    return any(c["db"] == REDIS_LOCK_DB and c["cmd"] in LOCK_COMMANDS for c in others)


def test_handoff_ticket_lands_in_the_postgres_billing_database(
    production: tuple[Assistant, str], sender: str
) -> None:
    assistant, _ = production
    replies = assistant.texts(sender, "quero falar com um atendente, por favor")
    reference = replies[0].split("protocolo é ")[1].split(":")[0]
    ticket = assistant.backend.get_ticket(reference, None)
    assert ticket.language == "pt" and ticket.channel == "rest"
    assert any("atendente" in line for line in ticket_transcript(assistant, reference))


def test_portuguese_balance_with_postgres_billing(production: tuple[Assistant, str], sender: str) -> None:
    assistant, _ = production
    assistant.texts(sender, "oi, qual é o meu saldo?")
    replies = assistant.texts(sender, "sou o cliente 731402, CEP 01310-100")
    summary = assistant.backend.get_account_summary(assistant.customer_id("731402"), assistant.today)
    assert replies[0] == expected("utter_identity_confirmed", "pt", customer_name="Ana")
    assert replies[1] == (
        expected("utter_balance", "pt", balance=i18n.money_value(summary.balance, "BRL"))
        if summary.balance > 0
        else expected("utter_balance_zero", "pt")
    )


def ticket_transcript(assistant: Assistant, reference: str) -> list[str]:
    with assistant.engine.connect() as conn:
        row = conn.execute(
            text("SELECT transcript FROM tickets WHERE reference = :r"), {"r": reference}
        ).one()
    return list(row[0])
