"""The web chat channel (socket.io), in credentials.yml as `bot.channels.socketio.WidgetInput`.

Rasa's socket.io protocol, so Rasa's own widgets work too: the client emits `session_request`
{session_id?} and gets `session_confirm` <session_id>, then emits `user_uttered` {message, session_id,
customData?} and gets one `bot_uttered` per bot message. Unlike Rasa's built-in channel:

- the server issues the session ids, signed (bot/channels/socketio_sessions.py): an id the server did
  not sign gets a fresh one, and a socket can only write into the session it was confirmed;
- each socket joins its conversation's room, awaited (RasaHQ/rasa#13027), and replies go to that room,
  also later ones (a human agent's replies through the HTTP API): every open tab receives them;
- messages are limited in size and rate per session, origins are checked (`WIDGET_ALLOWED_ORIGINS`),
  card numbers, IBANs and CPFs are masked before Rasa stores the message (bot/channels/redacting.py);
- only the page's language (`customData.language`) is passed on as message metadata.

Extra events, which Rasa's widgets ignore: `bot_typing` {typing} to the room while the bot works on a
message, `user_echo` {text} (masked) to the conversation's other sockets, so that every open tab shows
the whole conversation, and `message_refused` {reason[, max_chars]} and `rate_limited` {retry_after_s}
to the sender.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.redacting import MessageHandler, redacted
from bot.channels.socketio_limits import RateLimiter, WidgetLimits, allowed_origins
from bot.channels.socketio_output import CHANNEL_NAME, WidgetOutput
from bot.channels.socketio_redis import client_manager_from_env
from bot.channels.socketio_sessions import SessionSigner, WidgetSession
from bot.i18n import normalize_language

logger = logging.getLogger(__name__)

SESSION_REQUEST = "session_request"
SESSION_CONFIRM = "session_confirm"
USER_UTTERED = "user_uttered"
TYPING = "bot_typing"
USER_ECHO = "user_echo"
REFUSED = "message_refused"
RATE_LIMITED = "rate_limited"
# One socket.io packet (engine.io payload): a 2000-character message is at most 8 KB of UTF-8.
MAX_PACKET_BYTES = 64 * 1024


class WidgetInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        defaults = WidgetLimits()
        limits = WidgetLimits(
            max_message_chars=int(credentials.get("max_message_chars", defaults.max_message_chars)),
            rate_messages=int(credentials.get("rate_limit_messages", defaults.rate_messages)),
            rate_window_s=float(credentials.get("rate_limit_seconds", defaults.rate_window_s)),
        )
        return cls(limits=limits, socketio_path=str(credentials.get("socketio_path", "/socket.io")))

    def __init__(
        self,
        signer: SessionSigner | None = None,
        origins: list[str] | None = None,
        limits: WidgetLimits | None = None,
        socketio_path: str = "/socket.io",
    ) -> None:
        self.signer = signer  # None: SessionSigner.from_env() when the server starts (the blueprint)
        self.origins = origins or allowed_origins()
        self.limits = limits or WidgetLimits()
        self.socketio_path = socketio_path
        self._output: WidgetOutput | None = None  # made with the blueprint
        self._sessions: dict[str, WidgetSession] = {}  # socket id -> the session it was confirmed
        self._limiter = RateLimiter(self.limits.rate_messages, self.limits.rate_window_s)

    def get_output_channel(self) -> OutputChannel | None:
        """Sends to the room of the recipient (sender id): usable outside a request, e.g. by the HTTP
        API's `output_channel=latest`. None before the blueprint is made (nothing to send through)."""
        return self._output

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        signer = self.signer or SessionSigner.from_env()
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins="*" if "*" in self.origins else self.origins,
            max_http_buffer_size=MAX_PACKET_BYTES,
            client_manager=client_manager_from_env(),  # several instances: emits through Redis
        )
        output = self._output = WidgetOutput(sio)
        webhook = SocketBlueprint(sio, self.socketio_path, "widget_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def refuse(sid: str, reason: str, session: WidgetSession | None = None, **details: Any) -> None:
            sender = session.sender_id if session else None
            logger.info("widget.message_refused", extra={"reason": reason, "socket": sid, "sender": sender})
            await sio.emit(REFUSED, {"reason": reason, **details}, to=sid)

        @sio.on("disconnect")
        async def disconnect(sid: str, *_: object) -> None:
            self._sessions.pop(sid, None)

        @sio.on(SESSION_REQUEST)
        async def session_request(sid: str, data: object = None) -> None:
            requested = data.get("session_id") if isinstance(data, Mapping) else None
            session = signer.verify(requested)
            if session is None:
                session = signer.issue()
                logger.info(
                    "widget.session_issued",
                    extra={"sender": session.sender_id, "replaced_invalid_id": bool(requested)},
                )
            previous = self._sessions.get(sid)
            if previous is not None and previous.sender_id != session.sender_id:
                await sio.leave_room(sid, previous.sender_id)
            self._sessions[sid] = session
            await sio.enter_room(sid, session.sender_id)
            await sio.emit(SESSION_CONFIRM, session.token, to=sid)

        @sio.on(USER_UTTERED)
        async def user_uttered(sid: str, data: object = None) -> None:
            session = self._sessions.get(sid)
            # the socket's own session: the id it was confirmed, which it holds already
            if not isinstance(data, Mapping) or session is None or data.get("session_id") != session.token:
                await refuse(sid, "no_session")
                return
            text = data.get("message")
            if not isinstance(text, str):
                await refuse(sid, "invalid", session)
                return
            if len(text) > self.limits.max_message_chars:
                await refuse(sid, "too_long", session, max_chars=self.limits.max_message_chars)
                return
            if not self._limiter.allow(session.sender_id):
                retry_after = math.ceil(self._limiter.retry_after(session.sender_id))
                logger.info("widget.rate_limited", extra={"sender": session.sender_id})
                await sio.emit(RATE_LIMITED, {"retry_after_s": retry_after}, to=sid)
                return
            message = redacted(  # masked before the echo to the other tabs, and before Rasa
                UserMessage(
                    text,
                    output,
                    session.sender_id,
                    input_channel=self.name(),
                    metadata=page_metadata(data),
                )
            )
            if message.text:  # the conversation's other tabs show it too (masked)
                await sio.emit(USER_ECHO, {"text": message.text}, to=session.sender_id, skip_sid=sid)
            await sio.emit(TYPING, {"typing": True}, to=session.sender_id)
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("widget.message_failed", extra={"sender": session.sender_id})
                await sio.emit(REFUSED, {"reason": "server_error"}, to=sid)
            finally:
                await sio.emit(TYPING, {"typing": False}, to=session.sender_id)

        return webhook


def page_metadata(data: Mapping[str, Any]) -> dict[str, Any]:
    """The message metadata Rasa gets: the page's language only (`customData.language`, or Rasa's
    `metadata.language`), as `{"language": "fr"|"pt"}`; any other client data is dropped."""
    for key in ("customData", "metadata"):
        custom = data.get(key)
        if isinstance(custom, Mapping):
            language = normalize_language(custom.get("language"))
            if language:
                return {"language": language}
    return {}
