"""Names that become one segment of a path: job names, run ids, table names.

A name is a name, never a path: not empty, not ``.`` or ``..``, no separator (``/``, ``\\``, ``:``, which
Hadoop reads as a scheme), no control character, at most :data:`MAX_LENGTH` characters. Anything else is
refused with one line before a path is made of it, so ``--JOB_NAME ..`` cannot write outside the bookmark
store and a run id cannot leave its table.
"""

from __future__ import annotations

import re

from dea_etl.errors import JobArgumentError

MAX_LENGTH = 200
_FORBIDDEN = re.compile(r"[/\\:\x00-\x1f\x7f]")


class InvalidNameError(JobArgumentError):
    """A job name, run id or table name that cannot be one path segment."""


def check_name(what: str, value: str) -> str:
    """``value`` when it can be one path segment; :class:`InvalidNameError` naming ``what`` otherwise."""
    bad = _FORBIDDEN.search(value)
    if not value or value in (".", "..") or bad or len(value) > MAX_LENGTH:
        why = (f"it holds {bad.group()!r}" if bad else "it is empty" if not value
               else f"it is {value!r}" if value in (".", "..") else f"it is over {MAX_LENGTH} characters")
        raise InvalidNameError(f"{what} {value!r} is not a name ({why}); a name is one path segment: not empty, "
                               "'.' or '..', without '/', '\\', ':' or control characters")
    return value
