"""Pure DataFrame -> DataFrame transformations (no I/O, no sessions)."""

from dea_etl.transforms.parsing import (
    REJECT_REASON,
    parse_csv_lines,
    rejected_rows,
    valid_rows,
    with_partition_columns,
    with_typed_columns,
)

__all__ = [
    "REJECT_REASON",
    "parse_csv_lines",
    "rejected_rows",
    "valid_rows",
    "with_partition_columns",
    "with_typed_columns",
]
