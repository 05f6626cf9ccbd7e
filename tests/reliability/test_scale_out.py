"""Two Rasa instances behind nginx (deploy/nginx/billing-assistant.conf) on the real PostgreSQL and Redis:
a conversation goes on when its messages land on different instances, and concurrent messages of one
conversation are handled one at a time, in the order they arrived."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator

import pytest

from bot import i18n
from tests.conversation.replies import expected
from tests.postgres import fresh_database
from tests.reliability.report import Figures
from tests.stack import NGINX_ACCESS_LOG, Layout, Stack, production_env, running_stack


@pytest.fixture(scope="module")
def two_instances(model: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with fresh_database("billing_scale") as billing_url, fresh_database("tracker_scale") as tracker_url:
        workdir = tmp_path_factory.mktemp("scale-out")
        layout = Layout(endpoints="endpoints.production.yml", rasa_instances=2, load_balancer=True)
        env = {**production_env(tracker_url), "WIDGET_SOCKETIO_REDIS_URL": "redis://127.0.0.1:6379/2"}
        with running_stack(workdir, billing_url, model, layout, env) as stack:
            yield stack


@pytest.mark.reliability("Scale-out", "a conversation continues across instances")
def test_a_conversation_continues_when_its_messages_land_on_different_instances(
    two_instances: Stack, sender: str, figures: Figures
) -> None:
    first, second = (
        dataclasses.replace(two_instances.assistant, base_url=url) for url in two_instances.instance_urls
    )
    first.texts(sender, "Bonjour, c'est combien mon solde ?")
    second.texts(sender, "482130")
    confirmed = first.texts(sender, "75011")
    balance_reply = second.texts(sender, "et mon solde ?")

    assistant = two_instances.assistant
    summary = assistant.backend.get_account_summary(assistant.customer_id("482130"), assistant.today)
    assert confirmed[0] == expected("utter_identity_confirmed", "fr", customer_name="Camille")
    balance = (
        expected("utter_balance", "fr", balance=i18n.money_value(summary.balance, "EUR"))
        if summary.balance > 0
        else expected("utter_balance_zero", "fr")
    )
    assert balance in balance_reply
    through_nginx = assistant.texts(sender, "merci beaucoup")
    assert through_nginx, "the load balancer answered nothing"
    # the HTTP API's token travels as ?token=: the access log leaves query strings out
    assistant.tracker(sender)
    access_log = (two_instances.services["nginx"].log.parent / NGINX_ACCESS_LOG).read_text(encoding="utf-8")
    assert f"/conversations/{sender}/tracker" in access_log and assistant.token not in access_log
    figures["instances"] = len(two_instances.instance_urls)
    figures["messages"] = sum(e["event"] == "user" for e in assistant.tracker(sender)["events"])


@pytest.mark.reliability("Scale-out", "concurrent messages of one conversation, one at a time")
def test_concurrent_messages_of_one_conversation_are_handled_in_order(
    two_instances: Stack, sender: str, figures: Figures
) -> None:
    assistant = two_instances.assistant
    messages = [
        "bonjour",
        "quand est-ce que la facture arrive ?",
        "c'est quand le prélèvement ?",
        "comment payer ma facture ?",
        "vous avez des frais de retard ?",
        "merci",
    ]
    statuses: dict[int, int] = {}
    replies: dict[int, list[object]] = {}

    def post(index: int) -> None:
        response = assistant.post_message(sender, messages[index], timeout=120)
        statuses[index] = response.status_code
        replies[index] = response.json() if response.status_code == 200 else []

    threads = []
    for index in range(len(messages)):  # all in flight at once, arriving in this order
        thread = threading.Thread(target=post, args=(index,))
        thread.start()
        threads.append(thread)
        time.sleep(0.03)
    for thread in threads:
        thread.join()

    events = assistant.tracker(sender)["events"]
    user_turns = [e["text"] for e in events if e["event"] == "user"]
    assert statuses == dict.fromkeys(range(len(messages)), 200)
    # Rasa's REST channel answers 200 with no reply when handling failed (a lock not obtained, for one).
    assert [index for index, reply in replies.items() if not reply] == []
    # Each recorded once. Their order is the order in which they reached the lock: an instance busy with
    # another message reads a request later, so it need not be the order in which they were sent.
    assert sorted(user_turns) == sorted(messages)
    # Handled one at a time: each message's turn ends (the bot listens again) before the next one starts.
    kinds = [
        "user" if e["event"] == "user" else "listen"
        for e in events
        if e["event"] == "user" or (e["event"] == "action" and e["name"] == "action_listen")
    ]
    first_user = kinds.index("user")
    assert kinds[first_user:] == ["user", "listen"] * len(messages)
    figures["messages in flight"] = len(messages)
    figures["recorded"] = "each once, none interleaved"
    figures["sent order kept"] = "yes" if user_turns == messages else "no (arrival order at the lock)"
