"""A fresh PostgreSQL database for a test session, on the server the tests talk to for real.

`postgresql+psycopg2://postgres@127.0.0.1:5432/test` (`TEST_POSTGRES_URL` overrides) is the admin
connection. An unreachable server fails the tests, unless `SKIP_POSTGRES=1`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """Creates a uniquely named database, yields its URL, and drops it (connections included) afterwards."""
    if os.environ.get("SKIP_POSTGRES") == "1":
        pytest.skip("SKIP_POSTGRES=1")
    admin_url = make_url(postgres_admin_url())
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as error:
        admin.dispose()
        pytest.fail(f"PostgreSQL is unreachable ({error}); set SKIP_POSTGRES=1 to skip these tests")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def empty_database(kind: str, directory: Path, prefix: str) -> Iterator[str]:
    """The URL of an empty database of `kind` ("sqlite": a file in `directory`; "postgresql": a fresh
    database on the server, dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'{prefix}.db'}"
        return
    with fresh_database(prefix) as url:
        yield url
