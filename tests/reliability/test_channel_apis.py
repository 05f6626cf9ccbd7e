"""Channel APIs answering 429 or 5xx: retries with backoff, no duplicate sends.

A real Rasa server in the production configuration (PostgreSQL tracker store, Redis lock store), with its
Telegram and WhatsApp channels pointed at fake Bot and Twilio APIs (tests/fakes/) that fail on cue.
Customer messages arrive as the platforms post them: a Telegram update with the webhook secret, a Twilio
form signed with twilio's own RequestValidator.

- Telegram: 429 (retry_after) then 502 twice, then 200: the server waits what Telegram asked, then
  backs off, growing; every bot message of the turn is accepted exactly once, in order.
- WhatsApp: 429 then 503, then 201: backoff, growing; every part created exactly once, in order (a
  message Twilio refused with 429/5xx was not created, so sending it again is no duplicate).
- Either API down for good: each message is tried the configured number of times, the give-up is
  logged, the platform still gets a normal answer from our webhook (never a 5xx, which it would
  redeliver), the server stays up, and the next message after the API recovers is delivered.

The figures are read at the fake: calls, their answers and the times they came.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.channels.whatsapp import EMPTY_TWIML
from bot.channels.whatsapp_sender import DEFAULT_RETRY as TWILIO_RETRY
from tests.conversation.channel_apis import channel_env, post_telegram, post_whatsapp, whatsapp_form
from tests.conversation.polling import wait_for
from tests.fakes.http_api import Answer, FakeApi, RecordedRequest
from tests.fakes.telegram_api import fake_telegram_api, server_error, too_many_requests
from tests.fakes.telegram_updates import text_update
from tests.fakes.twilio_api import MESSAGES_PATH, fake_twilio_api, twilio_error
from tests.fakes.twilio_api import too_many_requests as twilio_too_many_requests
from tests.postgres import fresh_database
from tests.reliability.report import Figures
from tests.stack import Layout, Stack, production_env, running_stack

AREA = "Channel APIs"
RETRY_AFTER_S = 1
TELEGRAM_ATTEMPTS = 4
TELEGRAM_DELAY_S = 0.3
# Small but non-zero: the waits show at the fake. (WhatsApp's retry policy has no setting: its default.)
RETRY_ENV = {
    "TELEGRAM_SEND_ATTEMPTS": str(TELEGRAM_ATTEMPTS),
    "TELEGRAM_RETRY_DELAY_S": str(TELEGRAM_DELAY_S),
    "TELEGRAM_MAX_RETRY_AFTER_S": "5",
}
SETTLE_S = 3.0  # after the last expected delivery: long enough for a late duplicate to show
ASKING = "Bonjour, je voudrais connaître mon solde"
THEN = "je voudrais connaître mon solde"


@dataclass(frozen=True)
class Apis:
    telegram: FakeApi
    twilio: FakeApi


@pytest.fixture(scope="module")
def apis() -> Iterator[Apis]:
    """The module's own fakes: the scripted failures of these rows reach no other test."""
    telegram, twilio = fake_telegram_api().start(), fake_twilio_api().start()
    yield Apis(telegram, twilio)
    telegram.stop()
    twilio.stop()


