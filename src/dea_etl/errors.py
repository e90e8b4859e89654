"""Exceptions raised by dea_etl. Each carries a message fit for one line of output."""

from __future__ import annotations


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (Spark's carry plans and stack traces), or its type's name."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def root_cause(exc: BaseException) -> str:
    """One line saying why an operation failed: for an error raised in Spark's JVM, the message of its
    innermost cause (Py4J's own line only names a method: "An error occurred while calling o343.parquet");
    for any other exception, :func:`first_line`."""
    java = getattr(exc, "java_exception", None)
    if java is None:
        return first_line(exc)
    message = None
    while java is not None:
        message = java.getMessage() or message
        java = java.getCause()
    return str(message).strip().splitlines()[0] if message else first_line(exc)


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
