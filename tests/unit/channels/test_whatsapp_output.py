"""The WhatsApp output channel and its sender, against a fake Twilio REST API on 127.0.0.1: what Twilio
receives (numbered options, parts, media, templates), the retries (429, 5xx, connection refused, a
timeout), and the 24-hour window for the agent console's messages."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.delivery import REJECTED, UNREACHABLE, WINDOW_CLOSED, DeliveryFailed
from bot.channels.messages import Button
from bot.channels.retry import RetryPolicy
from bot.channels.splitting import utf16_length
from bot.channels.whatsapp_output import WhatsAppOutput
from bot.channels.whatsapp_sender import MAX_CONCURRENT_REQUESTS, OutgoingMessage, TwilioSender
from bot.channels.whatsapp_settings import WhatsAppSettings
from tests.fakes.http_api import Answer, FakeApi, RecordedRequest
from tests.fakes.twilio_api import MESSAGES_PATH, create_message, too_many_requests, twilio_error
from tests.unit.channels.conftest import Clock
from tests.unit.web.conftest import logged_text

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-whatsapp-auth-token"
FROM = "whatsapp:+14155238886"
PUBLIC_BASE_URL = "https://bot.example.test"
FAST_RETRIES = RetryPolicy(attempts=4, base_delay_s=0.01)
NOW = 1_800_000_000.0
HOUR = 3600.0
BR_SENDER = "whatsapp-+5511987654321"
BR_ADDRESS = "whatsapp:+5511987654321"
FR_SENDER = "whatsapp-+33612345678"
TEMPLATES = {"pt": "HX" + "a" * 32, "fr": "HX" + "b" * 32}


def make_settings(api_url: str, templates: dict[str, str] | None = None) -> WhatsAppSettings:
    return WhatsAppSettings(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        from_address=FROM,
        api_url=api_url,
        public_base_url=PUBLIC_BASE_URL,
        agent_templates=templates or {},
    )


def sent(twilio_api: FakeApi, to: str | None = None) -> list[dict[str, str | bytes]]:
    """The fields of every message Twilio was asked to create (to `to`), in order."""
    messages = [request.fields() for request in twilio_api.calls(MESSAGES_PATH)]
    return [fields for fields in messages if to is None or fields.get("To") == to]


def agent_message(text: str, event: str = "agent_message", agent: str = "Camille") -> dict[str, Any]:
    """A bot message as the agent console sends it through Rasa's HTTP API."""
    return {"text": text, "custom": {"handoff": {"event": event, "agent": agent}}}


def tracker_of(sender_id: str, wrote_at: float | None, language: str | None = None) -> DialogueStateTracker:
    events: list[Any] = [UserUttered("Olá", timestamp=wrote_at)] if wrote_at is not None else []
    if language:
        events.append(SlotSet("language", language))
    slots = [TextSlot("language", mappings=[]), TextSlot("channel_language", mappings=[])]
    return DialogueStateTracker.from_events(sender_id, events, slots=slots)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def output(twilio_api: FakeApi, clock: Clock) -> AsyncIterator[WhatsAppOutput]:
    settings = make_settings(twilio_api.url, TEMPLATES)
    made = WhatsAppOutput(settings, TwilioSender(settings, FAST_RETRIES), clock)
    yield made
    await made.sender.idle()  # nothing still in flight when the next test resets the fake API
    await made.sender.close()


@pytest.fixture
async def untemplated(twilio_api: FakeApi, clock: Clock) -> AsyncIterator[WhatsAppOutput]:
    settings = make_settings(twilio_api.url)
    made = WhatsAppOutput(settings, TwilioSender(settings, FAST_RETRIES), clock)
    yield made
    await made.sender.idle()  # nothing still in flight when the next test resets the fake API
    await made.sender.close()


# -- what Twilio receives ---------------------------------------------------------------------------
async def test_a_reply_is_a_twilio_message_from_the_channel_number(
    output: WhatsAppOutput, twilio_api: FakeApi
) -> None:
    await output.send_text_message(BR_SENDER, "Olá!")
    await output.sender.idle()
    (message,) = sent(twilio_api)
    assert message["To"] == BR_ADDRESS and message["From"] == FROM and message["Body"] == "Olá!"
    assert message["StatusCallback"] == f"{PUBLIC_BASE_URL}/webhooks/whatsapp/status"
    (request,) = twilio_api.calls(MESSAGES_PATH)
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.headers["Authorization"].startswith("Basic ")


