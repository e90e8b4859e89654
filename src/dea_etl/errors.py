"""Exceptions raised by dea_etl. Each carries a message fit for one line of output.

Every exception the library raises on purpose derives from :class:`DeaEtlError`, and its class says the
exit code a job or command ends with (``exit_code``):

=====================  ====  =====================================================================
class                  exit  when
=====================  ====  =====================================================================
JobArgumentError       2     bad arguments: missing, unknown, invalid value, unknown table
UnknownTableError      2     a table name no schema is known for (a JobArgumentError and KeyError)
DqdlSyntaxError        2     an invalid DQDL ruleset (:mod:`dea_etl.quality`)
InputError             1     an input is missing, unreadable or not of the expected shape
AccountingError        1     rows in != rows written + rows quarantined; nothing was published
OutputError            1     an output could not be written or published
UnsafeSqlError         1     SQL that is not one read-only query over the allowed tables (sqlguard)
(any other)            1     data-quality gate, bookmarks, deploy, package, jars, Glue runtime...
=====================  ====  =====================================================================

0 is success (rows may have been quarantined).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

#: Set (to anything) by ``--debug``: a failure shows its Python and Java traceback, and the Spark sessions
#: dea_etl runs locally log Spark's own warnings and errors (else off: a failure is one line).
DEBUG_ENV = "DEA_ETL_DEBUG"


def debugging() -> bool:
    return bool(os.environ.get(DEBUG_ENV))


@contextmanager
def debug_mode(on: bool = True) -> Iterator[None]:
    """``--debug`` for the duration of a command or job (then as it was)."""
    previous = os.environ.get(DEBUG_ENV)
    if on:
        os.environ[DEBUG_ENV] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(DEBUG_ENV, None)
        else:
            os.environ[DEBUG_ENV] = previous


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (Spark's carry plans and stack traces), or its type's name."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def root_cause(exc: BaseException) -> str:
    """One line saying why an operation failed: for an error raised in Spark's JVM, the message of its
    innermost cause (Py4J's own line only names a method: "An error occurred while calling o343.parquet"),
    or the Java exception's class when none has a message (``java.lang.StackOverflowError``);
    for any other exception, :func:`first_line`."""
    java = getattr(exc, "java_exception", None)
    if java is None:
        return first_line(exc)
    message, name = None, None
    while java is not None:
        message = java.getMessage() or message
        name = java.getClass().getName()
        java = java.getCause()
    if message and str(message).strip():
        return str(message).strip().splitlines()[0]
    return str(name) if name else first_line(exc)


def one_line(exc: BaseException) -> str:
    """Any failure in one line: a dea_etl error's message, the root cause of a Java one, else the
    exception's type and first line (``KeyError: 'x'``)."""
    if isinstance(exc, DeaEtlError):
        return first_line(exc)
    if getattr(exc, "java_exception", None) is not None:
        return root_cause(exc)
    return f"{type(exc).__name__}: {first_line(exc)}"


def exit_code(exc: BaseException) -> int:
    """The exit code a job or command ends with after ``exc``: the class's, or 1 for anything unexpected."""
    return exc.exit_code if isinstance(exc, DeaEtlError) else EXIT_FAILURE


class DeaEtlError(Exception):
    """Base class of every error dea_etl raises on purpose."""

    exit_code: ClassVar[int] = EXIT_FAILURE


class JobArgumentError(DeaEtlError, ValueError):
    """A job or command was given bad arguments."""

    exit_code: ClassVar[int] = EXIT_USAGE


class UnknownTableError(JobArgumentError, KeyError):
    """A table name that no schema is known for; the message names the known ones."""

    def __str__(self) -> str:  # KeyError's would quote the message
        return Exception.__str__(self)


class InputError(DeaEtlError):
    """An input is missing, unreadable or does not have the expected shape."""


class AccountingError(DeaEtlError):
    """Rows in != rows written + rows quarantined: something would have been lost."""


class OutputError(DeaEtlError):
    """An output could not be written or published."""
