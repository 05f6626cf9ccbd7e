"""Cost of our Telegram and WhatsApp channels per customer message, without Rasa: each channel served by
Sanic in this process (ASGI, no socket on the inbound side), a stand-in for Rasa that answers one text
message with two buttons, the platform's API played by the fake on 127.0.0.1 (tests/fakes/), over real
HTTP. Prints, per channel, the webhook's answer time (median, p95) and the throughput of messages whose
reply reached the API; a figure, never a test.

- Telegram: the secret check, `Update.de_json`, the replay check, the reply sent (sendMessage) inside
  the request, as Telegram expects.
- WhatsApp: the Twilio signature check (HMAC-SHA1 of URL and fields), the replay check, then the answer
  to Twilio at once; processing and the reply (twilio's client, Messages.json) follow in the background.

    .venv/bin/python -m bench.channels
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable

import httpx
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from twilio.request_validator import RequestValidator

from bot.channels.retry import RetryPolicy
from bot.channels.telegram_channel import TelegramInput
from bot.channels.telegram_settings import TelegramSettings
from bot.channels.whatsapp import WhatsAppInput
from bot.channels.whatsapp_settings import WhatsAppSettings
from tests.fakes.http_api import FakeApi
from tests.fakes.telegram_api import fake_telegram_api
from tests.fakes.telegram_updates import text_update
from tests.fakes.twilio_api import fake_twilio_api
from tests.unit.web.conftest import lifespan

MESSAGES = 300
CONCURRENCY = 10  # webhook posts in flight at once, as a platform with several connections sends them
SERVER = "http://bench.local"
SECRET = "bench-secret"
TWILIO_TOKEN = "bench-twilio-token"
BUTTONS = [
    {"title": "Mon solde", "payload": "/check_balance"},
    {"title": "Ma facture", "payload": "/invoice"},
]
Post = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]
Idle = Callable[[], Awaitable[None]]


async def rasa_stand_in(message: UserMessage) -> None:
    await message.output_channel.send_text_with_buttons(message.sender_id, "Que puis-je faire ?", BUTTONS)


async def measure(
    name: str, http: httpx.AsyncClient, post: Post, api: FakeApi, path: str, idle: Idle
) -> None:
    await post(http, -1)  # warm-up: the first call opens the API client
    await idle()
    api.reset()
    timings: list[float] = []
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(index: int) -> None:
        async with gate:
            start = time.perf_counter()
            answer = await post(http, index)
            timings.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.text

    start = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(MESSAGES)))
    await idle()
    elapsed = time.perf_counter() - start
    replies = len(api.calls(path))
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(
        f"{name}: {MESSAGES} messages, webhook answered in median {statistics.median(timings):.1f} ms,"
        f" p95 {p95:.1f} ms; {replies} replies at the API, {replies / elapsed:.0f} messages/s"
        f" ({CONCURRENCY} in flight)"
    )


async def bench(telegram_api: FakeApi, twilio_api: FakeApi) -> None:
    telegram = TelegramInput(
        TelegramSettings(bot_token="123:bench", webhook_secret=SECRET, api_url=telegram_api.url)
    )
    whatsapp_settings = WhatsAppSettings(
        account_sid="AC" + "0" * 32,
        auth_token=TWILIO_TOKEN,
        from_address="whatsapp:+14155238886",
        api_url=twilio_api.url,
    )
    whatsapp = WhatsAppInput(whatsapp_settings, retry=RetryPolicy(attempts=1, base_delay_s=0))
    app = Sanic(f"bench_channels_{uuid.uuid4().hex[:6]}", configure_logging=False)
    app.blueprint(telegram.blueprint(rasa_stand_in), url_prefix="/webhooks/telegram")
    app.blueprint(whatsapp.blueprint(rasa_stand_in), url_prefix="/webhooks/whatsapp")
    validator = RequestValidator(TWILIO_TOKEN)
    whatsapp_path = "/webhooks/whatsapp/webhook"

    async def telegram_post(http: httpx.AsyncClient, index: int) -> httpx.Response:
        update = text_update(10_000 + index, "Bonjour, ma facture ?", "fr-FR")
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        return await http.post("/webhooks/telegram/webhook", json=update, headers=headers)

    async def telegram_idle() -> None:
        return None  # the reply went out inside the request

    async def whatsapp_post(http: httpx.AsyncClient, index: int) -> httpx.Response:
        fields = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "From": f"whatsapp:+55119{index + 10_000_000:08d}",
            "To": whatsapp_settings.from_address,
            "Body": "Olá, minha fatura?",
            "NumMedia": "0",
        }
        signature = validator.compute_signature(SERVER + whatsapp_path, fields)
        return await http.post(whatsapp_path, data=fields, headers={"X-Twilio-Signature": signature})

    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=SERVER) as http:
            await measure("telegram", http, telegram_post, telegram_api, "/sendMessage", telegram_idle)
            await measure("whatsapp", http, whatsapp_post, twilio_api, "/Messages.json", whatsapp.idle)
    await whatsapp.close()
    await telegram.client.close() if telegram.client else None


def main() -> None:
    # Sanic's notice that listeners run at ASGI start: expected, as in the unit tests
    warnings.filterwarnings("ignore", message="You have set a listener", category=UserWarning)
    telegram_api, twilio_api = fake_telegram_api().start(), fake_twilio_api().start()
    try:
        asyncio.run(bench(telegram_api, twilio_api))
    finally:
        telegram_api.stop()
        twilio_api.stop()


if __name__ == "__main__":
    main()
