"""The WhatsApp channel's webhooks in a Sanic app driven in-process (ASGI), with Twilio's form posts signed
by twilio's `RequestValidator` (or forged), the replies going to a fake Twilio REST API on 127.0.0.1.
The Rasa side is a fake `on_new_message` that records the message and answers through the message's
output channel, as Rasa does."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic
from twilio.request_validator import RequestValidator

from bot.channels.delivery import DeliveryFailed
from bot.channels.whatsapp import EMPTY_TWIML, WhatsAppInput
from bot.channels.whatsapp_output import WhatsAppOutput
from bot.channels.whatsapp_settings import WhatsAppSettings
from bot.redaction import CARD_MASK
from tests.fakes.http_api import FakeApi
from tests.unit.channels.test_whatsapp_output import (
    AUTH_TOKEN,
    FAST_RETRIES,
    FROM,
    agent_message,
    make_settings,
    sent,
)
from tests.unit.web.conftest import lifespan, logged_text, untouched_after_the_test

SERVER_URL = "http://whatsapp.test"  # where the tests reach the app
WEBHOOK = "/webhooks/whatsapp/webhook"
STATUS = "/webhooks/whatsapp/status"
BR_NUMBER = "+5511987654321"
FR_NUMBER = "+33612345678"
MENU = [
    {"title": "Voir mon solde", "payload": "/check_balance"},
    {"title": "Passer au Premium", "payload": '/change_plan{"plan": "premium"}'},
    {"title": "Parler à un conseiller", "payload": "/request_human"},
]
_sids = itertools.count(1)
# Sanic warns that ASGI runs these listeners at the server's start and stop: what they are for.
pytestmark = pytest.mark.filterwarnings("ignore:You have set a listener")


def message_sid() -> str:
    return f"SM{uuid.uuid4().hex}{next(_sids):02d}"[:34]


class FakeRasa:
    """Records the messages; answers "echo: <text>", or the menu (with buttons) to "menu"."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []
        self.turns: dict[str, int] = {}  # text -> event loop turns to take before reading it

    async def on_new_message(self, message: UserMessage) -> None:
        for _ in range(self.turns.get(message.text or "", 0)):
            await asyncio.sleep(0)
        self.messages.append(message)
        reply: dict[str, Any] = {"text": f"echo: {message.text}"}
        if message.text == "menu":
            reply = {"text": "Que souhaitez-vous faire ?", "buttons": MENU}
        await message.output_channel.send_response(message.sender_id, reply)

    def texts(self) -> list[str]:
        return [message.text or "" for message in self.messages]


class Twilio:
    """Plays Twilio: posts signed forms to the app."""

    def __init__(
        self, http: httpx.AsyncClient, channel: WhatsAppInput, signed_base: str, app: Sanic | None = None
    ) -> None:
        self.http = http
        self.channel = channel
        self.signed_base = signed_base
        self.app = app

    async def post(self, path: str, fields: dict[str, str], signature: str | None = "") -> httpx.Response:
        """`signature`: "" for a valid one, None for none, else that one."""
        headers = {}
        if signature is not None:
            valid = RequestValidator(AUTH_TOKEN).compute_signature(self.signed_base + path, fields)
            headers["X-Twilio-Signature"] = signature or valid
        return await self.http.post(path, data=fields, headers=headers)

    async def message(
        self, number: str, body: str = "", sid: str | None = None, **fields: str
    ) -> httpx.Response:
        form = {
            "MessageSid": sid or message_sid(),
            "AccountSid": "AC" + "1" * 32,
            "From": f"whatsapp:{number}",
            "To": FROM,
            "Body": body,
            "NumMedia": "0",
            "ProfileName": "Cliente",
            **fields,
        }
        answer = await self.post(WEBHOOK, form)
        await self.channel.idle()
        return answer