async def test_buttons_become_a_numbered_list_and_are_remembered(
    output: WhatsAppOutput, twilio_api: FakeApi
) -> None:
    buttons = [
        {"title": "Meu saldo", "payload": "/check_balance"},
        {"title": "Falar com um atendente", "payload": "/request_human"},
    ]
    await output.send_text_with_buttons(BR_SENDER, "Como posso ajudar?", buttons)
    await output.sender.idle()
    (message,) = sent(twilio_api)
    assert message["Body"] == "Como posso ajudar?\n\n1. Meu saldo\n2. Falar com um atendente"
    assert await output.offered_options(BR_SENDER) == [
        Button("Meu saldo", "/check_balance"),
        Button("Falar com um atendente", "/request_human"),
    ]
    assert await output.offered_options(FR_SENDER) == []


async def test_options_are_forgotten_after_a_day(output: WhatsAppOutput, clock: Clock) -> None:
    await output.send_response(BR_SENDER, {"text": "?", "buttons": [{"title": "Sim", "payload": "/affirm"}]})
    clock.now += 23 * HOUR
    assert await output.offered_options(BR_SENDER) == [Button("Sim", "/affirm")]
    clock.now += 2 * HOUR
    assert await output.offered_options(BR_SENDER) == []


async def test_a_long_text_goes_out_in_parts_in_order(output: WhatsAppOutput, twilio_api: FakeApi) -> None:
    paragraphs = [f"Paragraphe {index}. " + "mot " * 150 for index in range(12)]  # ~7,500 characters
    text = "\n\n".join(paragraph.strip() for paragraph in paragraphs)
    await output.send_text_message(FR_SENDER, text)
    await output.send_text_message(FR_SENDER, "Et après.")
    await output.sender.idle()
    bodies = [str(message["Body"]) for message in sent(twilio_api)]
    assert len(bodies) > 3 and all(len(body) <= 1600 for body in bodies[:-1])
    assert "\n\n".join(bodies[:-1]) == text  # cut between paragraphs, nothing lost, in order
    assert bodies[-1] == "Et après."


async def test_an_emoji_counts_twice_towards_the_limit(output: WhatsAppOutput, twilio_api: FakeApi) -> None:
    text = ("😀 " * 600).strip()  # 1,199 characters, 1,799 UTF-16 code units
    await output.send_text_message(FR_SENDER, text)
    await output.sender.idle()
    bodies = [str(message["Body"]) for message in sent(twilio_api)]
    assert len(bodies) == 2 and all(utf16_length(body) <= 1600 for body in bodies)


async def test_an_invoice_goes_out_as_media_with_its_text(
    output: WhatsAppOutput, twilio_api: FakeApi
) -> None:
    url = "https://bot.example.test/invoices/FAC-2026-0001.pdf?token=abc"
    message = {"text": "Voici votre facture.", "attachment": {"type": "file", "url": url, "name": "FAC.pdf"}}
    await output.send_response(FR_SENDER, message)
    await output.sender.idle()
    (fields,) = sent(twilio_api)
    assert fields["MediaUrl"] == url and fields["Body"] == "Voici votre facture."


async def test_the_bot_replies_are_queued_not_awaited(output: WhatsAppOutput, twilio_api: FakeApi) -> None:
    await output.send_text_message(BR_SENDER, "um")
    await output.send_text_message(BR_SENDER, "dois")
    assert sent(twilio_api) == []  # Rasa got control back before Twilio was called
    await output.sender.idle()
    assert [message["Body"] for message in sent(twilio_api)] == ["um", "dois"]


# -- retries -----------------------------------------------------------------------------------------
async def test_a_429_is_retried_once_without_a_duplicate(output: WhatsAppOutput, twilio_api: FakeApi) -> None:
    twilio_api.fail(too_many_requests(), times=1, path_contains=MESSAGES_PATH)
    await output.send_text_message(BR_SENDER, "uma vez só")
    await output.send_text_message(BR_SENDER, "depois")
    await output.sender.idle()
    assert [message["Body"] for message in sent(twilio_api)] == ["uma vez só", "uma vez só", "depois"]


async def test_server_errors_are_retried_then_delivered(output: WhatsAppOutput, twilio_api: FakeApi) -> None:
    await output.customer_wrote(BR_SENDER)
    twilio_api.fail(twilio_error(500), times=2, path_contains=MESSAGES_PATH)
    await output.send_response(BR_SENDER, agent_message("Bonjour"))  # awaited: raises if it failed
    assert len(sent(twilio_api)) == 3


