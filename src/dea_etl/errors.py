"""Exceptions raised by dea_etl. Each carries a message fit for one line of output."""

from __future__ import annotations


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (Spark's carry plans and stack traces), or its type's name."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class DeaEtlError(Exception):
    """Base class of every error dea_etl raises on purpose."""


class JobArgumentError(DeaEtlError, ValueError):
    """A job or command was given bad arguments."""


class InputError(DeaEtlError):
    """An input is missing, unreadable or does not have the expected shape."""


class AccountingError(DeaEtlError):
    """Rows in != rows written + rows quarantined: something would have been lost."""


class OutputError(DeaEtlError):
    """An output could not be written or published."""
