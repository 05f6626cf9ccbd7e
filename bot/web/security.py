"""Headers every response of the portal carries. Links hold secrets (tokens, payment references) in
their path: nothing is cached, nothing is sent as a referrer, no page can be framed, and no script
runs at all (the pages work without one).

The agent console (bot/console/app.py) carries the same headers with its own Content-Security-Policy."""

from __future__ import annotations

from sanic import Request, Sanic
from sanic.response import BaseHTTPResponse

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)


def install(app: Sanic, content_security_policy: str = CONTENT_SECURITY_POLICY) -> None:
    headers = {
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": content_security_policy,
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), geolocation=(), microphone=(), payment=()",
    }

    async def add_security_headers(_: Request, response: BaseHTTPResponse) -> None:
        for name, value in headers.items():
            response.headers[name] = value

    app.register_middleware(add_security_headers, "response")
