"""The assistant as real processes, for the conversation tests, the reliability suite and the benchmarks.

An action server, one or more Rasa instances (REST channel with its token, HTTP API with its token) and, in
the scale-out layout, nginx in front of them with the operators' own configuration
(deploy/nginx/billing-assistant.conf), against a migrated and seeded billing database. Each process is a
`Service` that a fault test can kill and start again on the same port.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from redis import Redis
from redis.connection import parse_url
from redis.exceptions import RedisError
from sqlalchemy.engine import Engine, make_url

from bot.billing.database import make_engine, migrate, seed_demo
from bot.billing.sql import queries
from bot.billing.sql.backend import SqlBillingBackend
from bot.settings import rasa_process_env
from tests.processes import BIN, PROJECT_DIR, STOP_TIMEOUT_S, free_port, running, wait_until_up

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
NGINX_SITE = PROJECT_DIR / "deploy" / "nginx" / "billing-assistant.conf"
NGINX = "/usr/sbin/nginx"
NGINX_ACCESS_LOG = "nginx-access.log"  # in the stack's working directory


@dataclass
class Assistant:
    """A client of the running assistant: its REST channel, its HTTP API and its billing database."""

    base_url: str
    token: str  # the HTTP API's
    rest_token: str
    engine: Engine
    backend: SqlBillingBackend
    today: date

    def customer_id(self, number: str) -> int:
        with self.engine.connect() as conn:
            row = queries.customer_row_by_number(conn, number)
        assert row is not None, number
        return int(row.id)

    def post_message(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None, timeout: float = 60
    ) -> httpx.Response:
        payload: dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            payload["metadata"] = metadata
        headers = {"Authorization": f"Bearer {self.rest_token}"}
        return httpx.post(
            f"{self.base_url}/webhooks/rest/webhook", json=payload, headers=headers, timeout=timeout
        )

    def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        response = self.post_message(sender, text, metadata)
        assert response.status_code == 200, response.text
        return list(response.json())

    def texts(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[str]:
        return [m["text"] for m in self.send(sender, text, metadata) if m.get("text")]

    def tracker(self, sender: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.base_url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def utterances(self, sender: str) -> list[str]:
        """The response names the bot used, in order (from the BotUttered events' metadata)."""
        return [
            event["metadata"].get("utter_action", "")
            for event in self.tracker(sender)["events"]
            if event["event"] == "bot"
        ]


@contextmanager
def running_portal(assistant: Assistant, log: Path, port: int | None = None, **env: str) -> Iterator[str]:
    """The customer portal (`python -m bot.cli web`) against the assistant's billing database; yields its
    base URL, which is also the PUBLIC_BASE_URL of the links it checks."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "bot.cli", "web", "--host", "127.0.0.1", "--port", str(port)]
    with running(command, project_env(assistant, PUBLIC_BASE_URL=url, **env), f"{url}/health", log):
        yield url


@contextmanager
def running_console(assistant: Assistant, log: Path) -> Iterator[str]:
    """The agent console (`python -m bot.cli console`) against the assistant's billing database and Rasa
    server; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "bot.cli", "console", "--host", "127.0.0.1", "--port", str(port)]
    env = project_env(assistant, RASA_URL=assistant.base_url, RASA_API_TOKEN=assistant.token)
    with running(command, env, f"{url}/health", log):
        yield url


def project_env(assistant: Assistant, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "BILLING_DATABASE_URL": assistant.engine.url.render_as_string(hide_password=False),
        "BILLING_TIMEZONE": "Europe/Paris",
        **more,
    }


@dataclass(frozen=True)
class Layout:
    endpoints: str = "endpoints.yml"
    rasa_instances: int = 1
    rasa_workers: int = 1  # SANIC_WORKERS of each Rasa instance (more than one needs the Redis lock store)
    action_workers: int = 1  # ACTION_SERVER_SANIC_WORKERS
    load_balancer: bool = False  # nginx in front of the Rasa instances


def channel_memory_url(redis_url: str = REDIS_URL) -> str:
    """The channels' memory on the lock store's Redis server, database 2 (keys `billing:channel:...`)."""
    redis = parse_url(redis_url)
    return f"redis://{redis.get('host', '127.0.0.1')}:{redis.get('port', 6379)}/2"


def fail_unless_redis_answers(url: str = REDIS_URL) -> None:
    client = Redis.from_url(url)
    try:
        client.ping()
    except RedisError as error:
        pytest.fail(f"Redis is unreachable ({error}): start it (.ci/run does)")
    finally:
        client.close()


def production_env(tracker_url: str, redis_url: str = REDIS_URL) -> dict[str, str]:
    """The variables of endpoints.production.yml (PostgreSQL tracker store, Redis lock store) and the
    channels' memory shared in Redis (`channel_memory_url`)."""
    tracker = make_url(tracker_url)
    redis = parse_url(redis_url)
    return {
        "TRACKER_DB_HOST": str(tracker.host or "127.0.0.1"),
        "TRACKER_DB_PORT": str(tracker.port or 5432),
        "TRACKER_DB_NAME": str(tracker.database),
        "TRACKER_DB_USER": str(tracker.username or "postgres"),
        "TRACKER_DB_PASSWORD": str(tracker.password or ""),
        "REDIS_HOST": str(redis.get("host", "127.0.0.1")),
        "REDIS_PORT": str(redis.get("port", 6379)),
        "REDIS_LOCK_DB": str(redis.get("db", 1)),
        "CHANNEL_MEMORY_REDIS_URL": channel_memory_url(redis_url),
    }


