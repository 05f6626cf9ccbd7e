"""Column types that keep money exact and instants in UTC on every supported database."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, Numeric, String, TypeDecorator, TypeEngine

from bot.billing.money import to_decimal


class ExactNumeric(TypeDecorator):
    """NUMERIC(precision, scale) returning `Decimal`.

    SQLite has no decimal type: a NUMERIC column there goes through a binary float, so on SQLite the
    value is kept as its exact decimal text instead. Do not compare or sum such columns in SQL.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return String(self.precision + 2)
        return Numeric(self.precision, self.scale, asdecimal=True)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = to_decimal(value).quantize(Decimal(1).scaleb(-self.scale), rounding=ROUND_HALF_UP)
        return format(exact, "f") if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value) if isinstance(value, str) else to_decimal(value)


def Money() -> ExactNumeric:
    return ExactNumeric(12, 2)


class UtcDateTime(TypeDecorator):
    """An aware `datetime` in, an aware UTC `datetime` out (SQLite stores it naive, in UTC)."""

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("instants must be timezone-aware datetimes")
        utc = value.astimezone(timezone.utc)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
