"""The web chat channel in a real Sanic server (its own thread and event loop, on a free port), driven by
python-socketio clients playing the browsers. The Rasa side is a fake `on_new_message` that records the
message and answers through the message's output channel, as Rasa does."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import Any

import pytest
import socketio
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Sanic

from bot.channels.socketio import WidgetInput
from bot.channels.socketio_limits import WidgetLimits
from bot.channels.socketio_sessions import SessionSigner
from bot.redaction import CARD_MASK
from tests.unit.web.conftest import logged_text, untouched_after_the_test

PAGE_ORIGIN = "http://127.0.0.1:5080"
MAX_CHARS = 50
RATE_MESSAGES = 3
WAIT_S = 15  # an upper bound for an event to arrive, so that a failing test ends; never asserted


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeRasa:
    """Records what the channel hands to Rasa and answers "echo: <text>" to the conversation."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []
        self._lock = threading.Lock()

    async def on_new_message(self, message: UserMessage) -> None:
        with self._lock:
            self.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")

    def of(self, sender_id: str) -> list[UserMessage]:
        with self._lock:
            return [m for m in self.messages if m.sender_id == sender_id]


class ServerThread:
    """The channel's blueprint served by Sanic on 127.0.0.1, in a thread with its own event loop."""

    def __init__(self, channel: WidgetInput, rasa: FakeRasa) -> None:
        self.channel = channel
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        app = Sanic(f"widget_test_{uuid.uuid4().hex[:8]}", configure_logging=False)
        app.blueprint(channel.blueprint(rasa.on_new_message), url_prefix="/webhooks/widget")
        self._app = app
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="widget-server", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as error:  # reported to the test thread
            self._error = error
            return
        finally:
            self._started.set()
        self.loop.run_forever()

    async def _serve(self) -> None:
        server = await self._app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        assert server is not None  # already listening (Sanic 21.12 awaits it); routes ready after startup
        await server.startup()
        self._server = server

    def start(self) -> None:
        self._thread.start()
        if not self._started.wait(WAIT_S) or self._error is not None:
            raise RuntimeError("the test server did not start") from self._error

    def call(self, work: Coroutine[Any, Any, Any]) -> Any:
        """Runs `work` on the server's loop, as the Rasa server would (e.g. a reply sent later)."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(WAIT_S)

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        self.call(close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(WAIT_S)


class Browser:
    """A page with the widget: a socket.io client and the events it received, by name."""

    EVENTS = ("session_confirm", "bot_uttered", "bot_typing", "user_echo", "message_refused", "rate_limited")

    def __init__(self, url: str, origin: str = PAGE_ORIGIN) -> None:
        self.url = url
        self.origin = origin
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: dict[str, asyncio.Queue[Any]] = defaultdict(asyncio.Queue)
        for name in self.EVENTS:
            self.sio.on(name, handler=self._recorder(name))

    def _recorder(self, name: str) -> Any:
        async def record(data: Any = None) -> None:
            await self.received[name].put(data)

        return record

    async def connect(self) -> Browser:
        # Long-polling only: python-engineio's websocket client needs a newer aiohttp than Rasa's pin.
        # The browser test goes through the websocket upgrade.
        await self.sio.connect(
            self.url, headers={"Origin": self.origin}, transports=["polling"], wait_timeout=WAIT_S
        )
        return self

    async def next(self, event: str) -> Any:
        return await asyncio.wait_for(self.received[event].get(), WAIT_S)

    async def session(self, session_id: object = None) -> str:
        await self.sio.emit("session_request", {} if session_id is None else {"session_id": session_id})
        token = await self.next("session_confirm")
        assert isinstance(token, str)
        return token

    async def say(self, text: object, session_id: object, **extra: Any) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": session_id, **extra})

    async def close(self) -> None:
        # What `sio.disconnect()` does, without waiting for the pending long-poll to come back (up to
        # the server's ping interval): the client's HTTP session is closed under it instead.
        for namespace in self.sio.namespaces:
            goodbye = self.sio.packet_class(socketio.packet.DISCONNECT, namespace=namespace)
            await self.sio._send_packet(goodbye)
        await self.sio.eio.disconnect(abort=True)


def sender_of(token: str) -> str:
    return "web-" + token.split(".")[0]


SECRET = "test-widget-secret"


@pytest.fixture(scope="module")
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture(scope="module")
def channel() -> WidgetInput:
    return WidgetInput(
        signer=SessionSigner(SECRET),
        origins=[PAGE_ORIGIN],
        limits=WidgetLimits(max_message_chars=MAX_CHARS, rate_messages=RATE_MESSAGES, rate_window_s=3600),
    )


@pytest.fixture(scope="module")
def server(channel: WidgetInput, rasa: FakeRasa) -> Iterator[ServerThread]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        untouched_after_the_test(monkeypatch)
        running = ServerThread(channel, rasa)
        running.start()
        yield running
        running.stop()


@pytest.fixture(scope="module")
def output(server: ServerThread, channel: WidgetInput) -> OutputChannel:
    """The channel's output outside any request, as the Rasa HTTP API uses it (output_channel=latest)."""
    made = channel.get_output_channel()
    assert made is not None
    return made


