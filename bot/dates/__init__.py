"""Day expressions in French and Portuguese ("le 15", "dia 10", "amanhã", "fin du mois") → dates."""

from bot.dates.resolver import ResolvedDate, resolve_date, resolve_day_of_month

__all__ = ["ResolvedDate", "resolve_date", "resolve_day_of_month"]