@pytest.fixture(scope="module")
def channel_stack(model: str, apis: Apis, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The production layout, like the suite's `production_stack`, with the Telegram and WhatsApp
    channels on and short retry delays: a stack of its own (fresh databases), so the shared one keeps
    its channels off and its settings."""
    with fresh_database("billing_chan") as billing_url, fresh_database("tracker_chan") as tracker_url:
        workdir = tmp_path_factory.mktemp("channel-apis")
        env = {**production_env(tracker_url), **channel_env(apis.telegram, apis.twilio), **RETRY_ENV}
        layout = Layout(endpoints="endpoints.production.yml")
        with running_stack(workdir, billing_url, model, layout, env) as stack:
            stack.tracker_url = tracker_url
            yield stack


@dataclass
class Channel:
    """One customer on one channel: how their messages are posted, and what the fake received for them."""

    stack: Stack
    api: FakeApi
    path: str  # the API call that sends a message
    recipient: tuple[str, str]  # (field, value) naming the customer in that call
    text_field: str
    sender_id: str  # Rasa's
    post_text: Callable[[str], httpx.Response]
    normal_answer: Callable[[httpx.Response], bool]  # our webhook's usual answer to the platform

    def calls(self) -> list[tuple[RecordedRequest, Answer]]:
        field, value = self.recipient
        return [(r, a) for r, a in self.api.answered(self.path) if r.fields().get(field) == value]

    def accepted(self) -> list[str]:
        return [str(r.fields().get(self.text_field)) for r, a in self.calls() if a.status < 300]

    def turn(self, said: str) -> list[str]:
        """The bot's texts in answer to the customer's last `said` (none until the turn is stored)."""
        events = self.stack.assistant.tracker(self.sender_id)["events"]
        starts = [i for i, e in enumerate(events) if e["event"] == "user" and e.get("text") == said]
        texts: list[str] = []
        for event in events[starts[-1] + 1 :] if starts else []:
            if event["event"] == "user":
                break
            if event["event"] == "bot" and event.get("text"):
                texts.append(event["text"])
        return texts

    def say(self, said: str) -> tuple[httpx.Response, list[str]]:
        """Posts the customer's message; our webhook's answer and the bot's texts for the turn."""
        response = self.post_text(said)
        wait_for(lambda: self.turn(said), 1, "bot message of the turn")
        return response, self.turn(said)

    def delivered(self, count: int) -> list[str]:
        """The texts accepted for this customer, once `count` are and a late duplicate had time to come."""
        wait_for(self.accepted, count, "accepted message")
        time.sleep(SETTLE_S)
        return self.accepted()


def telegram(stack: Stack, api: FakeApi) -> Channel:
    chat = random.randint(10**9, 2 * 10**9)

    def post_text(text: str) -> httpx.Response:
        return post_telegram(stack.assistant, text_update(chat, text, language="fr-FR"))

    return Channel(
        stack,
        api,
        path="/sendMessage",
        recipient=("chat_id", str(chat)),
        text_field="text",
        sender_id=f"telegram-{chat}",
        post_text=post_text,
        normal_answer=lambda response: response.status_code == 200 and response.json() == {},
    )


def whatsapp(stack: Stack, api: FakeApi) -> Channel:
    number = f"+336{random.randint(10**7, 10**8 - 1)}"

    def post_text(text: str) -> httpx.Response:
        return post_whatsapp(stack.assistant, whatsapp_form(number, text))

    return Channel(
        stack,
        api,
        path=MESSAGES_PATH,
        recipient=("To", f"whatsapp:{number}"),
        text_field="Body",
        sender_id=f"whatsapp-{number}",
        post_text=post_text,
        normal_answer=lambda response: response.status_code == 200 and EMPTY_TWIML in response.text,
    )


@pytest.fixture
def fresh_apis(apis: Apis) -> Apis:
    """No request recorded and no failure scripted yet."""
    apis.telegram.reset()
    apis.twilio.reset()
    return apis


def matches(accepted: list[str], turn: list[str]) -> bool:
    """Each bot message once, in order (a WhatsApp body may end with the numbered options)."""
    return len(accepted) == len(turn) and all(a.startswith(t) for a, t in zip(accepted, turn, strict=True))


def waits_after_failures(channel: Channel) -> list[tuple[int, float]]:
    """(status of a failed call, seconds until the next call for the customer came), in order."""
    calls = channel.calls()
    return [
        (answer.status, later.received_at - request.received_at)
        for (request, answer), (later, _) in itertools.pairwise(calls)
        if answer.status >= 300
    ]


def record(figures: Figures, channel: Channel, injected: int, accepted: list[str]) -> None:
    figures["attempts"] = len(channel.calls())
    figures["failures injected"] = injected
    figures["delivered"] = len(accepted)
    figures["duplicates"] = len(accepted) - len(set(accepted))
    waits = waits_after_failures(channel)
    figures["waits observed"] = ", ".join(f"{wait:.2f} s after {status}" for status, wait in waits)


def assert_delivered_once(channel: Channel, turn: list[str], accepted: list[str]) -> None:
    attempted = list(dict.fromkeys(str(r.fields().get(channel.text_field)) for r, _ in channel.calls()))
    assert len(set(accepted)) == len(accepted), f"a message accepted twice: {accepted}"
    assert accepted == attempted, "every message tried was finally accepted, in order"
    assert matches(accepted, turn), (accepted, turn)


@pytest.mark.reliability(AREA, "Telegram: 429 (retry_after 1 s), 502 ×2 → wait, backoff, each message once")
def test_telegram_429_then_5xx(channel_stack: Stack, fresh_apis: Apis, figures: Figures) -> None:
    channel = telegram(channel_stack, fresh_apis.telegram)
    channel.api.fail(too_many_requests(RETRY_AFTER_S), times=1, path_contains="/sendMessage")
    channel.api.fail(server_error(502), times=2, path_contains="/sendMessage")

    response, turn = channel.say(ASKING)
    accepted = channel.delivered(len(turn))
    record(figures, channel, 3, accepted)

    assert channel.normal_answer(response), (response.status_code, response.text)
    assert [answer.status for _, answer in channel.calls()][:4] == [429, 502, 502, 200]
    assert_delivered_once(channel, turn, accepted)
    (_, after_429), (_, after_first_502), (_, after_second_502) = waits_after_failures(channel)
    assert after_429 >= RETRY_AFTER_S, "the time Telegram asked for was waited"
    # The 429 counts as the first failure: the 502s wait base × 2, then base × 4.
    assert after_first_502 >= 2 * TELEGRAM_DELAY_S
    assert after_second_502 >= 4 * TELEGRAM_DELAY_S
    assert after_second_502 > after_first_502, "the backoff grows"


@pytest.mark.reliability(AREA, "WhatsApp: Twilio 429, then 503 → backoff, each part created once")
def test_twilio_429_then_5xx(channel_stack: Stack, fresh_apis: Apis, figures: Figures) -> None:
    channel = whatsapp(channel_stack, fresh_apis.twilio)
    channel.api.fail(twilio_too_many_requests(), times=1, path_contains=MESSAGES_PATH)
    channel.api.fail(twilio_error(503, 20503, "Service Unavailable"), times=1, path_contains=MESSAGES_PATH)

    response, turn = channel.say(ASKING)
    accepted = channel.delivered(len(turn))
    record(figures, channel, 2, accepted)

    assert channel.normal_answer(response), (response.status_code, response.text)
    assert [answer.status for _, answer in channel.calls()][:3] == [429, 503, 201]
    assert_delivered_once(channel, turn, accepted)
    (_, after_429), (_, after_503) = waits_after_failures(channel)
    assert after_429 >= TWILIO_RETRY.backoff_s(1)
    assert after_503 >= TWILIO_RETRY.backoff_s(2)
    assert after_503 > after_429, "the backoff grows"


def log_size(stack: Stack) -> int:
    return stack.services["rasa"].log.stat().st_size


def log_lines_since(log: Path, offset: int, event: str) -> list[str]:
    with open(log, "rb") as lines:
        lines.seek(offset)
        return [line for line in lines.read().decode("utf-8", "replace").splitlines() if event in line]


DOWN = "→ tries used up, give-up logged, our webhook still 200, next message delivered"
CHANNELS_DOWN = [
    pytest.param(
        telegram,
        "telegram.delivery_failed",
        TELEGRAM_ATTEMPTS,
        server_error(503),
        marks=pytest.mark.reliability(AREA, f"Telegram API down (503 forever) {DOWN}"),
        id="telegram",
    ),
    pytest.param(
        whatsapp,
        "whatsapp.delivery_failed",
        TWILIO_RETRY.attempts,
        twilio_error(500),
        marks=pytest.mark.reliability(AREA, f"Twilio API down (500 forever) {DOWN}"),
        id="whatsapp",
    ),
]


@pytest.mark.parametrize(("make_channel", "give_up", "attempts", "failure"), CHANNELS_DOWN)
def test_the_api_down_for_good(
    channel_stack: Stack,
    fresh_apis: Apis,
    figures: Figures,
    make_channel: Callable[[Stack, FakeApi], Channel],
    give_up: str,
    attempts: int,
    failure: Answer,
) -> None:
    api = fresh_apis.telegram if make_channel is telegram else fresh_apis.twilio
    channel = make_channel(channel_stack, api)
    rasa = channel_stack.services["rasa"]
    offset = log_size(channel_stack)
    api.fail_until_recovered(failure, path_contains=channel.path)

    during, lost = channel.say(ASKING)
    gave_up = wait_for(lambda: log_lines_since(rasa.log, offset, give_up), len(lost), "give-up logged")
    wait_for(channel.calls, attempts * len(lost), "call")
    time.sleep(SETTLE_S)  # for an attempt too many to show
    tried = channel.calls()
    api.recover()
    after, turn = channel.say(THEN)
    accepted = channel.delivered(len(turn))

    figures["failures answered"] = len(tried)
    figures["attempts per message"] = f"{len(tried) / len(lost):g}"
    figures["give-ups logged"] = len(gave_up)
    figures["our webhook answered"] = f"{during.status_code}, then {after.status_code}"
    figures["delivered after recovery"] = len(accepted)
    figures["duplicates"] = len(accepted) - len(set(accepted))

    assert channel.normal_answer(during), (during.status_code, during.text)
    assert channel.normal_answer(after), (after.status_code, after.text)
    assert all(answer.status == failure.status for _, answer in tried)
    assert len(tried) == attempts * len(lost), "each message tried as often as configured, no more"
    assert len(gave_up) == len(lost), gave_up
    assert rasa.process is not None and rasa.process.poll() is None, "the Rasa server crashed"
    assistant = channel_stack.assistant
    assert httpx.get(f"{assistant.base_url}/status", params={"token": assistant.token}).status_code == 200
    assert matches(accepted, turn) and len(set(accepted)) == len(accepted), (accepted, turn)
