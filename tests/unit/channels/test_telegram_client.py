"""The Telegram client's retries (bot/channels/telegram_client.py) when an answer is late: a send whose
request went out and whose answer did not come in time is not sent again (Telegram may have delivered
it: a second try could show the customer the message twice); a late answer to the bot's initialization
(getMe), before the message was sent, is tried again as before, and the message goes out once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.channels.delivery import UNREACHABLE
from bot.channels.retry import RetryPolicy
from bot.channels.telegram_client import SendFailed, TelegramClient
from tests.fakes.http_api import Answer, FakeApi
from tests.fakes.telegram_api import BOT_USER
from tests.unit.channels.conftest import Sleeps
from tests.unit.web.conftest import logged_text

TOKEN = "123456789:unit-test-token-AbCdEf"
READ_TIMEOUT_S = 0.2
LATE_S = 1.0  # the fake's answer comes after the client stopped waiting
CHAT = 4242


@pytest.fixture
async def client(telegram_api: FakeApi, sleeps: Sleeps) -> AsyncIterator[TelegramClient]:
    request = HTTPXRequest(read_timeout=READ_TIMEOUT_S)
    bot = Bot(TOKEN, base_url=f"{telegram_api.url}/bot", request=request)
    made = TelegramClient(bot, RetryPolicy(attempts=3, base_delay_s=0.01), sleep=sleeps)
    yield made
    await made.close()


def late(body: object) -> Answer:
    return Answer(200, {"ok": True, "result": body}, delay_s=LATE_S)


async def test_a_send_that_timed_out_waiting_for_its_answer_is_not_sent_again(
    telegram_api: FakeApi, client: TelegramClient, sleeps: Sleeps, logged: pytest.LogCaptureFixture
) -> None:
    message = {"message_id": 1, "date": 0, "chat": {"id": CHAT, "type": "private"}}
    telegram_api.fail(late(message), times=1, path_contains="/sendMessage")
    with pytest.raises(SendFailed) as failure:
        await client.call("sendMessage", lambda bot: bot.send_message(CHAT, "Votre solde est de 0 €."))
    assert failure.value.reason == UNREACHABLE
    assert len(telegram_api.calls("/sendMessage")) == 1  # a retry would have come at once (no real sleep)
    assert sleeps.delays == []
    assert "telegram.delivery_uncertain" in logged_text(logged)


async def test_a_late_answer_while_the_bot_is_initialized_is_tried_again(
    telegram_api: FakeApi, client: TelegramClient, sleeps: Sleeps
) -> None:
    telegram_api.fail(late(BOT_USER), times=1, path_contains="/getMe")
    await client.call("sendMessage", lambda bot: bot.send_message(CHAT, "Bonjour"))
    assert sleeps.delays == [0.01]  # tried again (PTB does not call getMe twice: it counts as initialized)
    assert len(telegram_api.calls("/sendMessage")) == 1
