"""Load: 1,000 conversations of 10 messages, 50 at a time, through nginx onto the serving layout of the
benchmark (bench/serving.py: two Rasa instances, two action-server workers, the PostgreSQL tracker store
and billing database, the Redis lock store). Every message answered (HTTP 200 and a reply), no 5xx, and
each customer message recorded exactly once, in the order sent, in the tracker store's `events` table."""

from __future__ import annotations

import asyncio
import collections
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from bench.load import Conversation, billing_conversations, run_load
from bench.serving import LAYOUT
from tests.postgres import fresh_database
from tests.reliability.report import Figures
from tests.stack import Stack, production_env, running_stack

CONVERSATIONS = 1_000
MESSAGES_EACH = 10
AT_ONCE = 50
PREFIX = "load"


@pytest.fixture(scope="module")
def serving_stack(model: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with fresh_database("billing_load") as billing_url, fresh_database("tracker_load") as tracker_url:
        workdir = tmp_path_factory.mktemp("load")
        with running_stack(workdir, billing_url, model, LAYOUT, production_env(tracker_url)) as stack:
            stack.tracker_url = tracker_url
            yield stack


def recorded_user_texts(tracker_url: str) -> dict[str, list[str]]:
    """Per conversation of the load, the texts of its user events in the order stored."""
    engine = create_engine(tracker_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT sender_id, data FROM events "
                    "WHERE type_name = 'user' AND sender_id LIKE :prefix ORDER BY id"
                ),
                {"prefix": f"{PREFIX}-%"},
            )
            recorded: dict[str, list[str]] = collections.defaultdict(list)
            for sender_id, data in rows:
                recorded[sender_id].append(json.loads(data).get("text") or "")
            return recorded
    finally:
        engine.dispose()


@pytest.mark.reliability(
    "Load", f"{CONVERSATIONS:,} conversations of {MESSAGES_EACH} messages, {AT_ONCE} at a time"
)
def test_every_message_answered_and_recorded_once(serving_stack: Stack, figures: Figures) -> None:
    conversations: list[Conversation] = billing_conversations(
        CONVERSATIONS, seed=11, prefix=PREFIX, length=MESSAGES_EACH
    )
    assistant = serving_stack.assistant
    result = asyncio.run(run_load(assistant.base_url, assistant.rest_token, conversations, AT_ONCE))
    recorded = recorded_user_texts(serving_stack.tracker_url)

    sent = {c.sender: list(c.messages) for c in conversations}
    empty_replies = sum(1 for replies in result.replies.values() for reply in replies if not reply)
    not_recorded_once = [sender for sender, texts in sent.items() if recorded.get(sender) != texts]
    server_errors = sum(count for status, count in result.statuses.items() if status >= 500)
    figures["messages"] = result.messages
    figures["answered"] = len(result.latencies_s) - empty_replies
    figures["5xx"] = server_errors
    figures["recorded exactly once, in order"] = f"{len(sent) - len(not_recorded_once)}/{len(sent)}"
    figures["p95 ms"] = round(result.percentile_ms(95))
    figures["msg/s"] = round(result.throughput, 1)

    assert result.messages == CONVERSATIONS * MESSAGES_EACH
    assert server_errors == 0, result.statuses
    assert result.errors == [], collections.Counter(result.errors)
    assert empty_replies == 0
    assert not not_recorded_once, {s: (sent[s], recorded.get(s)) for s in not_recorded_once[:3]}
