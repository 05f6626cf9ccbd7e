"""Sends WhatsApp messages through Twilio's REST API (twilio's own client, asynchronous), in order, one
queue per recipient, with retries.

- The parts of a message, and the messages to one recipient, go out one after the other; a retry resends
  only the part that failed, and a part that finally fails drops the rest of its message.
- Retried, with exponential backoff: Twilio's 429 and 5xx, and connection errors that happen before the
  request is sent. Not retried: other 4xx (rejected), and a request that went out but got no answer (a
  timeout): Twilio may have created the message, and a retry could deliver it twice.
- `post` queues a message and returns at once (the bot's replies: the server never waits for Twilio);
  `send` waits for its turn and its outcome (an agent's message, whose failure the agent is told).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.channels.phone_language import masked_number
from bot.channels.retry import RetryPolicy
from bot.channels.whatsapp_settings import DEFAULT_API_URL, WhatsAppSettings

logger = logging.getLogger(__name__)
# twilio's client logs every request and response at INFO: our own events say what matters.
_http_logger = logging.getLogger(f"{__name__}.http")
_http_logger.setLevel(logging.WARNING)

DEFAULT_TIMEOUT_S = 20.0
# Requests to Twilio in flight at once, over all recipients: Twilio refuses (429) beyond an account's
# concurrency, and a burst of hundreds of conversations must not open hundreds of connections at once.
MAX_CONCURRENT_REQUESTS = 20
TOO_MANY_REQUESTS = 429


@dataclass(frozen=True)
class OutgoingMessage:
    """One Twilio message: a text part, a file (`media_url`, with an optional caption) or a template."""

    to: str  # "whatsapp:+33612345678"
    body: str = ""
    media_url: str | None = None
    content_sid: str | None = None
    content_variables: str | None = None  # JSON


class Outcome(enum.Enum):
    SENT = "sent"
    UNCERTAIN = "uncertain"  # the request went out and no answer came back: perhaps sent
    UNREACHABLE = "unreachable"  # Twilio kept failing or could not be reached
    REJECTED = "rejected"  # Twilio refused the message (4xx)


# Twilio answers 429 without saying how long to wait: backoff only.
DEFAULT_RETRY = RetryPolicy(attempts=4, base_delay_s=0.5)


class RoutedTwilioHttpClient(AsyncTwilioHttpClient):
    """twilio's aiohttp client, sending to `api_url` instead of https://api.twilio.com, and with a
    timeout (the base class ignores its own, and aiohttp then waits forever). It opens its aiohttp
    session when made: make it inside the running event loop."""

    def __init__(self, api_url: str, timeout_s: float) -> None:
        super().__init__(timeout=timeout_s, logger=_http_logger)
        self.api_url = api_url

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Any:
        if url.startswith(DEFAULT_API_URL):
            url = self.api_url + url[len(DEFAULT_API_URL) :]
        timeout = self.timeout if timeout is None else timeout
        return await super().request(method, url, params, data, headers, auth, timeout, allow_redirects)


@dataclass
class _Job:
    parts: Sequence[OutgoingMessage]
    outcome: asyncio.Future[Outcome]


class TwilioSender:
    def __init__(
        self,
        settings: WhatsAppSettings,
        retry: RetryPolicy | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.retry = retry or DEFAULT_RETRY
        self.timeout_s = timeout_s
        self._sleep = sleep
        self._http: RoutedTwilioHttpClient | None = None
        self._client: Client | None = None
        self._in_flight: asyncio.Semaphore | None = None  # made in the server's event loop
        self._queues: dict[str, deque[_Job]] = {}  # recipient -> jobs, the one being sent first
        self._workers: set[asyncio.Task[None]] = set()

    def post(self, parts: Sequence[OutgoingMessage]) -> None:
        """Queues the message and returns; a failure is logged (`whatsapp.delivery_failed`)."""
        if parts:
            self._submit(parts)

    async def send(self, parts: Sequence[OutgoingMessage]) -> Outcome:
        """Queues the message and waits until it is sent or has finally failed."""
        return await self._submit(parts) if parts else Outcome.SENT

    async def idle(self) -> None:
        """Waits until every queued message was sent or has failed."""
        while self._workers:
            await asyncio.gather(*self._workers, return_exceptions=True)

    async def close(self) -> None:
        """Drops what is still queued (each logged) and closes the HTTP session."""
        for worker in list(self._workers):
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
        self._http = self._client = None

    def _requests(self) -> asyncio.Semaphore:
        if self._in_flight is None:
            self._in_flight = asyncio.Semaphore(MAX_CONCURRENT_REQUESTS)
        return self._in_flight

    def _submit(self, parts: Sequence[OutgoingMessage]) -> asyncio.Future[Outcome]:
        recipient = parts[0].to
        job = _Job(parts, asyncio.get_running_loop().create_future())
        queue = self._queues.get(recipient)
        if queue is None:
            queue = self._queues[recipient] = deque()
            worker = asyncio.create_task(self._drain(recipient, queue))
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)
        queue.append(job)
        return job.outcome

    async def _drain(self, recipient: str, queue: deque[_Job]) -> None:
        try:
            while queue:
                job = queue[0]
                outcome = await self._send_parts(job.parts)
                queue.popleft()
                if not job.outcome.done():
                    job.outcome.set_result(outcome)
        finally:  # no await from the last check of the queue to here: nothing was queued in between
            del self._queues[recipient]
            for job in queue:  # cancelled: the server is stopping
                logger.warning("whatsapp.delivery_dropped", extra={"recipient": _masked(recipient)})
                if not job.outcome.done():
                    job.outcome.set_result(Outcome.UNREACHABLE)

    async def _send_parts(self, parts: Sequence[OutgoingMessage]) -> Outcome:
        for index, part in enumerate(parts):
            try:
                outcome = await self._send_one(part)
            except Exception:
                logger.exception("whatsapp.send_error", extra={"recipient": _masked(part.to)})
                outcome = Outcome.UNREACHABLE
            if outcome is not Outcome.SENT:
                if index + 1 < len(parts):
                    extra = {"recipient": _masked(part.to), "parts": len(parts) - index - 1}
                    logger.warning("whatsapp.parts_dropped", extra=extra)
                return outcome
        return Outcome.SENT

    async def _send_one(self, part: OutgoingMessage) -> Outcome:
        recipient = _masked(part.to)
        for attempt in range(1, self.retry.attempts + 1):
            status: int | None = None
            code: int | None = None
            try:
                async with self._requests():
                    created = await self._twilio().messages.create_async(**self._arguments(part))
            except TwilioRestException as error:
                status, code = error.status, error.code
                if status != TOO_MANY_REQUESTS and status < 500:
                    extra = {
                        "recipient": recipient,
                        "status": status,
                        "error_code": code,
                        "attempts": attempt,
                    }
                    logger.warning("whatsapp.delivery_failed", extra={**extra, "outcome": "rejected"})
                    return Outcome.REJECTED
            except aiohttp.ClientConnectorError as error:  # before anything was sent: safe to retry
                logger.info("whatsapp.connection_failed", extra={"recipient": recipient, "error": str(error)})
            except (asyncio.TimeoutError, aiohttp.ClientError) as error:
                extra = {"recipient": recipient, "error": type(error).__name__, "attempts": attempt}
                logger.warning("whatsapp.delivery_uncertain", extra=extra)
                return Outcome.UNCERTAIN
            else:
                logger.info("whatsapp.message_sent", extra={"recipient": recipient, "sid": created.sid})
                return Outcome.SENT
            if attempt < self.retry.attempts:
                delay = self.retry.backoff_s(attempt)
                extra = {"recipient": recipient, "status": status, "attempt": attempt, "delay_s": delay}
                logger.info("whatsapp.send_retry", extra=extra)
                await self._sleep(delay)
        extra = {"recipient": recipient, "status": status, "error_code": code, "attempts": attempt}
        logger.warning("whatsapp.delivery_failed", extra={**extra, "outcome": "unreachable"})
        return Outcome.UNREACHABLE

    def _arguments(self, part: OutgoingMessage) -> dict[str, Any]:
        arguments: dict[str, Any] = {"to": part.to, "from_": self.settings.from_address}
        if part.content_sid:
            arguments["content_sid"] = part.content_sid
            if part.content_variables:
                arguments["content_variables"] = part.content_variables
        elif part.body:
            arguments["body"] = part.body
        if part.media_url:
            arguments["media_url"] = [part.media_url]
        if self.settings.status_callback:
            arguments["status_callback"] = self.settings.status_callback
        return arguments

    def _twilio(self) -> Client:
        if self._client is None:
            self._http = RoutedTwilioHttpClient(self.settings.api_url, self.timeout_s)
            # An environment of its own: TWILIO_EDGE/TWILIO_REGION would change the host it calls.
            environment = {"TWILIO_ACCOUNT_SID": self.settings.account_sid}
            self._client = Client(
                self.settings.account_sid,
                self.settings.auth_token,
                http_client=self._http,
                environment=environment,
            )
        return self._client


def _masked(address: str) -> str:
    return masked_number(address.removeprefix("whatsapp:"))
