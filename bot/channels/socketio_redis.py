"""The web chat across several Rasa instances: socket.io emits go through Redis (WIDGET_SOCKETIO_REDIS_URL),
so a reply sent by any instance (an agent's message through the HTTP API lands on any of them) reaches
the instance that holds the customer's socket. Sticky sessions at the load balancer keep each socket on
one instance (deploy/nginx/billing-assistant.conf).

python-socketio (5.18) delivers an emit to this instance's own sockets before it publishes it: when Redis
cannot be reached, the customer's own conversation keeps working (its messages arrive on the instance of
its socket); only replies sent from another instance are lost until Redis is back.
"""

from __future__ import annotations

import os

from socketio import AsyncRedisManager

CHANNEL = "billing-widget"


def client_manager_from_env() -> AsyncRedisManager | None:
    url = os.environ.get("WIDGET_SOCKETIO_REDIS_URL", "").strip()
    return AsyncRedisManager(url, channel=CHANNEL) if url else None
