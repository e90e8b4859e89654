"""Reading and writing the lake: CSV lines in, atomic Parquet out, file listing."""

from dea_etl.io import manifest
from dea_etl.io.csv import is_skipped_line, read_lines
from dea_etl.io.files import FileInfo, list_files
from dea_etl.io.parquet import MODES, StagedParquet, clean, read_table, stage_counted, stage_parquet, write_parquet

__all__ = [
    "MODES",
    "FileInfo",
    "StagedParquet",
    "clean",
    "is_skipped_line",
    "list_files",
    "manifest",
    "read_lines",
    "read_table",
    "stage_counted",
    "stage_parquet",
    "write_parquet",
]
