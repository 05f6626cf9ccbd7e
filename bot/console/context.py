"""What every route of the console needs: sign-in, the ticket queue, the agents, the figures, the billing
backend (the customer's summary) and the Rasa server. Database calls are blocking (SQLAlchemy): `call`
runs them in a worker thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.billing.backend import BillingBackend
from bot.billing.clock import utc_now
from bot.console.rasa_api import RasaApi
from bot.handoff.agents import AgentDirectory
from bot.handoff.queue import TicketQueue
from bot.handoff.sessions import ConsoleAuth
from bot.handoff.stats import HandoffStats
from bot.web.context import off_the_loop


@dataclass(frozen=True)
class Console:
    auth: ConsoleAuth
    queue: TicketQueue
    directory: AgentDirectory
    stats: HandoffStats
    backend: BillingBackend
    rasa: RasaApi
    secure_cookies: bool = False  # Secure cookies: on whenever the console is served over HTTPS
    live_interval_seconds: float = 1.0  # how often the event stream looks for changes
    live_stream_seconds: float = 300.0  # then the browser reconnects (and the session is checked again)
    clock: Callable[[], datetime] = field(default=utc_now)

    call = staticmethod(off_the_loop)