Start = Callable[..., Awaitable[Twilio]]


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
async def start(
    twilio_api: FakeApi,
    rasa: FakeRasa,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Start]:
    """Serves a WhatsApp channel (made with `settings`), for the rest of the test."""
    untouched_after_the_test(monkeypatch)
    cleanup: list[Callable[[], Awaitable[None]]] = []

    async def serve(settings: WhatsAppSettings | None = None) -> Twilio:
        """Twilio signs for the public base URL of the settings, else the URL the tests reach."""
        settings = settings or make_settings(twilio_api.url)
        channel = WhatsAppInput(settings, retry=FAST_RETRIES)
        app = Sanic(f"whatsapp_test_{uuid.uuid4().hex[:8]}", configure_logging=False)
        app.blueprint(channel.blueprint(rasa.on_new_message), url_prefix="/webhooks/whatsapp")
        running = lifespan(app)
        await running.__aenter__()
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SERVER_URL)

        async def stop() -> None:
            await channel.idle()
            await channel.close()
            await http.aclose()
            await running.__aexit__(None, None, None)

        cleanup.append(stop)
        return Twilio(http, channel, settings.public_base_url or SERVER_URL, app)

    yield serve
    for stop in cleanup:
        await stop()


@pytest.fixture
async def twilio_posts(start: Start) -> Twilio:
    return await start()


def address(number: str) -> str:
    return f"whatsapp:{number}"


# -- signatures ------------------------------------------------------------------------------------
async def test_a_signed_message_reaches_rasa_and_twilio_gets_empty_twiml(
    twilio_posts: Twilio,
    rasa: FakeRasa,
    twilio_api: FakeApi,
) -> None:
    sid = message_sid()
    answer = await twilio_posts.message(BR_NUMBER, "Olá, bom dia", sid=sid)
    assert answer.status_code == 200
    assert answer.text == EMPTY_TWIML and answer.headers["content-type"].startswith("text/xml")
    (message,) = rasa.messages
    assert message.text == "Olá, bom dia"
    assert message.sender_id == "whatsapp-+5511987654321" and message.input_channel == "whatsapp"
    assert message.metadata == {"language": "pt"}
    assert message.message_id == sid
    (reply,) = sent(twilio_api)
    assert reply["To"] == address(BR_NUMBER) and reply["Body"] == "echo: Olá, bom dia"


@pytest.mark.parametrize("signature", [None, "forged+signature=", "AAAA"])
async def test_a_forged_or_unsigned_post_is_refused(
    twilio_posts: Twilio, rasa: FakeRasa, signature: str | None
) -> None:
    form = {"MessageSid": message_sid(), "From": address(FR_NUMBER), "Body": "bonjour", "NumMedia": "0"}
    answer = await twilio_posts.post(WEBHOOK, form, signature=signature)
    await twilio_posts.channel.idle()
    assert answer.status_code == 403
    assert rasa.messages == []


async def test_a_signature_of_other_fields_is_refused(twilio_posts: Twilio, rasa: FakeRasa) -> None:
    form = {"MessageSid": message_sid(), "From": address(FR_NUMBER), "Body": "bonjour", "NumMedia": "0"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(SERVER_URL + WEBHOOK, form)
    tampered = {**form, "Body": "autre chose"}
    answer = await twilio_posts.http.post(WEBHOOK, data=tampered, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 403 and rasa.messages == []


async def test_behind_a_proxy_the_public_url_is_the_one_signed(
    start: Start,
    rasa: FakeRasa,
    twilio_api: FakeApi,
) -> None:
    settings = make_settings(twilio_api.url)  # public base URL: https://bot.example.test
    public = await start(settings)
    assert public.signed_base == settings.public_base_url != SERVER_URL
    assert (await public.message(FR_NUMBER, "Bonjour")).status_code == 200
    internal = Twilio(public.http, public.channel, SERVER_URL)  # signed for the URL the app sees
    assert (await internal.message(FR_NUMBER, "Encore")).status_code == 403
    assert rasa.texts() == ["Bonjour"]


async def test_without_a_public_url_the_request_url_is_the_one_signed(
    start: Start,
    rasa: FakeRasa,
    twilio_api: FakeApi,
) -> None:
    settings = WhatsAppSettings("AC" + "1" * 32, AUTH_TOKEN, FROM, api_url=twilio_api.url)
    direct = await start(settings)
    assert (await direct.message(FR_NUMBER, "Bonjour")).status_code == 200
    proxied = Twilio(direct.http, direct.channel, "https://bot.example.test")
    assert (await proxied.message(FR_NUMBER, "Encore")).status_code == 403
    assert rasa.texts() == ["Bonjour"]


# -- what reaches Rasa -----------------------------------------------------------------------------
async def test_a_replayed_message_is_processed_once(
    twilio_posts: Twilio,
    rasa: FakeRasa,
    twilio_api: FakeApi,
) -> None:
    sid = message_sid()
    for _ in range(3):
        assert (await twilio_posts.message(FR_NUMBER, "Bonjour", sid=sid)).status_code == 200
    assert rasa.texts() == ["Bonjour"]
    assert len(sent(twilio_api)) == 1


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("image/jpeg", "image"),
        ("audio/ogg", "audio"),
        ("video/mp4", "video"),
        ("application/pdf", "document"),
        ("image/webp", "sticker"),
        ("text/vcard", "contact"),
    ],
)
async def test_a_media_only_message_reaches_rasa_as_a_placeholder(
    twilio_posts: Twilio, rasa: FakeRasa, content_type: str, kind: str
) -> None:
    media = {"NumMedia": "1", "MediaContentType0": content_type, "MediaUrl0": "https://api.twilio.com/m/1"}
    answer = await twilio_posts.message(FR_NUMBER, "", **media)
    assert answer.status_code == 200
    (message,) = rasa.messages
    assert message.text == f"[{kind}]"
    assert message.metadata == {"media": kind, "language": "fr"}