Opener = Callable[..., Awaitable[Browser]]


@pytest.fixture
async def open_page(server: ServerThread) -> AsyncIterator[Opener]:
    """Opens a page (a connected client), closed after the test."""
    opened: list[Browser] = []

    async def open_one(origin: str = PAGE_ORIGIN) -> Browser:
        browser = await Browser(server.url, origin).connect()
        opened.append(browser)
        return browser

    yield open_one
    for browser in opened:
        await browser.close()


@pytest.fixture
def send_later(server: ServerThread, output: OutputChannel) -> Callable[[str, str], None]:
    """A reply sent later to a conversation (an agent's message), by session token."""

    def send(token: str, text: str) -> None:
        server.call(output.send_text_message(sender_of(token), text))

    return send


async def test_a_session_request_gets_a_signed_id(open_page: Opener) -> None:
    browser = await open_page()
    token = await browser.session()
    assert SessionSigner(SECRET).verify(token) is not None
    assert await browser.session(token) == token  # presented again (a reload): the same conversation


@pytest.mark.parametrize("forged", ["web-somebody", "my-own-id", "", 12, "A" * 24 + "." + "B" * 24])
async def test_a_forged_or_unknown_id_is_replaced(open_page: Opener, forged: object) -> None:
    token = await (await open_page()).session(forged)
    assert token != forged
    assert SessionSigner(SECRET).verify(token) is not None


async def test_a_message_reaches_rasa_with_the_verified_sender_and_the_reply_reaches_the_page(
    open_page: Opener, rasa: FakeRasa
) -> None:
    browser = await open_page()
    token = await browser.session()
    await browser.say("Bonjour", token, customData={"language": "pt-BR", "role": "admin"})
    assert await browser.next("bot_typing") == {"typing": True}
    assert await browser.next("bot_uttered") == {"text": "echo: Bonjour"}
    assert await browser.next("bot_typing") == {"typing": False}
    (message,) = rasa.of(sender_of(token))
    assert message.text == "Bonjour"
    assert message.input_channel == "widget"
    assert message.metadata == {"language": "pt"}


async def test_a_message_without_a_confirmed_session_is_refused(open_page: Opener, rasa: FakeRasa) -> None:
    token = await (await open_page()).session()
    intruder = await open_page()
    await intruder.say("je suis quelqu'un d'autre", token)  # a valid id, never confirmed to this socket
    assert await intruder.next("message_refused") == {"reason": "no_session"}
    other = await intruder.session()
    await intruder.say("toujours pas", token)  # confirmed another session, writes into this one
    assert await intruder.next("message_refused") == {"reason": "no_session"}
    await intruder.say("inventé", "web-" + token)
    assert await intruder.next("message_refused") == {"reason": "no_session"}
    await intruder.sio.emit("user_uttered", "not even an object")
    assert await intruder.next("message_refused") == {"reason": "no_session"}
    assert rasa.of(sender_of(token)) == [] and rasa.of(sender_of(other)) == []


async def test_a_reply_sent_later_through_the_output_channel_reaches_the_page(
    open_page: Opener, send_later: Callable[[str, str], None]
) -> None:
    """No request of this page is under way: `get_output_channel()` sends to the conversation's room."""
    browser = await open_page()
    send_later(await browser.session(), "Une conseillère vous répond.")
    assert await browser.next("bot_uttered") == {"text": "Une conseillère vous répond."}


async def test_every_page_of_a_conversation_receives_its_replies(
    open_page: Opener, send_later: Callable[[str, str], None]
) -> None:
    first = await open_page()
    token = await first.session()
    second = await open_page()
    assert await second.session(token) == token
    stranger = await open_page()
    stranger_token = await stranger.session()

    await first.say("une question, carte 4242 4242 4242 4242", token)
    assert await second.next("user_echo") == {"text": f"une question, carte {CARD_MASK}"}
    for page in (first, second):
        assert await page.next("bot_uttered") == {"text": f"echo: une question, carte {CARD_MASK}"}

    send_later(token, "plus tard")
    send_later(token, "encore")
    for page in (first, second):
        assert await page.next("bot_uttered") == {"text": "plus tard"}
        assert await page.next("bot_uttered") == {"text": "encore"}
    send_later(stranger_token, "à vous")
    assert await stranger.next("bot_uttered") == {"text": "à vous"}  # and nothing of the others before
    assert first.received["user_echo"].empty()  # the page that sent it shows it already
    assert stranger.received["user_echo"].empty()


