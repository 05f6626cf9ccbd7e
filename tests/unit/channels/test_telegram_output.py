"""The Telegram output channel (bot/channels/telegram_output.py) against a fake Bot API on 127.0.0.1:
what Telegram receives (methods, fields, files), retries after 429 and 5xx, and what a final failure
does to an agent's message and to the bot's own reply. Retry delays are recorded, not slept."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.channels.delivery import REJECTED, UNREACHABLE, DeliveryFailed
from bot.channels.retry import RetryPolicy
from bot.channels.splitting import utf16_length
from bot.channels.telegram_channel import TelegramInput
from bot.channels.telegram_output import TelegramOutput
from bot.channels.telegram_settings import TelegramSettings
from tests.fakes.http_api import Answer, FakeApi, RecordedRequest
from tests.fakes.telegram_api import BOT_USER, method_of, server_error, too_many_requests
from tests.unit.channels.conftest import Sleeps
from tests.unit.web.conftest import logged_text

TOKEN = "123456789:unit-test-token-AbCdEf"
SECRET = "unit-test-webhook-secret"
BASE_DELAY_S = 0.01
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
INVOICE_PATH = "/invoices/FAC-2026-0001.pdf"
CHAT = 4242
RECIPIENT = f"telegram-{CHAT}"


def settings_for(telegram_api: FakeApi, **overrides: Any) -> TelegramSettings:
    values: dict[str, Any] = {
        "bot_token": TOKEN,
        "webhook_secret": SECRET,
        "api_url": telegram_api.url,
        "retry": RetryPolicy(attempts=3, base_delay_s=BASE_DELAY_S, max_retry_after_s=5),
        "download_timeout_s": 10,
        **overrides,
    }
    return TelegramSettings(**values)


def sent(telegram_api: FakeApi, method: str, chat_id: int = CHAT) -> list[dict[str, Any]]:
    """The fields of the calls of `method` for `chat_id` that Telegram accepted (answered 200)."""
    return [
        fields
        for request in telegram_api.calls(f"/{method}")
        if (fields := request.fields()).get("chat_id") == str(chat_id)
    ]


def keyboard_of(fields: dict[str, Any]) -> list[list[dict[str, str]]] | None:
    markup = fields.get("reply_markup")
    return json.loads(markup)["inline_keyboard"] if isinstance(markup, str) else None


def methods(telegram_api: FakeApi) -> list[str]:
    return [method_of(request) for request in telegram_api.requests if method_of(request) != "getMe"]


@pytest.fixture(scope="module")
def files() -> Iterator[str]:
    """A web server with one invoice PDF (the portal's invoice link), 404 for anything else."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != INVOICE_PATH:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Length", str(len(PDF)))
            self.end_headers()
            self.wfile.write(PDF)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def make_output(settings: TelegramSettings, sleeps: Sleeps) -> tuple[TelegramInput, TelegramOutput]:
    channel = TelegramInput(settings, sleep=sleeps)
    output = channel.get_output_channel()
    assert isinstance(output, TelegramOutput)
    return channel, output


@pytest.fixture
async def output(telegram_api: FakeApi, sleeps: Sleeps) -> AsyncIterator[TelegramOutput]:
    channel, made = await make_output(settings_for(telegram_api), sleeps)
    yield made
    assert channel.client is not None
    await channel.client.close()


def invoice(files: str, text: str, **extra: Any) -> dict[str, Any]:
    attachment = {"type": "file", "url": f"{files}{INVOICE_PATH}", "name": "FAC-2026-0001.pdf"}
    return {"text": text, "attachment": attachment, **extra}


BUTTONS = [
    {"title": "Par e-mail", "payload": '/inform{"choice":"email"}'},
    {"title": "Par SMS", "payload": '/inform{"choice":"sms"}'},
]


async def test_a_reply_is_sent_as_plain_text_to_the_chat(
    telegram_api: FakeApi, output: TelegramOutput
) -> None:
    await output.send_response(RECIPIENT, {"text": "Votre facture <b>n'est</b> pas due & rien à payer."})
    (fields,) = sent(telegram_api, "sendMessage")
    assert fields["text"] == "Votre facture <b>n'est</b> pas due & rien à payer."
    assert "parse_mode" not in fields and "reply_markup" not in fields
    assert methods(telegram_api) == ["sendMessage"]
    assert len(telegram_api.calls("/getMe")) == 1  # the Bot is initialized once, before its first call
    await output.send_response(RECIPIENT, {"text": "encore"})
    assert len(telegram_api.calls("/getMe")) == 1
    assert all(f"/bot{TOKEN}/" in request.path for request in telegram_api.requests)


async def test_buttons_are_an_inline_keyboard_one_per_row(
    telegram_api: FakeApi, output: TelegramOutput
) -> None:
    await output.send_response(RECIPIENT, {"text": "Comment ?", "buttons": BUTTONS})
    (fields,) = sent(telegram_api, "sendMessage")
    assert keyboard_of(fields) == [
        [{"text": "Par e-mail", "callback_data": '/inform{"choice":"email"}'}],
        [{"text": "Par SMS", "callback_data": '/inform{"choice":"sms"}'}],
    ]


async def test_a_payload_too_long_for_a_button_is_replaced_by_its_index(
    telegram_api: FakeApi, output: TelegramOutput, logged: pytest.LogCaptureFixture
) -> None:
    long_payload = '/inform{"invoice_number":"FAC-2026-000000000001","choice":"second_copy_by_email"}'
    buttons = [
        {"title": "Oui", "payload": "/affirm"},
        {"title": "Une copie par e-mail", "payload": long_payload},
    ]
    await output.send_response(RECIPIENT, {"text": "Laquelle ?", "buttons": buttons})
    (fields,) = sent(telegram_api, "sendMessage")
    assert keyboard_of(fields) == [
        [{"text": "Oui", "callback_data": "/affirm"}],
        [{"text": "Une copie par e-mail", "callback_data": "t:1"}],
    ]
    assert "telegram.button_payload_too_long" in logged.messages


async def test_a_long_text_is_split_at_telegrams_limit_with_the_buttons_on_the_last_part(
    telegram_api: FakeApi, output: TelegramOutput
) -> None:
    paragraph = "Détail de votre facture 😀 " * 60  # emoji: two UTF-16 units each
    text = "\n\n".join(paragraph.strip() for _ in range(6))
    await output.send_response(RECIPIENT, {"text": text, "buttons": BUTTONS})
    parts = sent(telegram_api, "sendMessage")
    assert len(parts) >= 3
    assert all(utf16_length(str(part["text"])) <= 4096 for part in parts)
    assert "".join(str(part["text"]) for part in parts).replace("\n", "") == text.replace("\n", "")
    assert [keyboard_of(part) is not None for part in parts] == [False] * (len(parts) - 1) + [True]


async def test_an_invoice_is_sent_as_a_document_with_the_text_as_caption(
    telegram_api: FakeApi, output: TelegramOutput, files: str
) -> None:
    await output.send_response(
        RECIPIENT, invoice(files, "Voici votre facture FAC-2026-0001.", buttons=BUTTONS)
    )
    (fields,) = sent(telegram_api, "sendDocument")
    assert fields["document"] == PDF
    assert fields["caption"] == "Voici votre facture FAC-2026-0001."
    assert keyboard_of(fields) is not None
    assert methods(telegram_api) == ["sendDocument"]
    (upload,) = telegram_api.calls("/sendDocument")
    assert 'filename="FAC-2026-0001.pdf"' in upload.body.decode("latin-1")


async def test_a_text_too_long_for_a_caption_goes_first_then_the_document_with_the_buttons(
    telegram_api: FakeApi, output: TelegramOutput, files: str
) -> None:
    text = "Votre facture du mois. " * 60  # > 1024
    await output.send_response(RECIPIENT, invoice(files, text, buttons=BUTTONS))
    assert methods(telegram_api) == ["sendMessage", "sendDocument"]
    (message,) = sent(telegram_api, "sendMessage")
    (document,) = sent(telegram_api, "sendDocument")
    assert message["text"] == text.strip() and keyboard_of(message) is None
    assert document["document"] == PDF and "caption" not in document and keyboard_of(document) is not None


@pytest.mark.parametrize("problem", ["missing", "too_large"])
async def test_when_the_document_cannot_be_fetched_the_text_with_its_link_still_goes_out(
    telegram_api: FakeApi, sleeps: Sleeps, files: str, logged: pytest.LogCaptureFixture, problem: str
) -> None:
    channel, output = await make_output(settings_for(telegram_api, max_document_bytes=len(PDF) - 1), sleeps)
    message = invoice(files, f"Votre facture : {files}{INVOICE_PATH}", buttons=BUTTONS)
    if problem == "missing":
        message["attachment"]["url"] = f"{files}/invoices/unknown.pdf"
    await output.send_response(RECIPIENT, message)
    (fields,) = sent(telegram_api, "sendMessage")
    assert fields["text"] == message["text"] and keyboard_of(fields) is not None
    assert telegram_api.calls("/sendDocument") == []
    assert "telegram.document_unavailable" in logged.messages
    assert channel.client is not None
    await channel.client.close()


async def test_an_agents_message_starts_with_the_agents_name_in_bold(
    telegram_api: FakeApi, output: TelegramOutput
) -> None:
    handoff = {"handoff": {"event": "agent_message", "agent": "Camille <Support>"}}
    await output.send_response(RECIPIENT, {"text": "Bonjour, 3 < 4 & c'est réglé.", "custom": handoff})
    joined = {"handoff": {"event": "agent_joined", "agent": "Camille"}}
    await output.send_response(RECIPIENT, {"text": "Camille a rejoint la discussion.", "custom": joined})
    message, notice = sent(telegram_api, "sendMessage")
    assert message["parse_mode"] == "HTML"
    assert message["text"] == "<b>Camille &lt;Support&gt;</b>\nBonjour, 3 &lt; 4 &amp; c'est réglé."
    assert notice["text"] == "Camille a rejoint la discussion." and "parse_mode" not in notice


async def test_a_429_is_retried_after_the_time_telegram_asks(
    telegram_api: FakeApi, output: TelegramOutput, sleeps: Sleeps
) -> None:
    telegram_api.fail(too_many_requests(1), times=1, path_contains="/sendMessage")
    await output.send_response(RECIPIENT, {"text": "Votre solde est de 0 €."})
    assert sleeps.delays == [1.0]
    assert len(telegram_api.calls("/sendMessage")) == 2
    assert [fields["text"] for fields in sent(telegram_api, "sendMessage")] == ["Votre solde est de 0 €."] * 2


async def test_a_429_asking_too_long_waits_the_cap(telegram_api: FakeApi, sleeps: Sleeps) -> None:
    channel, output = await make_output(
        settings_for(
            telegram_api, retry=RetryPolicy(attempts=3, base_delay_s=BASE_DELAY_S, max_retry_after_s=2)
        ),
        sleeps,
    )
    telegram_api.fail(too_many_requests(600), times=1, path_contains="/sendMessage")
    await output.send_response(RECIPIENT, {"text": "ok"})
    assert sleeps.delays == [2.0]
    assert channel.client is not None
    await channel.client.close()


async def test_5xx_answers_are_retried_with_backoff_and_the_message_delivered_once(
    telegram_api: FakeApi, output: TelegramOutput, sleeps: Sleeps
) -> None:
    telegram_api.fail(server_error(502), times=2, path_contains="/sendMessage")
    await output.send_response(RECIPIENT, {"text": "Votre paiement est bien reçu."})
    assert sleeps.delays == [BASE_DELAY_S, 2 * BASE_DELAY_S]
    assert len(telegram_api.calls("/sendMessage")) == 3


async def test_a_part_that_went_out_is_never_sent_again(sleeps: Sleeps) -> None:
    """Three parts; the second fails once: only that call is made again, and the parts keep their order."""
    failed: list[str] = []

    def second_part_fails_once(request: RecordedRequest) -> Answer:
        if method_of(request) == "getMe":
            return Answer(200, {"ok": True, "result": BOT_USER})
        part = str(request.fields()["text"])[:8]
        if part == "Partie 1" and not failed:
            failed.append(part)
            return server_error(500)
        message = {"message_id": len(failed) + 1, "date": 0, "chat": {"id": CHAT, "type": "private"}}
        return Answer(200, {"ok": True, "result": message})

    telegram_api = FakeApi(second_part_fails_once).start()
    try:
        channel, output = await make_output(settings_for(telegram_api), sleeps)
        await output.send_response(
            RECIPIENT, {"text": "\n\n".join(f"Partie {i} " + "x" * 3000 for i in range(3))}
        )
        assert channel.client is not None
        await channel.client.close()
    finally:
        telegram_api.stop()
    attempts = [str(fields["text"])[:8] for fields in sent(telegram_api, "sendMessage")]
    assert attempts == ["Partie 0", "Partie 1", "Partie 1", "Partie 2"]


async def test_an_agents_message_that_keeps_failing_raises_delivery_failed(
    telegram_api: FakeApi, output: TelegramOutput, sleeps: Sleeps
) -> None:
    telegram_api.fail(server_error(502), times=3, path_contains="/sendMessage")
    agent = {"custom": {"handoff": {"event": "agent_message", "agent": "Camille"}}}
    with pytest.raises(DeliveryFailed) as failure:
        await output.send_response(RECIPIENT, {"text": "Je regarde.", **agent})
    assert failure.value.reason == UNREACHABLE
    assert len(telegram_api.calls("/sendMessage")) == 3 and len(sleeps.delays) == 2


async def test_a_bot_reply_that_keeps_failing_is_logged_not_raised(
    telegram_api: FakeApi, output: TelegramOutput, logged: pytest.LogCaptureFixture
) -> None:
    telegram_api.fail(server_error(503), times=3, path_contains="/sendMessage")
    await output.send_response(RECIPIENT, {"text": "Bonjour !"})
    assert len(telegram_api.calls("/sendMessage")) == 3
    failures = [r for r in logged.records if r.getMessage() == "telegram.delivery_failed"]
    assert failures and {getattr(r, "reason", None) for r in failures} == {UNREACHABLE}
    assert TOKEN not in logged_text(logged)
    # httpx logs every request's URL (at INFO), which holds the token: masked.
    requests_logged = [r.getMessage() for r in logged.records if r.name == "httpx"]
    assert requests_logged and all(TOKEN not in m and "/bot<token>/" in m for m in requests_logged)


@pytest.mark.parametrize(
    ("status", "description"),
    [(403, "Forbidden: bot was blocked by the user"), (400, "Bad Request: chat not found")],
)
async def test_a_refusal_is_not_retried(
    telegram_api: FakeApi, output: TelegramOutput, sleeps: Sleeps, status: int, description: str
) -> None:
    telegram_api.fail(
        Answer(status, {"ok": False, "error_code": status, "description": description}), path_contains="/send"
    )
    agent = {"custom": {"handoff": {"event": "agent_message", "agent": "Camille"}}}
    with pytest.raises(DeliveryFailed) as failure:
        await output.send_response(RECIPIENT, {"text": "Je regarde.", **agent})
    assert failure.value.reason == REJECTED
    assert len(telegram_api.calls("/sendMessage")) == 1 and sleeps.delays == []


async def test_a_rejected_token_is_never_logged(
    telegram_api: FakeApi, sleeps: Sleeps, logged: pytest.LogCaptureFixture
) -> None:
    """PTB names the token in the error of an initialization the server refused."""
    channel, output = await make_output(settings_for(telegram_api), sleeps)
    telegram_api.fail(
        Answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"}), path_contains="/getMe"
    )
    await output.send_response(RECIPIENT, {"text": "Bonjour !"})
    assert "telegram.delivery_failed" in logged.messages
    assert TOKEN not in logged_text(logged)
    assert channel.client is not None
    await channel.client.close()


async def test_a_conversation_of_another_channel_is_not_sent_to(
    telegram_api: FakeApi, output: TelegramOutput
) -> None:
    await output.send_response("web-abc", {"text": "Bonjour"})
    with pytest.raises(DeliveryFailed) as failure:
        await output.send_response(
            "web-abc", {"text": "Bonjour", "custom": {"handoff": {"event": "agent_joined"}}}
        )
    assert failure.value.reason == REJECTED
    assert methods(telegram_api) == []


async def test_an_answer_the_library_cannot_read_is_a_failure_too(
    telegram_api: FakeApi, output: TelegramOutput, logged: pytest.LogCaptureFixture
) -> None:
    """Not a Telegram error: the bot's reply is dropped (logged), an agent's message is reported."""
    garbled = Answer(200, {"ok": True, "result": "not a message"})
    telegram_api.fail(garbled, times=2, path_contains="/sendMessage")
    await output.send_response(RECIPIENT, {"text": "Bonjour !"})
    assert "telegram.delivery_failed" in logged.messages
    agent = {"custom": {"handoff": {"event": "agent_message", "agent": "Camille"}}}
    with pytest.raises(DeliveryFailed) as failure:
        await output.send_response(RECIPIENT, {"text": "Je regarde.", **agent})
    assert failure.value.reason == UNREACHABLE
