"""Fixtures of the billing tests: the backend on SQLite (a temporary file) and on PostgreSQL (a fresh
database for the session from `tests.postgres.fresh_database`, migrated with `migrate()`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.billing.database import make_engine, migrate, seed_demo
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import customers, metadata
from tests.postgres import empty_database, fresh_database

TODAY = date(2026, 3, 11)  # a Wednesday
NOW = datetime(2026, 3, 11, 10, 30, tzinfo=timezone.utc)
BASE_URL = "https://billing.example.com"


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('billing') / 'billing.db'}"
    migrate(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with fresh_database("billing_test") as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def empty(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


def reseed(engine: Engine) -> Engine:
    """`engine`'s database holding exactly the demo data of `TODAY`."""
    empty(engine)
    seed_demo(engine, TODAY)
    return engine


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    return reseed(engine)


@pytest.fixture
def backend(seeded: Engine) -> SqlBillingBackend:
    return SqlBillingBackend(seeded, public_base_url=BASE_URL + "/", clock=lambda: NOW)


@pytest.fixture
def ids(seeded: Engine) -> dict[str, int]:
    """Customer ids by demo customer number."""
    with seeded.connect() as conn:
        return {row.number: row.id for row in conn.execute(select(customers.c.number, customers.c.id))}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def blank_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with nothing in it, for migration tests to build up revision by revision."""
    with empty_database(request.param, tmp_path, "billing_migration") as url:
        yield url
