"""Reading and writing the lake: storage schemes, CSV lines in, Parquet or Iceberg tables out.

Submodules are imported on use: ``dea_etl.io.storage`` (no Spark) must stay light for the CLI's checks.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "FileInfo": "dea_etl.io.storage",
    "is_skipped_line": "dea_etl.io.csv",
    "read_lines": "dea_etl.io.csv",
    "list_files": "dea_etl.io.files",
    "MODES": "dea_etl.io.parquet",
    "StagedParquet": "dea_etl.io.parquet",
    "remove_run": "dea_etl.io.parquet",
    "stage_parquet": "dea_etl.io.parquet",
    "write_parquet": "dea_etl.io.parquet",
    "read_table": "dea_etl.io.tables",
    "stage_table": "dea_etl.io.tables",
    "write_table": "dea_etl.io.tables",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'dea_etl.io' has no attribute {name!r}")
