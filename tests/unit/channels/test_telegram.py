"""The Telegram channel's webhook (bot/channels/telegram_channel.py) in a Sanic app driven over ASGI,
with a fake Bot API on 127.0.0.1 as Telegram. The Rasa side is a fake `on_new_message` that records the
message and answers through the message's output channel, as Rasa does. Also the settings and the
`telegram-webhook` command."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot import cli
from bot.channels import telegram_settings
from bot.channels.telegram_channel import SECRET_HEADER, TelegramInput
from bot.channels.telegram_settings import TelegramSettings
from bot.redaction import CARD_MASK
from tests.fakes.http_api import FakeApi
from tests.fakes.telegram_updates import click_update, message_update, text_update
from tests.unit.channels.conftest import Sleeps
from tests.unit.channels.test_telegram_output import SECRET, TOKEN, keyboard_of, sent, settings_for
from tests.unit.web.conftest import lifespan, logged_text, untouched_after_the_test

WEBHOOK = "/webhooks/telegram/webhook"
# Sanic in ASGI mode (these tests) warns that `after_server_stop` listeners run early; Rasa does not use ASGI.
pytestmark = pytest.mark.filterwarnings("ignore:You have set a listener:UserWarning")
CHAT = 5150
BUTTONS = [
    {"title": "Par e-mail", "payload": '/inform{"choice":"email"}'},
    {"title": "Par SMS", "payload": '/inform{"choice":"sms"}'},
]


class FakeRasa:
    """Records what the channel hands to Rasa and answers "echo: <text>" (with `buttons`, if set)."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []
        self.buttons: list[dict[str, str]] = []
        self.failing = False

    async def on_new_message(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.failing:
            raise RuntimeError("the tracker store is down")
        reply: dict[str, Any] = {"text": f"echo: {message.text}"}
        if self.buttons:
            reply["buttons"] = self.buttons
        await message.output_channel.send_response(message.sender_id, reply)


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


async def serve(channel: TelegramInput, rasa: FakeRasa) -> AsyncIterator[httpx.AsyncClient]:
    app = Sanic(f"telegram_test_{uuid.uuid4().hex[:8]}", configure_logging=False)
    app.blueprint(channel.blueprint(rasa.on_new_message), url_prefix="/webhooks/telegram")
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://rasa.test") as http:
            yield http
    if channel.client is not None:
        await channel.client.close()


@pytest.fixture
async def webhook(
    telegram_api: FakeApi, sleeps: Sleeps, rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    untouched_after_the_test(monkeypatch)
    async for http in serve(TelegramInput(settings_for(telegram_api), sleep=sleeps), rasa):
        yield http


async def post(http: httpx.AsyncClient, update: Any, secret: str | bytes | None = SECRET) -> httpx.Response:
    value = secret.encode() if isinstance(secret, str) else secret  # bytes: a header may be any octets
    headers = {SECRET_HEADER.encode(): value} if value is not None else {}
    return await http.post(WEBHOOK, json=update, headers=headers)


async def test_an_update_with_the_secret_reaches_rasa_and_the_reply_reaches_the_chat(
    webhook: httpx.AsyncClient, telegram_api: FakeApi, rasa: FakeRasa
) -> None:
    response = await post(webhook, text_update(CHAT, "Olá, minha fatura?", language="pt-BR"))
    assert response.status_code == 200
    (message,) = rasa.messages
    assert (message.text, message.sender_id, message.input_channel) == (
        "Olá, minha fatura?",
        f"telegram-{CHAT}",
        "telegram",
    )
    assert message.metadata == {"language": "pt"}
    assert [fields["text"] for fields in sent(telegram_api, "sendMessage", CHAT)] == [
        "echo: Olá, minha fatura?"
    ]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", "é".encode() * 8])
async def test_an_update_without_the_right_secret_is_refused_unread(
    webhook: httpx.AsyncClient, telegram_api: FakeApi, rasa: FakeRasa, secret: str | bytes | None
) -> None:
    response = await post(webhook, text_update(CHAT, "bonjour"), secret)
    assert response.status_code == 403
    assert rasa.messages == [] and telegram_api.requests == []


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"message": {}}', b'{"update_id": "12"}'])
async def test_a_body_that_is_not_an_update_is_a_bad_request(
    webhook: httpx.AsyncClient, rasa: FakeRasa, body: bytes
) -> None:
    response = await webhook.post(WEBHOOK, content=body, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 400
    assert rasa.messages == []


async def test_an_update_delivered_twice_is_processed_once(
    webhook: httpx.AsyncClient, telegram_api: FakeApi, rasa: FakeRasa
) -> None:
    update = text_update(CHAT, "bonjour")
    assert (await post(webhook, update)).status_code == 200
    assert (await post(webhook, update)).status_code == 200
    assert len(rasa.messages) == 1
    assert len(sent(telegram_api, "sendMessage", CHAT)) == 1


async def test_a_button_click_is_answered_its_keyboard_marked_and_its_payload_passed(
    webhook: httpx.AsyncClient, telegram_api: FakeApi, rasa: FakeRasa
) -> None:
    payload = '/inform{"choice":"email"}'
    buttons = [("Par SMS", '/inform{"choice":"sms"}'), ("Par e-mail", payload)]
    click = click_update(CHAT, payload, buttons, message_id=321)
    assert (await post(webhook, click)).status_code == 200
    (answer,) = telegram_api.calls("/answerCallbackQuery")
    assert answer.fields()["callback_query_id"] == click["callback_query"]["id"]
    (edit,) = sent(telegram_api, "editMessageReplyMarkup", CHAT)
    assert edit["message_id"] == "321"
    assert keyboard_of(edit) == [[{"text": "✓ Par e-mail", "callback_data": "-"}]]
    (message,) = rasa.messages
    assert (message.text, message.sender_id, message.metadata) == (
        payload,
        f"telegram-{CHAT}",
        {"language": "fr"},
    )

    # A second click on the same keyboard (before Telegram showed the new one), then on the mark.
    assert (
        await post(webhook, click_update(CHAT, '/inform{"choice":"sms"}', buttons, message_id=321))
    ).status_code == 200
    assert (
        await post(webhook, click_update(CHAT, "-", [("✓ Par e-mail", "-")], message_id=321))
    ).status_code == 200
    assert len(telegram_api.calls("/answerCallbackQuery")) == 3  # every click stops its spinner
    assert len(rasa.messages) == 1 and len(telegram_api.calls("/editMessageReplyMarkup")) == 1


async def test_a_click_on_a_button_whose_payload_did_not_fit_brings_its_title(
    webhook: httpx.AsyncClient, rasa: FakeRasa
) -> None:
    click = click_update(CHAT, "t:1", [("Oui", "/affirm"), ("Une copie par e-mail", "t:1")])
    assert (await post(webhook, click)).status_code == 200
    assert [m.text for m in rasa.messages] == ["Une copie par e-mail"]


@pytest.mark.parametrize("text", ["/start", "/start campanha-7"])
async def test_start_is_the_greet_intent(webhook: httpx.AsyncClient, rasa: FakeRasa, text: str) -> None:
    await post(webhook, text_update(CHAT, text, language="fr"))
    assert [(m.text, m.metadata) for m in rasa.messages] == [("/greet", {"language": "fr"})]


async def test_a_photo_and_a_location_are_placeholders_with_their_media_kind(
    webhook: httpx.AsyncClient, rasa: FakeRasa
) -> None:
    photo = {"photo": [{"file_id": "p", "file_unique_id": "pu", "width": 90, "height": 90}]}
    await post(webhook, message_update(CHAT, photo, language="pt-BR"))
    await post(
        webhook, message_update(CHAT, {"location": {"latitude": -23.5, "longitude": -46.6}}, language=None)
    )
    assert [(m.text, m.metadata) for m in rasa.messages] == [
        ("[image]", {"media": "image", "language": "pt"}),
        ("[location]", {"media": "location"}),
    ]


async def test_group_chats_and_edited_messages_are_ignored(
    webhook: httpx.AsyncClient, telegram_api: FakeApi, rasa: FakeRasa, logged: pytest.LogCaptureFixture
) -> None:
    assert (await post(webhook, text_update(-100123, "bonjour", chat_type="group"))).status_code == 200
    edited = message_update(CHAT, {"text": "corrigé"}, kind="edited_message")
    assert (await post(webhook, edited)).status_code == 200
    assert rasa.messages == [] and telegram_api.requests == []
    assert logged.messages.count("telegram.update_ignored") >= 2


async def test_a_reply_with_buttons_is_an_inline_keyboard(
    webhook: httpx.AsyncClient, telegram_api: FakeApi, rasa: FakeRasa
) -> None:
    rasa.buttons = BUTTONS
    await post(webhook, text_update(CHAT, "ma facture"))
    (fields,) = sent(telegram_api, "sendMessage", CHAT)
    assert keyboard_of(fields) == [
        [{"text": "Par e-mail", "callback_data": '/inform{"choice":"email"}'}],
        [{"text": "Par SMS", "callback_data": '/inform{"choice":"sms"}'}],
    ]


async def test_card_numbers_are_masked_before_rasa_and_never_logged(
    webhook: httpx.AsyncClient, telegram_api: FakeApi, rasa: FakeRasa, logged: pytest.LogCaptureFixture
) -> None:
    await post(webhook, text_update(CHAT, "minha carta 4111 1111 1111 1111 ok"))
    assert [m.text for m in rasa.messages] == [f"minha carta {CARD_MASK} ok"]
    assert [fields["text"] for fields in sent(telegram_api, "sendMessage", CHAT)] == [
        f"echo: minha carta {CARD_MASK} ok"
    ]
    assert "4111" not in logged_text(logged)
    assert TOKEN not in logged_text(logged) and SECRET not in logged_text(logged)


async def test_an_update_whose_processing_fails_is_still_answered_200(
    webhook: httpx.AsyncClient, rasa: FakeRasa, logged: pytest.LogCaptureFixture
) -> None:
    rasa.failing = True
    update = text_update(CHAT, "bonjour")
    assert (await post(webhook, update)).status_code == 200
    assert (await post(webhook, update)).status_code == 200  # Telegram's retry: not processed again
    assert len(rasa.messages) == 1
    assert "telegram.update_failed" in logged.messages


async def test_the_health_route_answers(webhook: httpx.AsyncClient) -> None:
    response = await webhook.get("/webhooks/telegram/")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_without_a_token_the_channel_is_off(
    rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch, logged: pytest.LogCaptureFixture
) -> None:
    untouched_after_the_test(monkeypatch)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    channel = TelegramInput.from_credentials(None)
    assert isinstance(channel, TelegramInput) and channel.get_output_channel() is None
    assert "telegram.channel_off" in logged.messages
    async for http in serve(channel, rasa):
        for response in (
            await post(http, text_update(CHAT, "bonjour")),
            await http.get("/webhooks/telegram/"),
        ):
            assert (response.status_code, response.json()) == (503, {"error": "not_configured"})
    assert rasa.messages == []


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.test/webhooks/telegram/webhook")
    monkeypatch.setenv("TELEGRAM_RETRY_DELAY_S", "0.5")
    settings = TelegramSettings.from_env()
    assert (settings.bot_token, settings.webhook_secret, settings.api_url) == (
        TOKEN,
        SECRET,
        "http://127.0.0.1:9",
    )
    assert settings.webhook_url == "https://bot.example.test/webhooks/telegram/webhook"
    assert settings.retry.base_delay_s == 0.5 and settings.configured
    assert TOKEN not in repr(settings) and SECRET not in repr(settings)


def test_without_a_secret_one_is_made_once_and_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(telegram_settings, "SECRET_FILE", tmp_path / "telegram-webhook-secret")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert TelegramSettings.from_env().webhook_secret == ""  # the channel is off: no file made
    assert not (tmp_path / "telegram-webhook-secret").exists()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    secret = TelegramSettings.from_env().webhook_secret
    assert len(secret) >= 32 and TelegramSettings.from_env().webhook_secret == secret
    TelegramSettings(bot_token=TOKEN, webhook_secret=secret)  # a secret Telegram accepts


@pytest.mark.parametrize("secret", ["has space", "ponto.final", "x" * 257])
def test_a_secret_telegram_would_refuse_is_an_error(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", secret)
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET") as error:
        TelegramSettings.from_env()
    assert secret not in str(error.value)


@pytest.fixture
def telegram_env(telegram_api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_API_URL", telegram_api.url)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_URL", raising=False)
    return telegram_api


def test_the_webhook_command_registers_the_url_with_the_secret(
    telegram_env: FakeApi, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "https://bot.example.test/webhooks/telegram/webhook"
    assert cli.main(["telegram-webhook", "set", "--url", url, "--drop-pending"]) == 0
    (request,) = telegram_env.calls("/setWebhook")
    fields = request.fields()
    assert (fields["url"], fields["secret_token"], fields["drop_pending_updates"]) == (url, SECRET, "true")
    assert json.loads(str(fields["allowed_updates"])) == ["message", "callback_query"]
    assert 1 <= int(str(fields["max_connections"])) <= 100
    printed = capsys.readouterr().out
    assert url in printed and TOKEN not in printed and SECRET not in printed


def test_the_webhook_command_uses_the_configured_url_and_can_show_and_delete(
    telegram_env: FakeApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["telegram-webhook", "set"]) == 1  # no URL anywhere
    assert "TELEGRAM_WEBHOOK_URL" in capsys.readouterr().out
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.test/hook")
    assert cli.main(["telegram-webhook", "set"]) == 0
    assert telegram_env.calls("/setWebhook")[-1].fields()["url"] == "https://bot.example.test/hook"
    assert cli.main(["telegram-webhook", "info"]) == 0
    assert "pending_update_count: 0" in capsys.readouterr().out
    assert cli.main(["telegram-webhook", "delete"]) == 0
    assert len(telegram_env.calls("/deleteWebhook")) == 1


def test_the_webhook_command_reports_a_refusal_without_the_token(
    telegram_env: FakeApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.fakes.http_api import Answer

    telegram_env.fail(
        Answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"}), path_contains="/getMe"
    )
    assert cli.main(["telegram-webhook", "info"]) == 1
    printed = capsys.readouterr().out
    assert "InvalidToken" in printed and TOKEN not in printed
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert cli.main(["telegram-webhook", "info"]) == 1
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().out