@dataclass
class Service:
    """One server process: started in its own process group (Sanic workers included), its output
    appended to `log`; up once `health_url` answers 200."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    health_url: str
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_up(self) -> None:
        assert self.process is not None, f"{self.name} was not started"
        wait_until_up(self.health_url, self.process, self.log)

    def kill(self) -> None:
        """SIGKILL to the whole group: a crash, no clean shutdown."""
        self._signal(signal.SIGKILL)
        self._wait()

    def terminate(self) -> None:
        """SIGTERM to the whole group, without waiting."""
        self._signal(signal.SIGTERM)

    def stop(self) -> None:
        self.terminate()
        try:
            self._wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()

    def pids(self) -> list[int]:
        """The process and its children (Sanic workers), for memory readings."""
        if self.process is None or self.process.poll() is not None:
            return []
        found = subprocess.run(
            ["pgrep", "-g", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in found.stdout.split()]

    def _signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def _wait(self, timeout: float | None = None) -> None:
        if self.process is not None:
            self.process.wait(timeout=timeout)


@dataclass
class Stack:
    assistant: Assistant
    services: dict[str, Service] = field(default_factory=dict)
    instance_urls: list[str] = field(default_factory=list)
    tracker_url: str = ""  # the PostgreSQL tracker store's database, in the production configuration


def nginx_site(rasa_ports: list[int], listen_port: int, access_log: Path) -> str:
    """deploy/nginx/billing-assistant.conf with these instances, this port and this access log."""
    site = NGINX_SITE.read_text(encoding="utf-8")
    site = re.sub(r"listen 127\.0\.0\.1:\d+;", f"listen 127.0.0.1:{listen_port};", site)
    site = re.sub(r"access_log \S+ ", f"access_log {access_log} ", site)

    def servers(match: re.Match[str]) -> str:
        options = match.group(2)
        return "".join(f"    server 127.0.0.1:{port}{options};\n" for port in rasa_ports)

    # Each upstream lists its instances as consecutive `server` lines with the same options.
    return re.sub(r"((?:    server 127\.0\.0\.1:\d+([^;\n]*);\n)+)", servers, site)


def nginx_service(workdir: Path, rasa_ports: list[int], env: dict[str, str]) -> Service:
    port = free_port()
    site = nginx_site(rasa_ports, port, workdir / NGINX_ACCESS_LOG)
    (workdir / "nginx-site.conf").write_text(site, encoding="utf-8")
    (workdir / "nginx.conf").write_text(
        f"pid {workdir}/nginx.pid;\n"
        f"error_log {workdir}/nginx-error.log warn;\n"
        "worker_processes 2;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        "  client_body_buffer_size 1m;\n"
        f"  client_body_temp_path {workdir}/nginx-body;\n"
        f"  proxy_temp_path {workdir}/nginx-proxy;\n"
        f"  include {workdir}/nginx-site.conf;\n"
        "}\n",
        encoding="utf-8",
    )
    command = [
        NGINX,
        "-p",
        str(workdir),
        "-c",
        str(workdir / "nginx.conf"),
        "-e",
        "stderr",
        "-g",
        "daemon off;",
    ]
    return Service("nginx", command, env, workdir / "nginx.log", f"http://127.0.0.1:{port}/")


@contextmanager
def running_stack(
    workdir: Path,
    database_url: str,
    model: str,
    layout: Layout = Layout(),
    extra_env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Migrates and seeds `database_url`, starts the processes of `layout`, stops them all afterwards."""
    migrate(database_url)
    engine = make_engine(database_url)
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    seed_demo(engine, today)

    action_port = free_port()
    token, rest_token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    env = {
        **rasa_process_env(dict(os.environ)),
        "BILLING_DATABASE_URL": database_url,
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "ACTION_SERVER_SANIC_WORKERS": str(layout.action_workers),
        "SANIC_HOST": "127.0.0.1",  # the action server's interface
        "SANIC_WORKERS": str(layout.rasa_workers),
        "REST_CHANNEL_TOKEN": rest_token,
        "BILLING_TIMEZONE": "Europe/Paris",
        "DEFAULT_LANGUAGE": "fr",
        "SUPPORT_HOURS": "1-7 00:00-24:00",  # the team is always in: handoffs get a place in the queue
        "RASA_TELEMETRY_ENABLED": "false",
        **(extra_env or {}),
    }
    services = {
        "actions": Service(
            "actions",
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
            env,
            workdir / "actions.log",
            f"http://127.0.0.1:{action_port}/health",
        )
    }
    rasa_ports = [free_port() for _ in range(layout.rasa_instances)]
    for number, port in enumerate(rasa_ports, start=1):
        name = "rasa" if layout.rasa_instances == 1 else f"rasa-{number}"
        command = [str(BIN / "rasa"), "run", "--model", model, "--enable-api", f"--auth-token={token}"]
        command += ["--interface", "127.0.0.1", "--port", str(port), "--credentials", "credentials.yml"]
        command += ["--endpoints", layout.endpoints]
        services[name] = Service(
            name,
            command,
            env,
            workdir / f"{name}.log",
            f"http://127.0.0.1:{port}/status?token={token}",
        )
    if layout.load_balancer:
        services["nginx"] = nginx_service(workdir, rasa_ports, env)
    instance_urls = [f"http://127.0.0.1:{port}" for port in rasa_ports]
    base_url = services["nginx"].health_url.rstrip("/") if layout.load_balancer else instance_urls[0]
    try:
        for service in services.values():
            service.start()
        for service in services.values():
            service.wait_until_up()
        assistant = Assistant(
            base_url=base_url,
            token=token,
            rest_token=rest_token,
            engine=engine,
            backend=SqlBillingBackend(engine, public_base_url="http://127.0.0.1"),
            today=today,
        )
        yield Stack(assistant, services, instance_urls)
    finally:
        for service in services.values():
            service.terminate()  # all at once, then wait for each
        for service in services.values():
            service.stop()
        engine.dispose()
