"""Engines, migrations and demo data of the billing database (SQLite for demos, PostgreSQL in production)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from bot.billing.demo import build_demo
from bot.billing.sql.seed import demo_present, insert_demo
from bot.billing.sql.transactions import WRITE_TRANSACTION

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str | URL, **options: Any) -> Engine:
    """A SQLAlchemy 2.0-style engine with the settings each database needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        options.setdefault("connect_args", {})["check_same_thread"] = False
        if parsed.database in (None, "", ":memory:"):
            options.setdefault("poolclass", StaticPool)  # one shared in-memory database
        engine = create_engine(parsed, future=True, **options)
        _configure_sqlite(engine)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(parsed, future=True, **options)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # A write transaction takes the write lock at once (BEGIN IMMEDIATE, see transactions.write): two
        # deferred transactions that both read and then write would otherwise deadlock, and SQLite fails
        # one of them at once with "database is locked" instead of waiting.
        immediate = connection.get_execution_options().get(WRITE_TRANSACTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def migrate(target: str | URL | Engine, revision: str = "head") -> None:
    """`alembic upgrade head` on a URL or an engine, without an alembic.ini file."""
    engine = target if isinstance(target, Engine) else make_engine(target)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if engine is not target:
            engine.dispose()


def seed_demo(engine: Engine, today: date) -> bool:
    """Insert the demo accounts dated relative to `today`; False (nothing done) if they exist."""
    try:
        with engine.begin() as conn:
            if demo_present(conn):
                return False
            insert_demo(conn, build_demo(today))
    except IntegrityError:
        # Another process seeded at the same moment.
        with engine.connect() as conn:
            if demo_present(conn):
                return False
        raise
    return True
