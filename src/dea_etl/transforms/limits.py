"""How big a CSV record or field may be: larger ones go to the quarantine instead of filling memory.

A 50 MB field used to exhaust the executor's memory (the line, then each copy of it the parse makes). A
reader cuts a line longer than :attr:`CsvLimits.max_line_bytes` to its first :data:`PREFIX_CHARS`
characters right after reading it and records its size in :data:`LINE_BYTES`; a record joined from
several lines (a quoted field spanning lines) is held to the same limit before its lines are joined.
Such a record, and a record with a field over :attr:`CsvLimits.max_field_bytes`, is rejected with a
reason naming the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dea_etl.errors import JobArgumentError

if TYPE_CHECKING:  # the limits and their defaults load without pyspark (a job's arguments are checked first)
    from pyspark.sql import Column

#: Default of ``--max-line-bytes``: the longest line (or record joined from lines) read as a record.
DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024
#: Default of ``--max-field-bytes``: the longest field of a record.
DEFAULT_MAX_FIELD_BYTES = 1024 * 1024
#: What the quarantine keeps of a record over the line limit: its first characters.
PREFIX_CHARS = 1024
#: The size in bytes of a line or record over the line limit (null for the others).
LINE_BYTES = "_line_bytes"


@dataclass(frozen=True)
class CsvLimits:
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES

    def __post_init__(self) -> None:
        for name, value in (("--max-line-bytes", self.max_line_bytes), ("--max-field-bytes", self.max_field_bytes)):
            if value < 1:
                raise JobArgumentError(f"{name} must be a positive number of bytes, not {value}")


#: The limits of a run that gives none.
DEFAULT_LIMITS = CsvLimits()


def cut(line: Column, max_bytes: int) -> tuple[Column, Column]:
    """``line`` cut to its first :data:`PREFIX_CHARS` characters when over ``max_bytes``, and its size
    then (else null): the columns :data:`~dea_etl.transforms.parsing.RAW_LINE` and :data:`LINE_BYTES`."""
    from pyspark.sql import functions as F

    size = F.octet_length(line)
    over = size > max_bytes
    return F.when(over, F.substring(line, 1, PREFIX_CHARS)).otherwise(line), F.when(over, size)


def record_problem(limits: CsvLimits) -> Column:
    """Null unless the record was over the line limit; then the reason."""
    from pyspark.sql import functions as F

    return F.when(F.col(LINE_BYTES).isNotNull(), F.format_string(
        f"record of %d bytes is over the limit of {limits.max_line_bytes} bytes (--max-line-bytes); raw_line "
        f"keeps its first {PREFIX_CHARS} characters", F.col(LINE_BYTES)))


def field_too_big(raw: Column, limits: CsvLimits) -> Column:
    from pyspark.sql import functions as F

    return F.octet_length(raw) > limits.max_field_bytes


def field_size_problem(raw: Column, name: str, limits: CsvLimits) -> Column:
    """Null unless the field is over the field limit; then the reason."""
    from pyspark.sql import functions as F

    return F.when(field_too_big(raw, limits), F.format_string(
        f"field '{name}': %d bytes, over the limit of {limits.max_field_bytes} bytes (--max-field-bytes)",
        F.octet_length(raw)))
