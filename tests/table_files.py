"""The data files of a plain Parquet table, as any reader lists them (no dea-etl involved)."""

from __future__ import annotations

from pathlib import Path


def data_files(table: str | Path) -> dict[str, list[str]]:
    """Partition folder (``year=2014/month=5``, ``"."`` unpartitioned) -> the Parquet file names in it."""
    root = Path(table)
    out: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.parquet")):
        rel = path.relative_to(root)
        if any(p.startswith((".", "_")) for p in rel.parts):
            continue
        out.setdefault(rel.parent.as_posix() if rel.parent.parts else ".", []).append(path.name)
    return out
