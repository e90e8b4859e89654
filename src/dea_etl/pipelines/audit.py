"""Write-audit-publish: the data-quality gate between staging a converted table and publishing it.

With ``--dq-gate on`` (Iceberg tables only), every table of the run that has a shipped ruleset
(``rules/<table>.dqdl``) is checked after it was staged on its branch and before anything is published.
The ruleset runs on exactly the rows this run staged (the rows its snapshot added); the run's other
tables, as staged, are its references. The outcomes are appended to ``<parent>/_dq/<table>/outcomes``.

- mode ``fail``, a rule failed: the job fails and no table is published (``main`` keeps its snapshot).
- mode ``quarantine``: the rows that failed a row-level rule go to ``<parent>/_dq/<table>/quarantine``
  (published with the table) and the table is staged again with the other rows only: the failing rows
  never reach ``main``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from dea_etl.errors import JobArgumentError
from dea_etl.io.iceberg import StagedIceberg, stage_iceberg
from dea_etl.io.tables import TableFormat, stage_counted
from dea_etl.pipelines.convert import StagedConversion
from dea_etl.pipelines.data_quality import stage_outcomes, write_outcomes
from dea_etl.quality.gate import DataQualityError, GateResult, gate
from dea_etl.quality.rulesets import packaged_ruleset, packaged_tables
from dea_etl.runtime import JobContext


def gate_enabled(ctx: JobContext, fmt: TableFormat) -> bool:
    if (ctx.args.get("dq_gate") or "off") == "off":
        return False
    if not fmt.is_iceberg:
        raise JobArgumentError(f"{ctx.job_name}: --dq-gate on needs --table-format iceberg")
    return True


def dq_table_path(output: str, table: str, what: str) -> str:
    """``<output's parent>/_dq/<table>/<what>`` (in a lake: ``processedData/_dq/<table>/<what>``)."""
    parent = output.rstrip("/").rpartition("/")[0]
    return f"{parent}/_dq/{table}/{what}" if parent else f"_dq/{table}/{what}"


def staged_tables(conversions: Sequence[StagedConversion]) -> dict[str, DataFrame]:
    """Each staged table as it will be once published, by table name."""
    return {c.result.table: c.staged[0].staged_df() for c in conversions if isinstance(c.staged[0], StagedIceberg)}


def _restage_passed(conversion: StagedConversion, result: GateResult, fmt: TableFormat, run_id: str,
                    partition_by: Sequence[str]) -> None:
    """Stage the table again with the passing rows, and the failing rows to the DQ quarantine."""
    assert result.quarantined_df is not None
    old = conversion.staged[0]
    assert isinstance(old, StagedIceberg)
    table = conversion.result.table
    output = conversion.result.output or ""
    bad = result.quarantined_df.withColumn("run_id", F.lit(run_id))
    staged_bad, quarantined = stage_counted(bad, dq_table_path(output, table, "quarantine"), table_format=fmt,
                                            run_id=run_id, mode="append")
    if not quarantined:
        staged_bad.discard()
        return
    new = stage_iceberg(result.passed_df, output, run_id=run_id, mode=old.mode, partition_by=partition_by,
                        catalog=fmt.catalog)
    new.created, old.created = old.created, False
    old.discard()
    conversion.staged[0] = new
    conversion.staged.append(staged_bad)
    conversion.result.rows_written -= quarantined
    conversion.result.rows_quarantined += quarantined
    conversion.result.metrics["dq quarantine"] = f"{quarantined} rows: {dq_table_path(output, table, 'quarantine')}"


def audit(ctx: JobContext, conversions: Sequence[StagedConversion], fmt: TableFormat,
          references: Mapping[str, DataFrame], partition_by: Mapping[str, Sequence[str]]) -> None:
    """Apply each converted table's gate to its staged rows (see the module doc); raises on a failed gate."""
    rulesets = set(packaged_tables())
    for conversion in conversions:
        table, staged = conversion.result.table, conversion.staged[0]
        if table not in rulesets or not isinstance(staged, StagedIceberg):
            continue
        ruleset = packaged_ruleset(table)
        others = {name: df for name, df in references.items() if name != table}
        outcomes = dq_table_path(conversion.result.output or "", table, "outcomes")
        try:
            result = gate(staged.new_rows_df(), ruleset.text, ruleset.mode, others, table=table)
        except DataQualityError as exc:
            write_outcomes(exc.result, outcomes, table, ctx.run_id, fmt)
            raise
        # published with the table it judges (and claimed with it: one run, all its tables or none)
        conversion.staged.append(stage_outcomes(result, outcomes, table, ctx.run_id, fmt))
        conversion.result.metrics["dq"] = (f"{len(result.results) - len(result.failed_rules)}/{len(result.results)} "
                                           f"rules passed on the staged rows (mode {ruleset.mode})")
        if result.quarantined_df is not None:
            try:
                _restage_passed(conversion, result, fmt, ctx.run_id, partition_by.get(table, ()))
            finally:
                result.release()
