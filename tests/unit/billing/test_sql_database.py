"""Migrations and demo seeding, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.billing.backend import BackendUnavailable
from bot.billing.database import alembic_config, make_engine, migrate, seed_demo
from bot.billing.demo import DEMO_CUSTOMERS
from bot.billing.sql.backend import SqlBillingBackend
from bot.billing.sql.schema import customers, invoices, metadata, notas_fiscais, payments

from .conftest import BASE_URL, NOW, TODAY


def counts(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (customers, invoices, payments, notas_fiscais)
        )


def test_the_migration_creates_exactly_the_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_migrate_is_idempotent(database_url: str, engine: Engine) -> None:
    migrate(database_url)
    migrate(engine)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == head


def test_seed_is_idempotent(seeded: Engine) -> None:
    before = counts(seeded)
    assert before[0] == len(DEMO_CUSTOMERS)
    assert seed_demo(seeded, TODAY) is False
    assert counts(seeded) == before


def test_in_memory_sqlite_is_one_shared_database() -> None:
    engine = make_engine("sqlite://")
    migrate(engine)
    assert seed_demo(engine, TODAY) is True
    assert counts(engine)[0] == len(DEMO_CUSTOMERS)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    engine.dispose()


def test_an_unreachable_database_is_reported_as_unavailable() -> None:
    engine = make_engine("postgresql+psycopg2://nobody@127.0.0.1:9/none?connect_timeout=2")
    backend = SqlBillingBackend(engine, public_base_url=BASE_URL)
    with pytest.raises(BackendUnavailable):
        backend.get_customer(1)
    with pytest.raises(BackendUnavailable):
        backend.verify_identity("482130", "75011", NOW)
    engine.dispose()
