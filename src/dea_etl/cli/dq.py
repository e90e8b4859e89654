"""``dea-etl dq --ruleset FILE (--table T [--lake L] | --input PATH --format csv|parquet [--table T])``.

Prints the rule outcomes and their metrics; exit code 0 when every rule passed, 1 when any failed,
2 on an invalid ruleset (with its line and column) or bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from dea_etl.cli.output import error
from dea_etl.errors import first_line

#: How many quarantined lines the outcome names (all are counted).
SHOWN_REJECTS = 5


def _quarantine_outcome(rows_in: int, rejects: list[Any]) -> dict[str, Any]:
    """The CSV rows that do not parse, as one more outcome: rows in = evaluated + quarantined."""
    names = "; ".join(f"{r['source_file'].rsplit('/', 1)[-1]} line {r['line_number']}: {r['reason']}"
                      for r in rejects[:SHOWN_REJECTS])
    more = f" (and {len(rejects) - SHOWN_REJECTS} more)" if len(rejects) > SHOWN_REJECTS else ""
    return {
        "Rule": "(input) every CSV row parses with the table's schema",
        "Outcome": "Failed" if rejects else "Passed",
        "FailureReason": f"{len(rejects)} of {rows_in} rows quarantined, not evaluated: {names}{more}"
        if rejects else None,
        "EvaluatedMetrics": {"Dataset.*.RowsIn": float(rows_in), "Dataset.*.RowsQuarantined": float(len(rejects))},
    }


def _load(spark: Any, ns: argparse.Namespace) -> tuple[Any, dict[str, Any], dict[str, Any] | None]:
    """The DataFrame to check, its references (the lake's other processed tables) and, for CSV input, the
    outcome that accounts for the rows that do not parse."""
    from dea_etl.io import files
    from dea_etl.io.lake import Lake
    from dea_etl.schemas import TABLES, table_spec

    lake = Lake(ns.lake)
    refs = {t: spark.read.parquet(lake.processed(t)) for t in TABLES
            if t != ns.table and files.exists(spark, lake.processed(t))}
    for item in ns.reference or []:
        alias, _, path = item.partition("=")
        refs[alias] = spark.read.parquet(path)
    if ns.input is None:
        return spark.read.parquet(lake.processed(ns.table)), refs, None
    if ns.format == "parquet":
        return spark.read.parquet(ns.input), refs, None
    from dea_etl.io.csv import is_skipped_line, read_lines
    from dea_etl.pipelines.convert import input_files, parsed_rows, with_line_numbers
    from dea_etl.transforms.parsing import rejected_rows, valid_rows

    spec = table_spec(ns.table)
    lines = with_line_numbers(read_lines(spark, input_files(spark, ns.input)))
    parsed = parsed_rows(lines.where(~is_skipped_line(spec)), spec).cache()
    rows_in = parsed.count()
    rejects = rejected_rows(parsed).orderBy("source_file", "line_number").collect()
    return parsed.transform(valid_rows(spec)), refs, _quarantine_outcome(rows_in, rejects)


def _render(rows: list[Any], accounting: dict[str, Any] | None, console: Console) -> None:
    table = Table(title="data quality outcomes")
    for name in ("Rule", "Outcome", "FailureReason", "EvaluatedMetrics"):
        table.add_column(name, overflow="fold")
    for r in ([accounting] if accounting else []) + rows:
        metrics = "\n".join(f"{k} = {v:.6g}" for k, v in sorted((r["EvaluatedMetrics"] or {}).items()))
        style = "green" if r["Outcome"] == "Passed" else "red"
        table.add_row(r["Rule"], f"[{style}]{r['Outcome']}[/{style}]", r["FailureReason"] or "", metrics)
    console.print(table)
    failed = sum(r["Outcome"] != "Passed" for r in rows)
    console.print(f"{len(rows) - failed} of {len(rows)} rules passed", highlight=False)
    if accounting is not None:
        m = accounting["EvaluatedMetrics"]
        n, q = int(m["Dataset.*.RowsIn"]), int(m["Dataset.*.RowsQuarantined"])
        console.print(f"rows in {n} = evaluated {n - q} + quarantined {q}", highlight=False, soft_wrap=True)
        if q:
            console.print(accounting["FailureReason"], highlight=False, soft_wrap=True, markup=False)


def _dq(ns: argparse.Namespace) -> int:
    from dea_etl.quality import DqdlSyntaxError, evaluate, parse_ruleset

    if ns.input is None and ns.table is None:
        error("give --table NAME or --input PATH --format csv|parquet")
        return 2
    if ns.input is not None and ns.format is None:
        error("--input needs --format csv|parquet")
        return 2
    if ns.format == "csv" and ns.table is None:
        error("--format csv needs --table NAME (its schema)")
        return 2
    try:
        with open(ns.ruleset, encoding="utf-8") as fh:
            text = fh.read()
        ruleset = parse_ruleset(text)
    except OSError as exc:
        error(f"cannot read ruleset: {exc}")
        return 2
    except DqdlSyntaxError as exc:
        error(f"invalid ruleset {ns.ruleset}: {exc}")
        return 2
    from dea_etl.runtime import get_spark

    spark, created = get_spark("dea-etl-dq")
    try:
        df, refs, accounting = _load(spark, ns)
        rows = [r.asDict() for r in evaluate(df, ruleset, refs).collect()]
    except Exception as exc:
        error(first_line(exc))
        return 2
    finally:
        if created:
            spark.stop()
    _render(rows, accounting, Console(width=None if sys.stdout.isatty() else 160))
    every = rows + ([accounting] if accounting else [])
    return 0 if all(r["Outcome"] == "Passed" for r in every) else 1


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("dq", help="evaluate a DQDL ruleset on a table or a file; exit 1 when a rule fails")
    p.add_argument("--ruleset", required=True, help="DQDL file (e.g. rules/orders.dqdl)")
    p.add_argument("--table", help="seed table: its processed data in --lake, or the schema of --input csv")
    p.add_argument("--lake", default="lake", help="lake root for --table (default: lake)")
    p.add_argument("--input", help="a file or folder to check instead of the lake's table")
    p.add_argument("--format", choices=["csv", "parquet"], help="format of --input")
    p.add_argument("--reference", action="append", metavar="ALIAS=PATH",
                   help="extra reference dataset (Parquet) for rules that name ALIAS")
    p.set_defaults(handler=_dq)
