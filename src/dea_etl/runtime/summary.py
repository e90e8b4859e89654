"""The run summary: per table rows in / written / quarantined, files read / skipped, outputs, seconds."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass
class TableResult:
    """What a job did to one table. ``rows_in == rows_written + rows_quarantined`` always holds."""

    table: str
    rows_in: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    files_read: int = 0
    files_skipped: int = 0
    lines_skipped: int = 0
    output: str | None = None
    quarantine_output: str | None = None
    seconds: float = 0.0
    #: Anything else worth reporting (unknown keys, data-quality outcomes, partitions written).
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.rows_in == self.rows_written + self.rows_quarantined


@dataclass
class RunSummary:
    job: str
    run_id: str
    platform: str
    status: str = "running"
    error: str | None = None
    seconds: float = 0.0
    tables: list[TableResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> bytes:
        return (json.dumps(self.to_dict(), indent=2, default=str) + "\n").encode()

    def write_json(self, spark: SparkSession | None, path: str) -> None:
        """Write the summary to a local path or a URI (``s3://...``, through Hadoop's FileSystem API).

        Without a session (it failed to start) only a local path can be written; a URI is then skipped.
        """
        if spark is not None:
            from dea_etl.io import files

            files.write_bytes(spark, path, self.to_json())
        elif "://" not in path:
            p = Path(path)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(self.to_json())

    def render(self, console: Console) -> None:
        """The one summary of a run: a table of the counts (values wrap, never cut), then each table's paths
        and what it adds (quarantine, metrics), one per line: a path is never cut either. Names and paths
        are text, never markup (a folder may be called "[x]")."""
        table = Table(title=Text(f"{self.job} run {self.run_id} ({self.platform}): {self.status}, "
                                 f"{self.seconds:.1f} s"),
                      box=box.SIMPLE_HEAD, title_justify="left", collapse_padding=True)
        table.add_column("table", overflow="fold")  # every value wraps when narrow, none is cut
        for name, justify in [
            ("rows in", "right"), ("in=out", "center"), ("written", "right"), ("quarantined", "right"),
            ("files", "right"), ("skipped", "right"), ("seconds", "right"),
        ]:
            table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
        for t in self.tables:
            table.add_row(
                Text(t.table), f"{t.rows_in:,}", "=" if t.balanced else "!=", f"{t.rows_written:,}",
                f"{t.rows_quarantined:,}", str(t.files_read), str(t.files_skipped), f"{t.seconds:.1f}",
            )
        console.print(table)
        for t in self.tables:
            details = {"output": t.output} if t.output else {}
            if t.rows_quarantined and t.quarantine_output:
                details["quarantine"] = t.quarantine_output
            details |= t.metrics
            for key, value in details.items():
                console.print(f"{t.table}: {key}: {value}", highlight=False, markup=False, soft_wrap=True)
