"""`python -m bot.cli console`: the agent console on Sanic's own server, one process."""

from __future__ import annotations

import logging

from bot import logs
from bot.billing.database import make_engine
from bot.billing.sql.backend import SqlBillingBackend
from bot.console.app import create_console_app
from bot.console.context import Console
from bot.console.rasa_api import RasaApi
from bot.handoff.agents import AgentDirectory
from bot.handoff.queue import TicketQueue
from bot.handoff.sessions import ConsoleAuth
from bot.handoff.stats import HandoffStats
from bot.settings import Settings


def build_console(settings: Settings) -> Console:
    engine = make_engine(settings.billing_database_url)
    return Console(
        auth=ConsoleAuth(engine),
        queue=TicketQueue(engine),
        directory=AgentDirectory(engine),
        stats=HandoffStats(engine, timezone=settings.timezone),
        backend=SqlBillingBackend(engine, public_base_url=settings.public_base_url),
        rasa=RasaApi(settings.rasa_url, settings.rasa_api_token),
        secure_cookies=settings.console_secure_cookies,
    )


def serve(host: str | None = None, port: int | None = None) -> int:
    settings = Settings.from_env()
    logs.configure()
    if not settings.rasa_api_token:
        raise SystemExit("RASA_API_TOKEN is not set: the console needs the Rasa server's API token")
    app = create_console_app(build_console(settings))
    host, port = host or settings.console_host, port or settings.console_port
    logging.getLogger("bot.console").info("console.starting", extra={"url": f"http://{host}:{port}"})
    app.run(host=host, port=port, workers=1, access_log=False, debug=False, auto_reload=False, motd=False)
    return 0
