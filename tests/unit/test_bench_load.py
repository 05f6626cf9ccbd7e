"""The load driver of the benchmarks and the reliability suite (bench/load.py), against a fake REST channel
on 127.0.0.1 that echoes each message (tests/fakes/http_api.py). No timing assertions."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator

import pytest

from bench.load import (
    BILLING_SCRIPTS,
    FOLLOW_UPS,
    GOODBYES,
    Conversation,
    LoadResult,
    billing_conversations,
    fitted,
    run_load,
    stock_conversations,
)
from tests.fakes.http_api import Answer, FakeApi, RecordedRequest
from tests.processes import free_port

TOKEN = "load-token"


def echo(request: RecordedRequest) -> Answer:
    payload = request.json()
    if request.headers.get("Authorization") != f"Bearer {TOKEN}":
        return Answer(401, {"error": "unauthorized"})
    if payload["message"] == "break":
        return Answer(500, {"error": "broken"})
    return Answer(200, [{"recipient_id": payload["sender"], "text": f"echo {payload['message']}"}])


@pytest.fixture
def channel() -> Iterator[FakeApi]:
    api = FakeApi(echo).start()
    yield api
    api.stop()


def conversations(count: int, length: int) -> list[Conversation]:
    return [
        Conversation(f"c{index}", tuple(f"c{index} m{number}" for number in range(length)))
        for index in range(count)
    ]


def sent(api: FakeApi, sender: str) -> list[str]:
    return [r.json()["message"] for r in api.calls("/webhooks/rest/webhook") if r.json()["sender"] == sender]


def test_percentiles_interpolate_between_ranks() -> None:
    result = LoadResult(latencies_s=[n / 100 for n in range(10, 0, -1)], elapsed_s=2.0)
    assert result.percentile_ms(0) == pytest.approx(10)
    assert result.percentile_ms(50) == pytest.approx(55)
    assert result.percentile_ms(95) == pytest.approx(95.5)
    assert result.percentile_ms(100) == pytest.approx(100)
    assert result.throughput == pytest.approx(5)
    assert math.isnan(LoadResult().percentile_ms(50))


async def test_each_conversation_is_sent_in_order_and_its_replies_kept(channel: FakeApi) -> None:
    played = conversations(6, 4)
    result = await run_load(channel.url, TOKEN, played, concurrency=3)

    assert result.errors == []
    assert result.statuses == {200: 24}
    assert result.messages == len(result.latencies_s) == 24
    assert result.elapsed_s > 0 and result.throughput > 0
    for conversation in played:
        assert sent(channel, conversation.sender) == list(conversation.messages)
        texts = [reply[0]["text"] for reply in result.replies[conversation.sender]]
        assert texts == [f"echo {message}" for message in conversation.messages]


async def test_no_more_conversations_in_flight_than_the_concurrency() -> None:
    concurrency = 3
    lock = threading.Lock()
    in_flight = peak = 0
    # the first requests wait for each other: the driver must have `concurrency` of them open at once
    together = threading.Barrier(concurrency)

    def counting(request: RecordedRequest) -> Answer:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
            first_wave = len(api.requests) <= concurrency
        try:
            if first_wave:
                together.wait(timeout=10)
            return echo(request)
        finally:
            with lock:
                in_flight -= 1

    api = FakeApi(counting).start()
    try:
        result = await run_load(api.url, TOKEN, conversations(10, 3), concurrency=concurrency)
    finally:
        api.stop()
    assert result.errors == []
    assert peak == concurrency


async def test_failures_are_counted_and_the_conversation_goes_on(channel: FakeApi) -> None:
    played = [Conversation("a", ("one", "break", "three")), Conversation("b", ("break",))]
    result = await run_load(channel.url, TOKEN, played, concurrency=2)

    assert sorted(result.errors) == ["HTTP 500", "HTTP 500"]
    assert result.statuses == {200: 2, 500: 2}
    assert result.messages == 4 and len(result.latencies_s) == 2
    assert sent(channel, "a") == ["one", "break", "three"]
    assert [reply[0]["text"] for reply in result.replies["a"]] == ["echo one", "echo three"]
    assert "b" not in result.replies


async def test_a_wrong_token_is_an_error_per_message(channel: FakeApi) -> None:
    result = await run_load(channel.url, "wrong", conversations(2, 2), concurrency=2)
    assert result.errors == ["HTTP 401"] * 4
    assert result.throughput == 0


async def test_an_unreachable_server_is_an_error_per_message() -> None:
    result = await run_load(f"http://127.0.0.1:{free_port()}", TOKEN, conversations(1, 2), concurrency=1)
    assert result.errors == ["ConnectError", "ConnectError"]
    assert result.statuses == {}


def test_billing_conversations_mix_languages_with_unique_senders() -> None:
    played = billing_conversations(40, seed=3, prefix="bench")
    assert len({c.sender for c in played}) == 40
    assert all(c.sender.startswith(f"bench-{index}-") for index, c in enumerate(played))
    assert all(5 <= len(c.messages) <= 8 for c in played)
    texts = " ".join(m for c in played for m in c.messages)
    assert "482130" in texts and "731402" in texts  # French and Brazilian customers
    assert [c.messages for c in played] == [c.messages for c in billing_conversations(40, seed=3)]


def test_stock_conversations_have_the_billing_load_shape() -> None:
    billing = billing_conversations(17, seed=5)
    stock = stock_conversations(17, seed=5)
    assert [len(c.messages) for c in stock] == [len(c.messages) for c in billing]
    assert len({c.sender for c in stock}) == 17


def test_conversations_fitted_to_a_length_keep_the_script_and_its_goodbye_last() -> None:
    played = billing_conversations(len(BILLING_SCRIPTS) * 3, seed=7, length=10)
    assert all(len(c.messages) == 10 for c in played)
    for conversation in played:
        script = next(s for s in BILLING_SCRIPTS if s.messages[:3] == conversation.messages[:3])
        extra = [m for m in conversation.messages if m not in script.messages]
        assert extra and set(extra) <= set(FOLLOW_UPS[script.language])
        if script.messages[-1] in GOODBYES:
            assert conversation.messages[-1] == script.messages[-1]
        else:
            assert conversation.messages[: len(script.messages)] == script.messages


def test_a_script_longer_than_the_length_is_refused() -> None:
    longest = max(BILLING_SCRIPTS, key=lambda s: len(s.messages))
    assert fitted(longest, len(longest.messages)) == longest.messages
    with pytest.raises(ValueError):
        fitted(longest, len(longest.messages) - 1)
