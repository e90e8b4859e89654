"""``--max-line-bytes`` and ``--max-field-bytes``, for every job that reads CSV (see
:mod:`dea_etl.transforms.limits`)."""

from __future__ import annotations

from dea_etl.errors import JobArgumentError
from dea_etl.runtime import Arg, JobContext
from dea_etl.transforms.limits import DEFAULT_MAX_FIELD_BYTES, DEFAULT_MAX_LINE_BYTES, CsvLimits

LIMIT_ARGS = (
    Arg("max-line-bytes", default=str(DEFAULT_MAX_LINE_BYTES),
        help="a CSV record (a line, or the lines of a quoted field spanning lines) longer than this is "
             "quarantined with its first characters, not read whole"),
    Arg("max-field-bytes", default=str(DEFAULT_MAX_FIELD_BYTES),
        help="a record with a field longer than this is quarantined"),
)


def csv_limits(ctx: JobContext) -> CsvLimits:
    """The job's limits (the defaults for a job that does not take the arguments)."""
    values = []
    for key, default in (("max_line_bytes", DEFAULT_MAX_LINE_BYTES), ("max_field_bytes", DEFAULT_MAX_FIELD_BYTES)):
        text = ctx.args.get(key) or str(default)
        if not text.isdigit():
            raise JobArgumentError(f"--{key.replace('_', '-')} must be a number of bytes, not {text!r}")
        values.append(int(text))
    return CsvLimits(*values)
