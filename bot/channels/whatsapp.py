"""WhatsApp through Twilio, in credentials.yml as `bot.channels.whatsapp.WhatsAppInput`; settings from the
environment (bot/channels/whatsapp_settings.py), off while Twilio's are missing.

Routes, under /webhooks/whatsapp: `POST /webhook` (Twilio's incoming-message webhook), `POST /status`
(the status callbacks of the messages sent), `GET /` (health). Unlike Rasa's built-in Twilio channel:

- every post must carry a valid `X-Twilio-Signature` (checked against WHATSAPP_PUBLIC_BASE_URL behind a
  proxy), or it is refused (403) before anything is read;
- a delivery Twilio repeats (same MessageSid) is processed once, even by another Rasa instance when the
  channel's memory is in Redis (CHANNEL_MEMORY_REDIS_URL, bot/channels/memory.py); Twilio gets its
  answer (empty TwiML) at once, and the message is processed in the background, a customer's messages
  in their order;
- a photo, voice note, file or location reaches Rasa as a placeholder with `metadata.media`, for the NLU
  to answer; the phone number's country gives a language hint (`metadata.language`);
- an answer to the numbered options of the last message with buttons ("2", or the option's words) is
  handed to Rasa as that option's payload (bot/channels/whatsapp_choices.py);
- replies go out through twilio's asynchronous client without blocking the server, with retries
  (bot/channels/whatsapp_output.py, bot/channels/whatsapp_sender.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from asyncio import AbstractEventLoop
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.memory import ChannelMemory
from bot.channels.phone_language import masked_number
from bot.channels.redacting import MessageHandler, redacted
from bot.channels.retry import RetryPolicy
from bot.channels.whatsapp_choices import chosen_option
from bot.channels.whatsapp_inbound import Inbound, first, inbound_message
from bot.channels.whatsapp_output import CHANNEL_NAME, SENDER_PREFIX, WhatsAppOutput
from bot.channels.whatsapp_sender import TwilioSender
from bot.channels.whatsapp_settings import ADDRESS_PREFIX, STATUS_PATH, WhatsAppSettings

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
FAILED_STATUSES = frozenset({"failed", "undelivered"})


class SenderLocks:
    """One lock per sender, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: Counter[str] = Counter()

    @asynccontextmanager
    async def hold(self, sender_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(sender_id, asyncio.Lock())
        self._users[sender_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[sender_id] -= 1
            if not self._users[sender_id]:
                del self._users[sender_id], self._locks[sender_id]


class WhatsAppInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()  # the settings come from the environment (secrets stay out of credentials.yml)

    def __init__(
        self,
        settings: WhatsAppSettings | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        memory: ChannelMemory | None = None,
    ) -> None:
        self.settings = settings or WhatsAppSettings.from_env()
        self.memory = memory or ChannelMemory(CHANNEL_NAME, self.settings.memory_redis_url)
        self.output: WhatsAppOutput | None = None
        if self.settings.configured:
            sender = TwilioSender(self.settings, retry)
            self.output = WhatsAppOutput(self.settings, sender, clock, self.memory)
        self._recent = self.memory.ids("message")  # MessageSids already seen
        self._validator = RequestValidator(self.settings.auth_token)
        self._locks = SenderLocks()
        self._tasks: set[asyncio.Task[None]] = set()

    def get_output_channel(self) -> OutputChannel | None:
        return self.output

    async def idle(self) -> None:
        """Waits until the messages received were processed and the replies sent (or failed)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.output is not None:
            await self.output.sender.idle()

    async def close(self) -> None:
        if self.output is not None:
            await self.output.sender.close()
        await self.memory.close()

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", url_prefix=None)
        output = self.output
        if output is None:
            logger.warning("whatsapp.not_configured")

        @webhook.listener("before_server_start")
        async def reach_trackers(app: Sanic, _: AbstractEventLoop) -> None:
            if output is not None:
                output.trackers = lambda sender_id: _rasa_tracker(app, sender_id)

        @webhook.listener("after_server_stop")
        async def close(_: Sanic, __: AbstractEventLoop) -> None:
            await self.close()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"}) if output else _not_configured()

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if output is None:
                return _not_configured()
            form = self._signed_form(request)
            if form is None:
                return _forbidden(request)
            try:
                self._accept(form, on_new_message, output)
            except Exception:  # never a 500, which Twilio would post again and again
                logger.exception("whatsapp.update_failed")
            return response.text(EMPTY_TWIML, content_type="text/xml")

        @webhook.route(STATUS_PATH, methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            if output is None:
                return _not_configured()
            form = self._signed_form(request)
            if form is None:
                return _forbidden(request)
            state = first(form, "MessageStatus")
            extra = {
                "sid": first(form, "MessageSid"),
                "status": state,
                "error_code": first(form, "ErrorCode") or None,
                "recipient": masked_number(first(form, "To").removeprefix(ADDRESS_PREFIX)),
            }
            level = logging.WARNING if state in FAILED_STATUSES else logging.INFO
            logger.log(level, "whatsapp.status", extra=extra)
            return response.empty()

        return webhook

    def _signed_form(self, request: Request) -> dict[str, list[str]] | None:
        """The posted form, if Twilio signed it (its signature covers the URL and every field)."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return None
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        # Blank fields too (Sanic's `request.form` drops them): Twilio signs them.
        form = RequestParameters(parse_qs(body, keep_blank_values=True))
        url = self.settings.signed_url(request.url, request.path, request.query_string)
        valid = self._validator.validate(url, form, signature)
        return dict(form) if valid else None

    def _accept(
        self, form: dict[str, list[str]], on_new_message: MessageHandler, output: WhatsAppOutput
    ) -> None:
        inbound = inbound_message(form)
        if inbound is None:
            logger.warning("whatsapp.update_malformed", extra={"fields": sorted(form)})
            return
        # Spawned before anything is awaited: the tasks take the sender's lock in order of arrival.
        self._spawn(self._process(inbound, on_new_message, output))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)  # a reference, or the task could be garbage-collected while it runs
        task.add_done_callback(self._tasks.discard)

    async def _process(
        self, inbound: Inbound, on_new_message: MessageHandler, output: WhatsAppOutput
    ) -> None:
        async with self._locks.hold(inbound.sender_id):
            try:
                if not await self._recent.first_time(inbound.message_sid):
                    logger.info("whatsapp.replay_ignored", extra={"sid": inbound.message_sid})
                    return
                await output.customer_wrote(inbound.sender_id)
                await on_new_message(redacted(await self._message(inbound, output)))
            except Exception:
                logger.exception("whatsapp.message_failed", extra={"sid": inbound.message_sid})

    async def _message(self, inbound: Inbound, output: WhatsAppOutput) -> UserMessage:
        """What Rasa gets: the text as typed, or the payload of the option it picks."""
        text = inbound.text
        offered = await output.offered_options(inbound.sender_id) if inbound.typed else []
        option = chosen_option(text, offered)
        if option is not None:
            await output.forget_options(inbound.sender_id)
            text = option.payload
            extra = {"sender": masked_number(inbound.sender_id.removeprefix(SENDER_PREFIX))}
            logger.info("whatsapp.option_chosen", extra=extra)
        return UserMessage(
            text,
            output,
            inbound.sender_id,
            input_channel=self.name(),
            message_id=inbound.message_sid,
            metadata=inbound.metadata,
        )


async def _rasa_tracker(app: Sanic, sender_id: str) -> DialogueStateTracker | None:
    agent = getattr(app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    return await store.retrieve(sender_id) if store is not None else None


def _not_configured() -> HTTPResponse:
    return response.json({"error": "not_configured"}, status=503)


def _forbidden(request: Request) -> HTTPResponse:
    logger.warning("whatsapp.signature_invalid", extra={"path": request.path})
    return response.json({"error": "forbidden"}, status=403)