async def test_a_retry_resends_only_the_failed_part(output: WhatsAppOutput, twilio_api: FakeApi) -> None:
    text = "A" * 1500 + "\n\n" + "B" * 1500
    await output.send_text_message(BR_SENDER, text)
    await output.sender.idle()
    twilio_api.reset()
    twilio_api.fail(twilio_error(503), times=1, path_contains=MESSAGES_PATH)
    await output.send_text_message(BR_SENDER, text)
    await output.sender.idle()
    assert [str(message["Body"])[0] for message in sent(twilio_api)] == ["A", "A", "B"]


async def test_a_reply_that_keeps_failing_is_logged_not_raised(
    output: WhatsAppOutput, twilio_api: FakeApi, logged: pytest.LogCaptureFixture
) -> None:
    twilio_api.fail(twilio_error(500, 20500), times=10, path_contains=MESSAGES_PATH)
    await output.send_text_message(BR_SENDER, "perdida")
    await output.sender.idle()
    assert len(sent(twilio_api)) == FAST_RETRIES.attempts
    failures = {
        id(record): record for record in logged.records if record.getMessage() == "whatsapp.delivery_failed"
    }
    (failure,) = failures.values()  # once, however many attempts
    assert vars(failure)["error_code"] == 20500 and vars(failure)["outcome"] == "unreachable"
    assert "987654321" not in logged_text(logged)  # the number is masked


async def test_an_agent_message_that_keeps_failing_raises(
    output: WhatsAppOutput, twilio_api: FakeApi
) -> None:
    await output.customer_wrote(BR_SENDER)
    twilio_api.fail(twilio_error(502), times=10, path_contains=MESSAGES_PATH)
    with pytest.raises(DeliveryFailed) as failed:
        await output.send_response(BR_SENDER, agent_message("Bonjour"))
    assert failed.value.reason == UNREACHABLE
    assert len(sent(twilio_api)) == FAST_RETRIES.attempts


async def test_a_refused_message_is_not_retried(output: WhatsAppOutput, twilio_api: FakeApi) -> None:
    await output.customer_wrote(BR_SENDER)
    twilio_api.fail(
        twilio_error(400, 21211, "Invalid 'To' Phone Number"), times=1, path_contains=MESSAGES_PATH
    )
    with pytest.raises(DeliveryFailed) as failed:
        await output.send_response(BR_SENDER, agent_message("Bonjour"))
    assert failed.value.reason == REJECTED
    assert len(sent(twilio_api)) == 1


async def test_an_unreachable_api_is_retried_and_reported(clock: Clock) -> None:
    closed = FakeApi(lambda request: Answer(200, {})).start()
    closed.stop()  # nothing listens on its port any more: connections are refused
    settings = make_settings(closed.url)
    output = WhatsAppOutput(settings, TwilioSender(settings, FAST_RETRIES), clock)
    await output.customer_wrote(BR_SENDER)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await output.send_response(BR_SENDER, agent_message("Bonjour"))
    finally:
        await output.sender.close()
    assert failed.value.reason == UNREACHABLE


async def test_a_request_without_an_answer_is_not_retried(
    clock: Clock, logged: pytest.LogCaptureFixture
) -> None:
    """Twilio may have created the message: sending it again could deliver it twice."""
    release = threading.Event()
    received: list[RecordedRequest] = []

    def stalled(request: RecordedRequest) -> Answer:
        received.append(request)
        release.wait(10)
        return Answer(201, {"sid": "SM1"})

    slow = FakeApi(stalled).start()
    settings = make_settings(slow.url)
    output = WhatsAppOutput(settings, TwilioSender(settings, FAST_RETRIES, timeout_s=0.2), clock)
    await output.customer_wrote(BR_SENDER)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await output.send_response(BR_SENDER, agent_message("Bonjour"))
    finally:
        release.set()
        await output.sender.close()
        slow.stop()
    assert failed.value.reason == UNREACHABLE
    assert len(received) == 1
    assert "whatsapp.delivery_uncertain" in logged.messages


