"""Shared helpers for the bookmark tests: files with set modification times, one-call runs."""

from __future__ import annotations

import os
from pathlib import Path

from pyspark.sql import SparkSession

from dea_etl.bookmarks import ENABLE, BookmarkStore, start_session
from dea_etl.io.incremental import new_files

#: A fixed "now" (epoch seconds) so that no test depends on the wall clock.
T0 = 1_750_000_000


def put(folder: Path, name: str, mtime_s: float, text: str = "1,a\n") -> Path:
    """Write ``folder/name`` and set its modification time (seconds since the epoch)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    os.utime(path, (mtime_s, mtime_s))
    return path


def run(
    spark: SparkSession,
    store: BookmarkStore | None,
    sources: dict[str, Path],
    at_s: float,
    *,
    option: str = ENABLE,
    run_id: str = "r",
    commit: bool = True,
    job: str = "job",
    from_run_id: str | None = None,
    to_run_id: str | None = None,
) -> dict[str, set[str]]:
    """One run at time ``at_s``: the names of the files each source (ctx -> folder) reads; commit if asked."""
    session = start_session(
        job,
        run_id,
        option,
        store,
        from_run_id=from_run_id,
        to_run_id=to_run_id,
        clock=lambda: int(at_s * 1000),
    )
    read = {
        ctx: {Path(f.path).name for f in new_files(spark, str(folder), ctx, session).files}
        for ctx, folder in sources.items()
    }
    if commit:
        session.commit()
    return read
