"""The channels' memory in Redis (bot/channels/recent_redis.py, chosen by bot/channels/memory.py) against
the real Redis server, two memories playing two Rasa instances: a delivery is new once across them, keys
expire with their age limit, the options offered and the customer's last message are read back by the
other one; while Redis is down, this process's memory answers and the outage and the recovery are logged
once each. Then the channels themselves: a Telegram update or a Twilio message delivered to both
instances reaches Rasa once, and a WhatsApp "2" is read against the options the other one offered.

Every test writes under a prefix of its own, deleted at its end."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis
from sanic import Sanic

from bot.channels.delivery import WINDOW_CLOSED, DeliveryFailed
from bot.channels.memory import MEMORY_URL_ENV, ChannelMemory
from bot.channels.messages import Button
from bot.channels.recent import RecentIds, RecentValues
from bot.channels.recent_redis import JSON_VALUE, RedisLink, RedisRecentValues
from bot.channels.telegram_channel import TelegramInput
from bot.channels.telegram_settings import TelegramSettings
from bot.channels.whatsapp import WhatsAppInput
from bot.channels.whatsapp_output import BUTTONS, OPTIONS_TTL_S, SERVICE_WINDOW_S, WhatsAppOutput
from bot.channels.whatsapp_sender import TwilioSender
from bot.channels.whatsapp_settings import WhatsAppSettings
from tests.fakes.http_api import FakeApi
from tests.fakes.telegram_updates import text_update
from tests.own_redis import OwnRedis
from tests.processes import free_port
from tests.stack import channel_memory_url, fail_unless_redis_answers
from tests.unit.channels.conftest import Clock, Sleeps
from tests.unit.channels.test_telegram import FakeRasa as TelegramRasa
from tests.unit.channels.test_telegram import post, serve
from tests.unit.channels.test_telegram_output import CHAT, settings_for
from tests.unit.channels.test_telegram_output import sent as telegram_sent
from tests.unit.channels.test_whatsapp import MENU, SERVER_URL, Twilio, message_sid
from tests.unit.channels.test_whatsapp import FakeRasa as WhatsAppRasa
from tests.unit.channels.test_whatsapp_output import FAST_RETRIES, agent_message, make_settings, sent
from tests.unit.web.conftest import lifespan, logged_text, untouched_after_the_test

MEMORY_URL = channel_memory_url()
SENDER = "whatsapp-+5511987654321"
BR_NUMBER = "+5511987654321"
BUTTONS_OFFERED = [
    Button("Voir mon solde 💶", '/inform{"choice":"email"}'),
    Button("Não, obrigado — até logo", "/deny"),
    Button("2", '/choose{"n": 2, "path": "a\\\\b"}'),
]
# Sanic in ASGI mode (these tests) warns that `after_server_stop` listeners run early; Rasa does not use ASGI.
pytestmark = pytest.mark.filterwarnings("ignore:You have set a listener:UserWarning")

MakeMemory = Callable[..., ChannelMemory]


@pytest.fixture(scope="module", autouse=True)
def redis_is_up() -> None:
    fail_unless_redis_answers(MEMORY_URL)


@pytest.fixture
def raw() -> Iterator[Redis]:
    """A plain client, to look at what the memories wrote."""
    client = Redis.from_url(MEMORY_URL)
    yield client
    client.close()


@pytest.fixture
def prefix(raw: Redis) -> Iterator[str]:
    prefix = f"test:{uuid.uuid4().hex}"
    yield prefix
    keys = list(raw.scan_iter(match=f"{prefix}:*"))
    if keys:
        raw.delete(*keys)


@pytest.fixture
async def make(prefix: str) -> AsyncIterator[MakeMemory]:
    """Makes a channel's memory in Redis under the test's prefix ("an instance"), closed at the end."""
    made: list[ChannelMemory] = []

    def memory(channel: str = "whatsapp", url: str = MEMORY_URL, **options: Any) -> ChannelMemory:
        made.append(ChannelMemory(channel, url, prefix=prefix, **options))
        return made[-1]

    yield memory
    for memory_made in made:
        await memory_made.close()


def records(logged: pytest.LogCaptureFixture, message: str) -> list[Any]:
    """The records of `message`, once each (the capture handler may see a record twice)."""
    return list({id(r): r for r in logged.records if r.getMessage() == message}.values())


# -- first time, across instances ------------------------------------------------------------------
async def test_a_delivery_is_new_once_across_two_instances(make: MakeMemory, raw: Redis, prefix: str) -> None:
    one, other = make("telegram").ids("update"), make("telegram").ids("update")
    assert await one.first_time("42")
    assert not await other.first_time("42")
    assert not await one.first_time("42")
    assert await other.first_time("43")
    assert raw.get(f"{prefix}:telegram:update:42") == b"true"


async def test_under_contention_exactly_one_instance_sees_a_delivery_first(make: MakeMemory) -> None:
    instances = [make().ids("message"), make().ids("message")]
    seen = await asyncio.gather(*(instances[n % 2].first_time("SM0123") for n in range(20)))
    assert seen.count(True) == 1


async def test_memories_and_channels_never_share_a_key(make: MakeMemory, raw: Redis, prefix: str) -> None:
    telegram, whatsapp = make("telegram"), make("whatsapp")
    assert await telegram.ids("update").first_time("7")
    assert await telegram.ids("keyboard").first_time("7")
    assert await whatsapp.ids("message").first_time("7")
    assert sorted(raw.scan_iter(match=f"{prefix}:*")) == [
        f"{prefix}:telegram:keyboard:7".encode(),
        f"{prefix}:telegram:update:7".encode(),
        f"{prefix}:whatsapp:message:7".encode(),
    ]


# -- age limits --------------------------------------------------------------------------------------
async def test_an_id_is_forgotten_once_its_age_limit_is_reached(
    make: MakeMemory, raw: Redis, prefix: str
) -> None:
    memory = make("telegram")
    assert await memory.ids("update").first_time("1")
    assert 24 * 3600 - 5 < raw.ttl(f"{prefix}:telegram:update:1") <= 24 * 3600  # the default: a day
    short = memory.ids("keyboard", ttl_s=1)
    assert await short.first_time("5150:321")
    assert 0 < raw.pttl(f"{prefix}:telegram:keyboard:5150:321") <= 1000
    assert not await short.first_time("5150:321")
    await asyncio.sleep(1.3)
    assert await short.first_time("5150:321")


# -- values ------------------------------------------------------------------------------------------
async def test_buttons_are_read_back_by_the_other_instance_as_they_were_written(
    make: MakeMemory, raw: Redis, prefix: str
) -> None:
    one = make().values("options", OPTIONS_TTL_S, codec=BUTTONS)
    other = make().values("options", OPTIONS_TTL_S, codec=BUTTONS)
    await one.put(SENDER, BUTTONS_OFFERED)
    assert await other.get(SENDER) == BUTTONS_OFFERED
    assert OPTIONS_TTL_S - 5 < raw.ttl(f"{prefix}:whatsapp:options:{SENDER}") <= OPTIONS_TTL_S
    assert not await other.add(SENDER, [Button("Sim", "/affirm")])  # still fresh: kept
    await other.pop(SENDER)
    assert await one.get(SENDER) is None
    assert await one.add(SENDER, [Button("Sim", "/affirm")])
    assert await other.get(SENDER) == [Button("Sim", "/affirm")]


async def test_a_value_that_cannot_be_read_is_forgotten(
    make: MakeMemory, raw: Redis, prefix: str, logged: pytest.LogCaptureFixture
) -> None:
    raw.set(f"{prefix}:whatsapp:options:{SENDER}", b"not json")
    assert await make().values("options", codec=BUTTONS).get(SENDER) is None
    (record,) = records(logged, "channel_memory.unreadable")
    assert vars(record)["memory"] == "options"


@pytest.fixture
async def outputs(make: MakeMemory, twilio_api: FakeApi) -> AsyncIterator[list[WhatsAppOutput]]:
    """The WhatsApp output channels of two instances sharing the memory (no agent template)."""
    settings = make_settings(twilio_api.url)
    made = [WhatsAppOutput(settings, TwilioSender(settings, FAST_RETRIES), memory=make()) for _ in range(2)]
    yield made
    for output in made:
        await output.sender.idle()
        await output.sender.close()


async def test_the_options_one_instance_offered_are_known_to_the_other(outputs: list[WhatsAppOutput]) -> None:
    one, other = outputs
    buttons = [{"title": button.title, "payload": button.payload} for button in BUTTONS_OFFERED]
    await one.send_text_with_buttons(SENDER, "Que souhaitez-vous faire ?", buttons)
    assert await other.offered_options(SENDER) == BUTTONS_OFFERED
    await other.forget_options(SENDER)
    assert await one.offered_options(SENDER) == []


async def test_a_customer_who_wrote_to_one_instance_is_within_the_window_on_the_other(
    outputs: list[WhatsAppOutput], twilio_api: FakeApi, raw: Redis, prefix: str
) -> None:
    one, other = outputs
    with pytest.raises(DeliveryFailed) as failed:
        await other.send_response(SENDER, agent_message("Bonjour"))
    assert failed.value.reason == WINDOW_CLOSED
    await one.customer_wrote(SENDER)
    await other.send_response(SENDER, agent_message("Bonjour"))
    (message,) = sent(twilio_api)
    assert message["Body"] == "*Camille*\nBonjour"
    key = f"{prefix}:whatsapp:customer_wrote:{SENDER}"
    assert SERVICE_WINDOW_S - 5 < raw.ttl(key) <= SERVICE_WINDOW_S  # the window is the key's life


# -- Redis down --------------------------------------------------------------------------------------
async def test_while_redis_is_down_the_local_memory_answers_and_the_outage_is_logged_once(
    prefix: str, tmp_path: Path, logged: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listens there yet
    clock = Clock()
    link = RedisLink(f"redis://127.0.0.1:{port}/2", "whatsapp", prefix, retry_after_s=1, clock=clock)
    ids = RecentIds(RedisRecentValues(link, "message", 60, JSON_VALUE, RecentValues[bool](60)))
    options = RedisRecentValues(link, "options", 60, BUTTONS, RecentValues[list[Button]](60))
    try:
        assert await ids.first_time("SM1")
        clock.now += 1  # Redis is tried again before each of these calls
        assert not await ids.first_time("SM1")
        clock.now += 1
        await options.put(SENDER, BUTTONS_OFFERED)
        clock.now += 1
        assert await options.get(SENDER) == BUTTONS_OFFERED
        (down,) = records(logged, "channel_memory.unreachable")
        assert (vars(down)["channel"], vars(down)["error"], vars(down)["fallback"]) == (
            "whatsapp",
            "ConnectionError",
            "local",
        )
        with OwnRedis(tmp_path, port), Redis(host="127.0.0.1", port=port, db=2) as redis:
            assert await ids.first_time("SM2")  # within a second of the last failure: not tried
            assert not redis.exists(f"{prefix}:whatsapp:message:SM2")
            clock.now += 1
            assert await ids.first_time("SM3")
            assert redis.exists(f"{prefix}:whatsapp:message:SM3")
            assert not await ids.first_time("SM3")
            assert len(records(logged, "channel_memory.recovered")) == 1
    finally:
        await link.close()
    assert len(records(logged, "channel_memory.unreachable")) == 1
    assert "987654321" not in logged_text(logged)  # no phone number in the logs


async def test_without_redis_a_telegram_update_delivered_twice_is_still_processed_once(
    telegram_api: FakeApi,
    sleeps: Sleeps,
    make: MakeMemory,
    monkeypatch: pytest.MonkeyPatch,
    logged: pytest.LogCaptureFixture,
) -> None:
    untouched_after_the_test(monkeypatch)
    memory = make("telegram", url=f"redis://127.0.0.1:{free_port()}/2", retry_after_s=0)
    rasa = TelegramRasa()
    update = text_update(CHAT, "bonjour")
    channel = TelegramInput(settings_for(telegram_api), sleep=sleeps, memory=memory)
    async with asynccontextmanager(serve)(channel, rasa) as http:
        for _ in range(3):
            assert (await post(http, update)).status_code == 200
    assert [message.text for message in rasa.messages] == ["bonjour"]
    assert len(telegram_sent(telegram_api, "sendMessage", CHAT)) == 1
    assert len(records(logged, "channel_memory.unreachable")) == 1


# -- the channels, on two instances ------------------------------------------------------------------
async def test_a_telegram_update_delivered_to_two_instances_reaches_rasa_once(
    telegram_api: FakeApi, sleeps: Sleeps, make: MakeMemory, monkeypatch: pytest.MonkeyPatch
) -> None:
    rasa = TelegramRasa()
    update = text_update(CHAT, "bonjour")
    one, other = (
        TelegramInput(settings_for(telegram_api), sleep=sleeps, memory=make("telegram")) for _ in "ab"
    )
    untouched_after_the_test(monkeypatch)
    async with asynccontextmanager(serve)(one, rasa) as first:
        untouched_after_the_test(monkeypatch)  # the second app in the test
        async with asynccontextmanager(serve)(other, rasa) as second:
            assert (await post(first, update)).status_code == 200
            assert (await post(second, update)).status_code == 200  # Telegram's retry, balanced elsewhere
    assert [message.text for message in rasa.messages] == ["bonjour"]
    assert len(telegram_sent(telegram_api, "sendMessage", CHAT)) == 1


@asynccontextmanager
async def whatsapp_instance(
    channel: WhatsAppInput, rasa: WhatsAppRasa, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Twilio]:
    untouched_after_the_test(monkeypatch)
    app = Sanic(f"whatsapp_redis_{uuid.uuid4().hex[:8]}", configure_logging=False)
    app.blueprint(channel.blueprint(rasa.on_new_message), url_prefix="/webhooks/whatsapp")
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=SERVER_URL) as http:
            try:
                yield Twilio(http, channel, channel.settings.public_base_url or SERVER_URL, app)
            finally:
                await channel.idle()
                await channel.close()


async def test_a_whatsapp_message_and_an_option_on_two_instances(
    twilio_api: FakeApi, make: MakeMemory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twilio's retry of "menu" reaches the other instance, then the customer's "2" too."""
    rasa = WhatsAppRasa()
    settings = make_settings(twilio_api.url)
    one, other = (WhatsAppInput(settings, retry=FAST_RETRIES, memory=make()) for _ in "ab")
    async with (
        whatsapp_instance(one, rasa, monkeypatch) as first,
        whatsapp_instance(other, rasa, monkeypatch) as second,
    ):
        sid = message_sid()
        await first.message(BR_NUMBER, "menu", sid=sid)
        await second.message(BR_NUMBER, "menu", sid=sid)
        await second.message(BR_NUMBER, "2")
    assert rasa.texts() == ["menu", MENU[1]["payload"]]
    assert len(sent(twilio_api)) == 2  # the menu, the echo of the choice


def test_a_url_that_is_not_redis_is_refused_when_the_channel_is_made() -> None:
    with pytest.raises(ValueError, match="CHANNEL_MEMORY_REDIS_URL"):
        ChannelMemory("telegram", "127.0.0.1:6379")


def test_the_url_comes_from_the_environment_and_picks_the_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "redis://:s3cret@127.0.0.1:6379/2"
    monkeypatch.setenv(MEMORY_URL_ENV, url)
    telegram, whatsapp = TelegramSettings.from_env(), WhatsAppSettings.from_env()
    assert telegram.memory_redis_url == whatsapp.memory_redis_url == url
    assert "s3cret" not in repr(telegram) + repr(whatsapp)
    assert isinstance(ChannelMemory("telegram", telegram.memory_redis_url).values("u"), RedisRecentValues)
    monkeypatch.setenv(MEMORY_URL_ENV, "")
    assert isinstance(
        ChannelMemory("telegram", TelegramSettings.from_env().memory_redis_url).values("u"), RecentValues
    )
