"""Fixtures shared with the portal's tests."""

from tests.unit.web.conftest import logged  # noqa: F401 (a fixture)