async def test_a_caption_is_the_message(twilio_posts: Twilio, rasa: FakeRasa) -> None:
    media = {"NumMedia": "1", "MediaContentType0": "image/jpeg", "MediaUrl0": "https://api.twilio.com/m/1"}
    await twilio_posts.message(FR_NUMBER, "ma facture", **media)
    assert rasa.texts() == ["ma facture"]


async def test_a_location_reaches_rasa_as_a_placeholder(twilio_posts: Twilio, rasa: FakeRasa) -> None:
    location = {"Latitude": "48.8566", "Longitude": "2.3522", "Address": "Paris"}
    assert (await twilio_posts.message("+14155550123", "", **location)).status_code == 200
    (message,) = rasa.messages
    assert message.text == "[location]" and message.metadata == {"media": "location"}  # +1: no hint


@pytest.mark.parametrize(
    "fields",
    [
        {"From": "whatsapp:not-a-number"},
        {"From": "+33612345678"},  # an SMS, not WhatsApp
        {"MessageSid": ""},
        {"NumMedia": "lots"},
    ],
)
async def test_a_malformed_message_is_answered_200_and_dropped(
    twilio_posts: Twilio, rasa: FakeRasa, logged: pytest.LogCaptureFixture, fields: dict[str, str]
) -> None:
    assert (await twilio_posts.message(FR_NUMBER, "bonjour", **fields)).status_code == 200
    assert rasa.messages == []
    assert "whatsapp.update_malformed" in logged.messages


async def test_card_numbers_are_masked_before_rasa(
    twilio_posts: Twilio, rasa: FakeRasa, logged: pytest.LogCaptureFixture
) -> None:
    await twilio_posts.message(FR_NUMBER, "ma carte 4242 4242 4242 4242")
    assert rasa.texts() == [f"ma carte {CARD_MASK}"]
    assert "4242" not in logged_text(logged) and "612345678" not in logged_text(logged)


async def test_the_messages_of_a_customer_are_processed_in_order(
    twilio_posts: Twilio, rasa: FakeRasa
) -> None:
    rasa.turns = {f"m{index}": 10 - 2 * index for index in range(5)}  # the first ones take longest
    for index in range(5):
        form = {"MessageSid": message_sid(), "From": address(FR_NUMBER), "Body": f"m{index}", "NumMedia": "0"}
        assert (await twilio_posts.post(WEBHOOK, form)).status_code == 200
    await twilio_posts.channel.idle()
    assert rasa.texts() == [f"m{index}" for index in range(5)]