# -- the agent console's messages and WhatsApp's 24-hour window ------------------------------------
async def test_an_agent_message_within_the_window_is_free_text_signed_by_the_agent(
    output: WhatsAppOutput, twilio_api: FakeApi, clock: Clock
) -> None:
    await output.customer_wrote(BR_SENDER)
    clock.now += 23 * HOUR
    await output.send_response(BR_SENDER, agent_message("Já verifiquei a sua fatura."))
    (message,) = sent(twilio_api)
    assert message["Body"] == "*Camille*\nJá verifiquei a sua fatura."
    assert "ContentSid" not in message


async def test_outside_the_window_without_a_template_the_agent_is_told(
    untemplated: WhatsAppOutput, twilio_api: FakeApi, clock: Clock
) -> None:
    await untemplated.customer_wrote(BR_SENDER)
    clock.now += 25 * HOUR
    with pytest.raises(DeliveryFailed) as failed:
        await untemplated.send_response(BR_SENDER, agent_message("Ainda está aí?"))
    assert failed.value.reason == WINDOW_CLOSED
    assert sent(twilio_api) == []


async def test_outside_the_window_the_template_of_the_language_is_sent(
    output: WhatsAppOutput, twilio_api: FakeApi, clock: Clock
) -> None:
    await output.customer_wrote(BR_SENDER)
    clock.now += 25 * HOUR
    await output.send_response(BR_SENDER, agent_message("Ainda está aí?"))
    (message,) = sent(twilio_api)
    assert message["ContentSid"] == TEMPLATES["pt"]  # no tracker: the phone number's language
    assert json.loads(str(message["ContentVariables"])) == {"1": "Camille", "2": "Ainda está aí?"}
    assert "Body" not in message


async def test_joined_and_left_notices_outside_the_window_are_refused(
    output: WhatsAppOutput, twilio_api: FakeApi
) -> None:
    for event in ("agent_joined", "agent_left"):
        with pytest.raises(DeliveryFailed) as failed:
            await output.send_response(BR_SENDER, agent_message("Camille a rejoint.", event))
        assert failed.value.reason == WINDOW_CLOSED
    assert sent(twilio_api) == []


async def test_the_tracker_tells_when_the_customer_last_wrote_and_the_language(
    output: WhatsAppOutput, twilio_api: FakeApi
) -> None:
    """Nothing in memory (a restart, another instance): Rasa's tracker is asked."""
    trackers = {
        BR_SENDER: tracker_of(BR_SENDER, NOW - HOUR),
        FR_SENDER: tracker_of(FR_SENDER, NOW - 30 * HOUR, language="pt"),
    }

    async def tracker(sender_id: str) -> DialogueStateTracker | None:
        return trackers.get(sender_id)

    output.trackers = tracker
    await output.send_response(BR_SENDER, agent_message("Olá de novo"))
    await output.send_response(FR_SENDER, agent_message("Ainda está aí?"))  # a French number, in Portuguese
    free, template = sent(twilio_api)
    assert free["Body"] == "*Camille*\nOlá de novo"
    assert template["ContentSid"] == TEMPLATES["pt"]


async def test_a_recipient_of_another_channel_is_refused(output: WhatsAppOutput, twilio_api: FakeApi) -> None:
    await output.send_text_message("web-abc", "?")
    with pytest.raises(DeliveryFailed) as failed:
        await output.send_response("telegram-42", agent_message("?"))
    assert failed.value.reason == REJECTED
    await output.sender.idle()
    assert sent(twilio_api) == []


async def test_a_burst_of_conversations_keeps_the_requests_in_flight_bounded() -> None:
    """Hundreds of customers at once must not mean hundreds of connections to Twilio (its concurrency
    limit answers 429): the sender keeps at most MAX_CONCURRENT_REQUESTS in flight, and sends them all."""
    lock, in_flight, peak = threading.Lock(), [0], [0]

    def slow(request: RecordedRequest) -> Answer:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.05)
        with lock:
            in_flight[0] -= 1
        return create_message(request)

    api = FakeApi(slow).start()
    sender = TwilioSender(make_settings(api.url), FAST_RETRIES)
    try:
        recipients = [f"whatsapp:+55119{index:08d}" for index in range(2 * MAX_CONCURRENT_REQUESTS)]
        for to in recipients:
            sender.post([OutgoingMessage(to, body="Olá")])
        await sender.idle()
    finally:
        await sender.close()
        api.stop()
    assert len(api.calls(MESSAGES_PATH)) == len(recipients)
    assert 1 < peak[0] <= MAX_CONCURRENT_REQUESTS
