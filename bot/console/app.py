"""`create_console_app`: the agent console as a Sanic application (served by `python -m bot.cli console`,
or over ASGI in the tests)."""

from __future__ import annotations

from pathlib import Path

from sanic import Request, Sanic
from sanic.config import Config
from sanic.response import HTTPResponse, json, raw

from bot.console import api, live, pages
from bot.console.context import Console
from bot.web import security

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {"console.css": "text/css; charset=utf-8", "console.js": "text/javascript; charset=utf-8"}
APP_NAME = "agent_console"
REQUEST_MAX_SIZE = 64 * 1024

# The portal's headers (bot/web/security.py), with a policy that lets the console's own script run and
# call the console: scripts and styles only from the console itself, nothing inline, no frames.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)


def create_console_app(console: Console, name: str = APP_NAME) -> Sanic:
    config = Config()
    config.REGISTER = False
    config.REQUEST_MAX_SIZE = REQUEST_MAX_SIZE
    config.RESPONSE_TIMEOUT = max(60, int(console.live_stream_seconds) + 30)  # the event stream
    app = Sanic(name, config=config, configure_logging=False)
    for module in (pages, api, live):
        app.blueprint(module.blueprint(console))
    assets = {name: (STATIC_DIR / name).read_bytes() for name in STATIC_FILES}

    @app.get("/static/<name>")
    async def static(_: Request, name: str) -> HTTPResponse:
        if name not in assets:
            return json({"error": "not_found"}, status=404)
        return raw(assets[name], content_type=STATIC_FILES[name])

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return json({"status": "ok"})

    security.install(app, CONTENT_SECURITY_POLICY)

    @app.after_server_stop
    async def close_rasa_client(*_: object) -> None:
        await console.rasa.close()

    return app
