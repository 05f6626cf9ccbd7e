"""A fake third-party HTTP API on 127.0.0.1 (Telegram's Bot API, Twilio's REST API) for the channel
tests: it records every request (with when it came and what it was answered) and answers from a script,
so a test can make it fail (5xx, 429) a given number of times before it succeeds, or until told it
has recovered.

It runs in a thread of the test process, so both an in-process server and a Rasa server started as a
subprocess can call it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float = field(default_factory=time.monotonic)  # the test process's clock

    @property
    def form(self) -> dict[str, list[str]]:
        """The body as an URL-encoded form (Twilio's requests)."""
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def fields(self) -> dict[str, str | bytes]:
        """The posted fields, from an URL-encoded or a multipart body (a file upload): text fields as
        str, files as bytes. The last value of a repeated field."""
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("multipart/"):
            envelope = f"Content-Type: {content_type}\r\n\r\n".encode() + self.body
            fields: dict[str, str | bytes] = {}
            for part in message_from_bytes(envelope, policy=HTTP).iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                fields[str(name)] = data if part.get_filename() else data.decode("utf-8")
            return fields
        return {name: values[-1] for name, values in self.form.items()}

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # JSON-serialisable
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # how long the API takes to answer (a client may time out meanwhile)


# Answers a request that no scripted failure took: (request) -> Answer
Responder = Callable[[RecordedRequest], Answer]


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # a real server's backlog: the default (5) resets connections in a burst
    daemon_threads = True


class FakeApi:
    def __init__(self, responder: Responder) -> None:
        self._responder = responder
        self._lock = threading.Lock()
        self._failures: list[tuple[str, Answer]] = []  # (path fragment, answer), used in order
        self._outages: list[tuple[str, Answer]] = []  # (path fragment, answer), until `recover()`
        self.requests: list[RecordedRequest] = []
        self._answers: dict[int, Answer] = {}  # id() of a request of `requests` -> its answer
        self._generation = 0  # `reset()`s so far: an answer to a request reset meanwhile is dropped
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = RecordedRequest(
                    self.command,
                    urlsplit(self.path).path,
                    dict(self.headers.items()),
                    self.rfile.read(length),
                )
                answer = fake._record(request)
                time.sleep(answer.delay_s)
                body = json.dumps(answer.body).encode("utf-8")
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client stopped waiting
                    self.close_connection = True

            def log_message(self, *_: Any) -> None:  # quiet
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, answer: Answer, times: int = 1, path_contains: str = "") -> None:
        """The next `times` requests whose path contains `path_contains` get `answer` instead."""
        with self._lock:
            self._failures.extend([(path_contains, answer)] * times)

    def fail_until_recovered(self, answer: Answer, path_contains: str = "") -> None:
        """Every request whose path contains `path_contains` gets `answer` (once the scripted `fail`
        answers are used), until `recover()`."""
        with self._lock:
            self._outages.append((path_contains, answer))

    def recover(self) -> None:
        """No more scripted failures: every request is answered normally again."""
        with self._lock:
            self._failures.clear()
            self._outages.clear()

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
            self._outages.clear()
            self.requests.clear()
            self._answers.clear()
            self._generation += 1

    def calls(self, path_contains: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if path_contains in request.path]

    def answered(self, path_contains: str) -> list[tuple[RecordedRequest, Answer]]:
        """The requests whose path contains `path_contains` and that were answered, each with its
        answer, in the order they came."""
        with self._lock:
            return [
                (request, self._answers[id(request)])
                for request in self.requests
                if path_contains in request.path and id(request) in self._answers
            ]

    def _record(self, request: RecordedRequest) -> Answer:
        with self._lock:
            self.requests.append(request)
            generation = self._generation
            answer = self._scripted(request.path)
        if answer is None:
            answer = self._responder(request)
        with self._lock:
            if generation == self._generation:
                self._answers[id(request)] = answer
        return answer

    def _scripted(self, path: str) -> Answer | None:
        for index, (fragment, answer) in enumerate(self._failures):
            if fragment in path:
                del self._failures[index]
                return answer
        return next((answer for fragment, answer in self._outages if fragment in path), None)
