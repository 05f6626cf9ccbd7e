"""`create_app`: the customer portal as a Sanic application (served by `python -m bot.cli web`, or over
ASGI in the tests)."""

from __future__ import annotations

from pathlib import Path

from sanic import Request, Sanic
from sanic.config import Config
from sanic.response import HTTPResponse, json, raw

from bot.web import card_payment, errors, invoices, payment_methods, payment_webhook, security, widget_pages
from bot.web.context import Portal
from bot.web.pages import not_found, visitor_language

STATIC_DIR = Path(__file__).resolve().parent / "static"
STYLESHEET = "portal.css"
APP_NAME = "billing_portal"
REQUEST_MAX_SIZE = 64 * 1024  # forms and webhook bodies are small


def create_app(portal: Portal, name: str = APP_NAME) -> Sanic:
    config = Config()
    config.REGISTER = False  # several apps may live in one process (tests)
    config.REQUEST_MAX_SIZE = REQUEST_MAX_SIZE
    # Sanic's logging setup would log each URL, and URLs hold link tokens: logs go through bot.logs.
    app = Sanic(name, config=config, configure_logging=False)
    for module in (invoices, card_payment, payment_methods, payment_webhook, widget_pages):
        app.blueprint(module.blueprint(portal))
    stylesheet = (STATIC_DIR / STYLESHEET).read_bytes()

    @app.get(f"/static/{STYLESHEET}")
    async def css(_: Request) -> HTTPResponse:
        return raw(stylesheet, content_type="text/css; charset=utf-8")

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return json({"status": "ok"})

    @app.get("/")
    async def home(request: Request) -> HTTPResponse:
        return not_found(visitor_language(request, portal.default_language))

    security.install(app)
    errors.install(app, portal.default_language)
    return app