# -- numbered options ------------------------------------------------------------------------------
async def test_an_option_number_or_its_words_are_the_option_payload(
    twilio_posts: Twilio,
    rasa: FakeRasa,
    twilio_api: FakeApi,
) -> None:
    await twilio_posts.message(FR_NUMBER, "menu")
    (menu,) = sent(twilio_api)
    assert menu["Body"] == (
        "Que souhaitez-vous faire ?\n\n1. Voir mon solde\n2. Passer au Premium\n3. Parler à un conseiller"
    )
    await twilio_posts.message(FR_NUMBER, "2")
    await twilio_posts.message(FR_NUMBER, "2")  # the options were used: now a message like any other
    await twilio_posts.message(FR_NUMBER, "menu")
    await twilio_posts.message(FR_NUMBER, "premium")
    await twilio_posts.message(FR_NUMBER, "menu")
    await twilio_posts.message(FR_NUMBER, "parler a un CONSEILLER !")
    await twilio_posts.message(FR_NUMBER, "menu")
    await twilio_posts.message(FR_NUMBER, "7")  # not an option: as typed
    choice = MENU[1]["payload"]
    assert rasa.texts() == [
        "menu", choice, "2", "menu", choice, "menu", "/request_human", "menu", "7"
    ]  # fmt: skip


async def test_options_are_per_customer(twilio_posts: Twilio, rasa: FakeRasa) -> None:
    await twilio_posts.message(FR_NUMBER, "menu")
    await twilio_posts.message(BR_NUMBER, "1")
    assert rasa.texts() == ["menu", "1"]


# -- status callbacks, health, the channel switched off --------------------------------------------
async def test_a_signed_status_callback_is_accepted_and_logged(
    twilio_posts: Twilio, logged: pytest.LogCaptureFixture
) -> None:
    form = {
        "MessageSid": message_sid(),
        "MessageStatus": "undelivered",
        "ErrorCode": "63016",
        "To": address(FR_NUMBER),
    }
    assert (await twilio_posts.post(STATUS, form)).status_code == 204
    (record,) = {id(r): r for r in logged.records if r.getMessage() == "whatsapp.status"}.values()
    assert record.levelname == "WARNING" and vars(record)["error_code"] == "63016"
    assert vars(record)["recipient"] == "+33*******78"
    assert (await twilio_posts.post(STATUS, form, signature="forged")).status_code == 403


async def test_health(twilio_posts: Twilio) -> None:
    answer = await twilio_posts.http.get("/webhooks/whatsapp/")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


async def test_without_twilio_settings_the_channel_is_off(start: Start, rasa: FakeRasa) -> None:
    off = await start(WhatsAppSettings("", "", ""))
    assert off.channel.get_output_channel() is None
    for path in (WEBHOOK, STATUS):
        answer = await off.post(path, {"MessageSid": message_sid(), "From": address(FR_NUMBER)})
        assert answer.status_code == 503 and answer.json() == {"error": "not_configured"}
    assert rasa.messages == []


# -- the output channel as Rasa's HTTP API uses it (an agent's message, later) -----------------------
async def test_the_output_channel_reads_rasas_tracker_for_the_window(
    start: Start,
    twilio_api: FakeApi,
    rasa: FakeRasa,
) -> None:
    """No message through this process: the time of the customer's last message comes from the tracker
    store of the Rasa agent (`app.ctx.agent`), reached from the app the channel was served by."""
    twilio_posts = await start()
    channel = twilio_posts.channel
    output = channel.get_output_channel()
    assert isinstance(output, WhatsAppOutput) and output.trackers is not None
    store = InMemoryTrackerStore(Domain.empty())
    sender = f"whatsapp-{BR_NUMBER}"
    recent = DialogueStateTracker.from_events(sender, [UserUttered("Olá", timestamp=output.clock() - 3600)])
    await store.save(recent)
    assert twilio_posts.app is not None
    twilio_posts.app.ctx.agent = SimpleNamespace(tracker_store=store)  # what the Rasa server sets
    await output.send_response(sender, agent_message("Bonjour"))
    (message,) = sent(twilio_api)
    assert message["Body"] == "*Camille*\nBonjour"
    with pytest.raises(DeliveryFailed):  # nobody wrote from this one: the window is closed
        await output.send_response(f"whatsapp-{FR_NUMBER}", agent_message("Bonjour"))
