"""The guard's errors: one line each."""

from __future__ import annotations

from dea_etl.errors import DeaEtlError


class UnsafeSqlError(DeaEtlError, ValueError):
    """SQL that is not a single read-only query over the allowed tables."""


class InvalidSqlError(UnsafeSqlError):
    """SQL that does not parse or does not analyze (an unknown column, a type mismatch, too deep)."""