async def test_a_page_leaves_its_old_room_when_it_changes_session(
    open_page: Opener, send_later: Callable[[str, str], None]
) -> None:
    browser = await open_page()
    old = await browser.session()
    new = await browser.session()  # no id: a new conversation
    assert new != old
    send_later(old, "pour l'ancienne")
    send_later(new, "pour la nouvelle")
    assert await browser.next("bot_uttered") == {"text": "pour la nouvelle"}  # the old one never came


async def test_a_handoff_message_is_one_bot_uttered_with_the_agent(
    open_page: Opener, server: ServerThread, output: OutputChannel, send_later: Callable[[str, str], None]
) -> None:
    browser = await open_page()
    token = await browser.session()
    sent = {"agent_joined": "Camille a rejoint la discussion.", "agent_message": "Bonjour !"}
    for event, text in sent.items():
        bot = BotUttered(text, data={"custom": {"handoff": {"event": event, "agent": "Camille"}}})
        server.call(output.send_response(sender_of(token), bot.message()))  # as Rasa's processor sends it
    send_later(token, "fin")
    for event, text in sent.items():
        assert await browser.next("bot_uttered") == {
            "text": text,
            "handoff": {"event": event, "agent": "Camille"},
        }
    assert await browser.next("bot_uttered") == {"text": "fin"}  # nothing was sent in between


async def test_too_long_messages_are_refused_whole(open_page: Opener, rasa: FakeRasa) -> None:
    browser = await open_page()
    token = await browser.session()
    await browser.say("x" * (MAX_CHARS + 1), token)
    assert await browser.next("message_refused") == {"reason": "too_long", "max_chars": MAX_CHARS}
    await browser.say("y" * MAX_CHARS, token)
    assert await browser.next("bot_uttered") == {"text": "echo: " + "y" * MAX_CHARS}
    await browser.say(["not", "text"], token)
    assert await browser.next("message_refused") == {"reason": "invalid"}
    assert [m.text for m in rasa.of(sender_of(token))] == ["y" * MAX_CHARS]


async def test_messages_beyond_the_rate_limit_are_dropped_and_the_page_is_told(
    open_page: Opener, rasa: FakeRasa
) -> None:
    first = await open_page()
    token = await first.session()
    second = await open_page()
    await second.session(token)  # the limit is the conversation's, whichever page sends
    for index in range(RATE_MESSAGES):
        await first.say(f"message {index}", token)
    replies = {(await first.next("bot_uttered"))["text"] for _ in range(RATE_MESSAGES)}
    assert replies == {f"echo: message {index}" for index in range(RATE_MESSAGES)}
    await second.say("one too many", token)
    limited = await second.next("rate_limited")
    assert 0 < limited["retry_after_s"] <= 3600
    await first.say("and another", token)
    assert (await first.next("rate_limited"))["retry_after_s"] > 0
    assert [m.text for m in rasa.of(sender_of(token))] == [f"message {i}" for i in range(RATE_MESSAGES)]
    other = await open_page()
    other_token = await other.session()
    await other.say("une autre conversation", other_token)
    assert await other.next("bot_uttered") == {"text": "echo: une autre conversation"}


async def test_card_numbers_are_masked_before_rasa_and_never_logged(
    open_page: Opener, rasa: FakeRasa, logged: pytest.LogCaptureFixture
) -> None:
    browser = await open_page()
    token = await browser.session()
    await browser.say("carte 4242 4242 4242 4242 ok", token)
    assert await browser.next("bot_uttered") == {"text": f"echo: carte {CARD_MASK} ok"}
    await browser.say("4242424242424242" + "0" * MAX_CHARS, token)  # refused: logged without its text
    assert (await browser.next("message_refused"))["reason"] == "too_long"
    assert [m.text for m in rasa.of(sender_of(token))] == [f"carte {CARD_MASK} ok"]
    assert "4242" not in logged_text(logged)
    assert "channel.message_redacted" in logged.messages and "widget.message_refused" in logged.messages


async def test_pages_of_other_origins_cannot_connect(open_page: Opener) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await open_page(origin="https://evil.example")
    assert await (await open_page()).session()
