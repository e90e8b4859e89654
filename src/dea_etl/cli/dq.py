"""``dea-etl dq --ruleset FILE (--table T [--lake L] | --input PATH --format csv|parquet [--table T])
[--report DIR] [--record]``.

Prints the rule outcomes and their metrics; exit code 0 when every rule passed, 1 when any failed,
2 on an invalid ruleset (with its line and column) or bad arguments. ``--report DIR`` writes
``report.html``, ``report.md`` and ``report.json`` (the columns' profile, two aggregations after the evaluation;
the rows that fail each rule; charts from the lake's metric history);
``--record`` appends this evaluation's metrics to the lake's history (``processedData/_dq/metrics``).
The ruleset is evaluated once (rules and analyzers in one pass); the row-level results, the history and
the reports are all derived from that evaluation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

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


def _load(spark: Any, ns: argparse.Namespace) -> tuple[Any, dict[str, Any], Any, dict[str, Any] | None]:
    """The DataFrame to check, its references (the lake's other processed tables) and, for CSV input, the
    rows that could not be parsed and the outcome that accounts for them (else None, None)."""
    from dea_etl.io import files
    from dea_etl.io.lake import Lake
    from dea_etl.io.tables import read_any
    from dea_etl.tables import TABLES, source_table

    lake = Lake(ns.lake)
    spec = source_table(ns.table) if ns.table and ns.input is not None else None
    name = _name(ns)
    refs = {t: read_any(spark, lake.processed(t)) for t in TABLES
            if t != name and files.exists(spark, lake.processed(t))}
    for item in ns.reference or []:
        alias, _, path = item.partition("=")
        refs[alias] = read_any(spark, path)
    if ns.input is None:  # a table of the lake, dea-etl's or the user's: read as it is (its format, its schema)
        return read_any(spark, lake.processed(str(ns.table))), refs, None, None
    if ns.format == "parquet":
        return read_any(spark, ns.input), refs, None, None
    from dea_etl.io.csv import is_skipped_line, read_lines, with_line_numbers
    from dea_etl.pipelines.convert import input_files, parsed_rows
    from dea_etl.transforms.parsing import rejected_rows, valid_rows
    from dea_etl.transforms.records import records_from_lines

    assert spec is not None  # checked by _dq: --format csv needs --table
    # RFC 4180 records (a quoted field may span lines), each numbered by its first line, as read_csv_table
    records = records_from_lines(with_line_numbers(read_lines(spark, input_files(spark, ns.input))))
    parsed = parsed_rows(records.where(~is_skipped_line(spec)), spec).cache()
    rows_in = parsed.count()
    unparsed = rejected_rows(parsed)
    rejects = unparsed.orderBy("source_file", "line_number").collect()
    return parsed.transform(valid_rows(spec)), refs, unparsed, _quarantine_outcome(rows_in, rejects)


def _short(ns: argparse.Namespace) -> bool:
    """A short run (:data:`dea_etl.pipelines.checks.SHORT_RUN_BYTES`): what is checked is small and local."""
    from dea_etl.pipelines.checks import short_input, short_lake

    return short_input({"input": ns.input}) if ns.input is not None else short_lake({"lake": ns.lake})


def _name(ns: argparse.Namespace) -> str:
    """The checked table's name in the history: --table's (a table file's or catalog table's name; a lake
    table's folder), else the ruleset file's name."""
    if ns.table and ns.input is None:
        return str(ns.table)
    if ns.table:
        from dea_etl.tables import source_table

        return source_table(ns.table).name
    return Path(ns.ruleset).stem


def _source(ns: argparse.Namespace) -> str:
    """Where the checked data is read: --input, else the lake's table."""
    if ns.input is not None:
        return str(ns.input)
    from dea_etl.io.lake import Lake

    return Lake(ns.lake).processed(_name(ns))


def _after(spark: Any, ns: argparse.Namespace, run: Any, history: Any, ev: Any, unparsed: Any) -> list[str]:
    """--record and --report: the history append and the report files, from the one evaluation ``ev``;
    returns the report's files."""
    from datetime import UTC, datetime

    from dea_etl.quality import recording
    from dea_etl.quality.evaluate import FAILED, ROW_PASS, ROW_RESULT, ROW_SKIP, row_level_frame

    if ns.report:
        failing = None
        if not ev.passed:  # the rows that fail a row-level rule, from the same evaluation's verdict columns
            rows = row_level_frame(ev)
            failing = rows.where(rows[ROW_RESULT] == FAILED).drop(ROW_PASS, ROW_SKIP, ROW_RESULT)
        doc = recording.report_of(run, ev.outcomes, history, analyzers=ev.analyzers, failing_rows=failing,
                                  unparsed_rows=unparsed, completed_at=datetime.now(UTC), evaluation=ev,
                                  samples=recording.rule_samples(ev))
        written = recording.write(spark, doc, ns.report)
    if ns.record:
        recording.record(spark, ns.lake, run, [*ev.outcomes, *ev.analyzers])
    return written if ns.report else []


def _read_ruleset(spark: Any, path: str) -> str:
    """The ruleset's text: a local file, or (with a session) any URI Hadoop can read."""
    if spark is None:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    from dea_etl.io import files

    return files.read_bytes(spark, path).decode("utf-8")


def _stopped(spark: Any, created: bool, code: int) -> int:
    if spark is not None and created:
        spark.stop()
    return code


def _row(o: Any) -> dict[str, Any]:
    """One outcome as the printed row (the ruleOutcomes fields and the labels)."""
    labels = ", ".join(f"{k}={v}" for k, v in o.labels.items())
    return {"Rule": o.rule, "Outcome": o.outcome, "FailureReason": o.failure_reason,
            "EvaluatedMetrics": dict(o.metrics), "Labels": labels}


def _render(rows: list[Any], accounting: dict[str, Any] | None, console: Console) -> None:

    table = Table(title="data quality outcomes")
    labelled = any(r.get("Labels") for r in rows)
    for name in ("Rule", "Outcome", "FailureReason", "EvaluatedMetrics", *(["Labels"] if labelled else [])):
        table.add_column(name, overflow="fold")
    for r in ([accounting] if accounting else []) + rows:
        metrics = "\n".join(f"{k} = {v:.6g}" for k, v in sorted((r["EvaluatedMetrics"] or {}).items()))
        style = "green" if r["Outcome"] == "Passed" else "red"
        # Rules and reasons are text (a rule may quote "[bold]" or "[/x]"): never read as markup.
        cells = [Text(r["Rule"]), Text(r["Outcome"], style=style), Text(r["FailureReason"] or ""), Text(metrics)]
        table.add_row(*cells, *([Text(r.get("Labels") or "")] if labelled else []))
    console.print(table)
    failed = sum(r["Outcome"] != "Passed" for r in rows)
    console.print(f"{len(rows) - failed} of {len(rows)} rules passed", highlight=False)
    if accounting is not None:
        m = accounting["EvaluatedMetrics"]
        n, q = int(m["Dataset.*.RowsIn"]), int(m["Dataset.*.RowsQuarantined"])
        console.print(f"rows in {n} = evaluated {n - q} + quarantined {q}", highlight=False, soft_wrap=True)
        if q:
            console.print(accounting["FailureReason"], highlight=False, soft_wrap=True, markup=False)


def _preflight(ns: argparse.Namespace) -> None:
    """Before Spark starts: the table is known, the input (or the lake's table) and the references exist."""
    from dea_etl.pipelines.checks import table_name
    from dea_etl.preflight import check_input, check_lake_table

    if ns.input is not None:
        if ns.table:
            table_name(ns.table)  # the schema of the CSV: a seed table, a table file or glue://
        check_input(ns.input)
    elif ns.table is not None:
        check_lake_table(ns.lake, ns.table)  # any table of the lake, dea-etl's or the user's
    for item in ns.reference or []:
        check_input(item.partition("=")[2])


def _dq(ns: argparse.Namespace) -> int:
    from dea_etl.errors import DeaEtlError

    if ns.input is None and ns.table is None:
        error("give --table NAME or --input PATH --format csv|parquet")
        return 2
    if ns.input is not None and ns.format is None:
        error("--input needs --format csv|parquet")
        return 2
    if ns.format == "csv" and ns.table is None:
        error("--format csv needs --table NAME (its schema)")
        return 2
    from dea_etl.quality import DqdlSyntaxError, parse_ruleset, recording, run_ruleset
    from dea_etl.runtime import get_spark
    from dea_etl.runtime.context import new_run_id

    remote = "://" in ns.ruleset  # s3://..., read through the session's file systems
    spark, created = get_spark("dea-etl-dq", short_run=_short(ns)) if remote else (None, False)
    try:
        text = _read_ruleset(spark, ns.ruleset)
        ruleset = parse_ruleset(text)
    except DqdlSyntaxError as exc:
        error(f"invalid ruleset {ns.ruleset}: {exc}")
        return _stopped(spark, created, 2)
    except Exception as exc:  # OSError, a missing object, S3's refusal
        error(f"cannot read ruleset: {first_line(exc)}")
        return _stopped(spark, created, 2)
    try:
        _preflight(ns)
    except DeaEtlError as exc:
        error(str(exc))
        return _stopped(spark, created, exc.exit_code)
    if spark is None:
        spark, created = get_spark("dea-etl-dq", short_run=_short(ns))
    try:
        df, refs, unparsed, accounting = _load(spark, ns)
        run = recording.Run.now(_name(ns), Path(ns.ruleset).stem, text, new_run_id(), _source(ns))
        history = recording.history_for(spark, ns.lake, run, ruleset, bool(ns.report))
        roots = tuple(p for p in (ns.lake, ns.input) if p)
        ev = run_ruleset(df, ruleset, refs, history=history, file_roots=roots,
                         with_analyzers=bool(ns.report or ns.record), profile=bool(ns.report))
        rows = [_row(o) for o in ev.outcomes]
        written = _after(spark, ns, run, history, ev, unparsed) if ns.report or ns.record else []
    except Exception as exc:
        error(first_line(exc))
        return 2
    finally:
        if created:
            spark.stop()
    console = Console(width=None if sys.stdout.isatty() else 160)
    _render(rows, accounting, console)
    for path in written:
        console.print(f"report: {path}", highlight=False, markup=False, soft_wrap=True)
    every = rows + ([accounting] if accounting else [])
    return 0 if all(r["Outcome"] == "Passed" for r in every) else 1


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("dq", help="evaluate a DQDL ruleset on a table or a file; exit 1 when a rule fails")
    p.add_argument("--ruleset", required=True, help="DQDL file (e.g. rules/orders.dqdl or s3://BUCKET/rules/orders.dqdl)")
    p.add_argument("--table", help="a table of --lake (orders, your own products, _dq/orders/outcomes, ...), or the "
                   "schema of --input csv (a seed table, a table file .json or glue://DATABASE/TABLE)")
    p.add_argument("--lake", default="lake", help="lake root for --table (default: lake)")
    p.add_argument("--input", help="a file or folder to check instead of the lake's table")
    p.add_argument("--format", choices=["csv", "parquet"], help="format of --input")
    p.add_argument("--reference", action="append", metavar="ALIAS=PATH",
                   help="extra reference dataset (Parquet) for rules that name ALIAS")
    p.add_argument("--report", metavar="DIR",
                   help="write report.html, report.md and report.json to DIR (a folder or s3://...)")
    p.add_argument("--record", action="store_true",
                   help="append this evaluation's metrics to the lake's metric history (--lake)")
    p.set_defaults(handler=_dq)
