"""`python -m bot.cli web`: the customer portal on Sanic's own server, one process."""

from __future__ import annotations

import logging

from bot import logs
from bot.billing.database import make_engine
from bot.billing.sql.backend import SqlBillingBackend
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.context import Portal


def serve(host: str | None = None, port: int | None = None) -> int:
    settings = Settings.from_env()
    logs.configure()
    backend = SqlBillingBackend(
        make_engine(settings.billing_database_url), public_base_url=settings.public_base_url
    )
    portal = Portal(backend, settings.default_language, settings.payment_webhook_secret)
    app = create_app(portal)
    host, port = host or settings.web_host, port or settings.web_port
    logging.getLogger("bot.web").info(
        "portal.starting", extra={"url": f"http://{host}:{port}", "links": settings.public_base_url}
    )
    # No access log: the paths hold link tokens.
    app.run(
        host=host,
        port=port,
        workers=1,
        access_log=False,
        debug=False,
        auto_reload=False,
        motd=False,
    )
    return 0
