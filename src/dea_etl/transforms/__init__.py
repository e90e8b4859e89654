"""Pure DataFrame -> DataFrame transformations (no I/O, no sessions).

Submodules are imported on use: some (``limits``) load without pyspark, for checks made before Spark starts.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = ("REJECT_REASON", "parse_csv_lines", "rejected_rows", "valid_rows", "with_partition_columns",
            "with_typed_columns")

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module("dea_etl.transforms.parsing"), name)
    raise AttributeError(f"module 'dea_etl.transforms' has no attribute {name!r}")
