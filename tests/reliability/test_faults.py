"""Faults: the action server killed mid-conversation, the billing database unavailable for 10 s, Redis down.
Each time the customer gets a clear answer in their language, nothing crashes, and the conversation goes on
once the part is back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import i18n
from bot.support_contact import support_contact
from tests.conversation.replies import expected
from tests.own_redis import OwnRedis
from tests.postgres import fresh_database, postgres_admin_url
from tests.reliability.report import Figures
from tests.stack import Assistant, Layout, Stack, production_env, running_stack

OUTAGE_S = 10


def verify_camille(assistant: Assistant, sender: str) -> None:
    assistant.texts(sender, "Bonjour, je voudrais connaître mon solde")
    assistant.texts(sender, "482130")
    assert assistant.texts(sender, "75011")[0] == expected(
        "utter_identity_confirmed", "fr", customer_name="Camille"
    )


def balance_text(assistant: Assistant) -> str:
    summary = assistant.backend.get_account_summary(assistant.customer_id("482130"), assistant.today)
    if summary.balance > 0:
        return expected("utter_balance", "fr", balance=i18n.money_value(summary.balance, "EUR"))
    return expected("utter_balance_zero", "fr")


@pytest.mark.reliability("Faults", "action server killed mid-conversation")
def test_the_action_server_killed_mid_conversation(
    production_stack: Stack, sender: str, figures: Figures
) -> None:
    assistant, actions = production_stack.assistant, production_stack.services["actions"]
    verify_camille(assistant, sender)
    actions.kill()
    try:
        during = assistant.texts(sender, "c'est combien mon solde ?")
    finally:
        actions.start()
        actions.wait_until_up()
    after = assistant.texts(sender, "c'est combien mon solde ?")

    contact = support_contact("FR")
    assert during == [expected("utter_assistant_unavailable", "fr", phone=contact.phone, email=contact.email)]
    assert balance_text(assistant) in after  # still verified: the conversation went on
    figures["answer while down"] = "apology + offer of a human"
    figures["after restart"] = "balance, still verified"


@pytest.mark.reliability("Faults", f"billing database unavailable {OUTAGE_S} s")
def test_the_billing_database_unavailable(production_stack: Stack, sender: str, figures: Figures) -> None:
    assistant = production_stack.assistant
    verify_camille(assistant, sender)
    database = make_url(assistant.engine.url.render_as_string(hide_password=False)).database
    admin = create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT", future=True)
    answers_during: list[list[str]] = []
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": database},
            )
        down_until = time.monotonic() + OUTAGE_S
        while time.monotonic() < down_until:
            answers_during.append(assistant.texts(sender, "c'est combien mon solde ?"))
            time.sleep(1)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        admin.dispose()
    after = assistant.texts(sender, "c'est combien mon solde ?")

    unavailable = expected("utter_backend_unavailable", "fr")
    assert answers_during and all(answer == [unavailable] for answer in answers_during), answers_during
    assert production_stack.services["actions"].process is not None
    assert production_stack.services["actions"].process.poll() is None, "the action server crashed"
    assert balance_text(assistant) in after
    figures["messages during the outage"] = len(answers_during)
    figures["answer"] = "backend unavailable + offer of a human"
    figures["after"] = "balance"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    yield server
    server.stop()


@pytest.mark.reliability("Faults", "Redis (lock store) down")
def test_redis_down(model: str, own_redis: OwnRedis, sender: str, figures: Figures) -> None:
    own_redis.start()
    with fresh_database("billing_redis") as billing_url, fresh_database("tracker_redis") as tracker_url:
        env = {**production_env(tracker_url, own_redis.url(1))}
        layout = Layout(endpoints="endpoints.production.yml")
        with running_stack(own_redis.workdir, billing_url, model, layout, env) as stack:
            assistant = stack.assistant
            verify_camille(assistant, sender)
            own_redis.stop()
            during = assistant.texts(sender, "c'est combien mon solde ?")
            own_redis.start()
            after = assistant.texts(sender, "c'est combien mon solde ?")
            log = stack.services["rasa"].log.read_text(encoding="utf-8", errors="replace")
            balance = balance_text(assistant)

    assert balance in during
    assert balance in after
    assert "lock_store.unreachable" in log and "lock_store.recovered" in log
    figures["while down"] = "answered (lock held by the instance)"
    figures["after"] = "answered, Redis lock again"
