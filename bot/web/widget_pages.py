"""The web chat widget as the portal serves it: `/widget.js` (built by scripts/build-widget.sh into
var/widget/, with the widget's texts of locales/<lang>.yml `widget:` put in), and `/support`, the demo
support page of a fictitious subscription business with the widget on it (`?lang=pt` for Portuguese).

The widget connects to the Rasa server's socket.io (`WIDGET_SOCKET_URL`). Only the support page's
Content-Security-Policy lets a script run and connect there; every other page keeps the strict one of
bot/web/security.py. `/widget.js` may be embedded by other sites (Cross-Origin-Resource-Policy).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sanic import Blueprint, Request
from sanic.response import BaseHTTPResponse, HTTPResponse, raw, text

from bot import i18n
from bot.settings import PROJECT_DIR, _env
from bot.web.context import Portal
from bot.web.pages import portal_text, render
from bot.web.security import CONTENT_SECURITY_POLICY

logger = logging.getLogger("bot.web")

BUNDLE = PROJECT_DIR / "var" / "widget" / "widget.js"
SOCKET_URL_ENV = "WIDGET_SOCKET_URL"
# The bundle holds this string literal where the texts go (bot/web/widget/src/texts.js).
TEXTS_PLACEHOLDER = re.compile(r"""(["'`])__BILLING_WIDGET_TEXTS__\1""")
_WEBSOCKET_SCHEMES = {"http": "ws", "https": "wss"}


def socket_url() -> str:
    """The Rasa server's address for the widget (`WIDGET_SOCKET_URL`, by default the Rasa server of
    `make run`): an http(s) origin, nothing after it (socket.io-client would read a path as a namespace)."""
    url = _env(SOCKET_URL_ENV, f"http://127.0.0.1:{_env('RASA_PORT', '5005')}").rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in _WEBSOCKET_SCHEMES or not parts.netloc or parts.path or parts.query:
        raise ValueError(f"{SOCKET_URL_ENV} must be an http(s) origin such as http://127.0.0.1:5005")
    return url


def support_page_policy(url: str) -> str:
    """The portal's policy, plus the widget's script (same origin) and its connection to `url` (socket.io
    polls over http(s) and upgrades to ws(s): CSP counts them as different schemes)."""
    parts = urlsplit(url)
    websocket = f"{_WEBSOCKET_SCHEMES[parts.scheme]}://{parts.netloc}"
    return "; ".join((CONTENT_SECURITY_POLICY, "script-src 'self'", f"connect-src {url} {websocket}"))


def widget_texts() -> dict[str, dict[str, str]]:
    return {language: i18n.catalogue(language)["widget"] for language in i18n.SUPPORTED_LANGUAGES}


@dataclass
class _Bundle:
    """The built bundle with the texts put in, made again when the file changes (a rebuild)."""

    path: Path
    stamp: tuple[int, int] | None = None
    body: bytes = b""

    def read(self) -> bytes | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self.stamp:
            source = self.path.read_text(encoding="utf-8")
            literal = json.dumps(json.dumps(widget_texts()))  # a JS string literal of the JSON
            body, count = TEXTS_PLACEHOLDER.subn(lambda _: literal, source, count=1)
            if count == 0:
                logger.error("widget.texts_placeholder_missing", extra={"bundle": str(self.path)})
            self.stamp, self.body = stamp, body.encode("utf-8")
        return self.body


def blueprint(portal: Portal) -> Blueprint:
    bp = Blueprint("widget_pages")
    url = socket_url()
    policy = support_page_policy(url)
    bundle = _Bundle(BUNDLE)

    @bp.get("/widget.js")
    async def widget_js(request: Request) -> HTTPResponse:
        body = bundle.read()
        if body is None:
            return text(
                "The web chat widget is not built: run scripts/build-widget.sh (or make widget).\n",
                status=503,
            )
        return raw(body, content_type="text/javascript; charset=utf-8")

    @bp.get("/support")
    async def support(request: Request) -> HTTPResponse:
        language = i18n.normalize_language(request.args.get("lang")) or portal.default_language
        other = next(code for code in i18n.SUPPORTED_LANGUAGES if code != language)
        return render(
            "support.html",
            language,
            chat_language=language,
            other_language=other,
            other_language_name=portal_text(other, "support_page.this_version"),
            socket_url=url,
        )

    @bp.middleware("response")
    async def widget_headers(request: Request, response: BaseHTTPResponse) -> None:
        # Runs after the app's security headers (Sanic runs blueprint middleware last).
        if request.route is None:
            return
        if request.route.name.endswith(".support"):
            response.headers["Content-Security-Policy"] = policy
        elif request.route.name.endswith(".widget_js"):
            response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"

    return bp
