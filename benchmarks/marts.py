"""Sales marts: the sales_mart job over the bench's orders vs the plain csv_to_parquet job on them.

The orders CSV is converted once (untimed) into a lake under the work folder, with customers and
employees from data/; then the mart job (read processed orders, one pass, broadcast joins, five
outputs) is timed against csv_to_parquet of the same orders. Target: mart job <= 1.3 x csv_to_parquet.
"""

from __future__ import annotations

import shutil

from benchmarks import REPO, BenchContext, Ratio, Section
from benchmarks import run as run_command

TARGET_RATIO = 1.3


def run(ctx: BenchContext) -> Section:
    orders_csv = ctx.orders_csv()
    lake = ctx.workdir / "marts_lake"
    shutil.rmtree(lake, ignore_errors=True)
    convert = REPO / "jobs" / "csv_to_parquet.py"
    for table, source in (
        ("customers", REPO / "data" / "customers.csv"),
        ("employees", REPO / "data" / "employees.csv"),
        ("orders", orders_csv),
    ):
        run_command(
            ctx.submit_cmd(
                convert,
                "--table",
                table,
                "--input",
                str(source),
                "--output",
                str(lake / "processedData" / table),
            )
        )
    marts = ctx.time(
        "a: dea-etl sales_mart (spark-submit)",
        ctx.submit_cmd(REPO / "jobs" / "sales_mart.py", "--lake", str(lake)),
    )
    plain = ctx.time(
        "b: dea-etl csv_to_parquet orders (spark-submit)",
        ctx.submit_cmd(
            convert,
            "--table",
            "orders",
            "--input",
            str(orders_csv),
            "--output",
            str(ctx.workdir / "out" / "marts_baseline_orders"),
        ),
    )
    section = Section("Sales marts (orders x customers x employees)", [marts, plain])
    section.ratios = [
        Ratio(
            "a / b (mart job vs csv_to_parquet on the same orders)", marts.median / plain.median, TARGET_RATIO
        )
    ]
    files = sorted((lake / "processedData" / "orders").rglob("*.parquet"))
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    section.notes.append(
        f"The mart job reads {len(files)} Parquet files ({size_mb:.0f} MB) of processed orders written once "
        "by csv_to_parquet, joins customers and employees (broadcast) and writes customer_sales, "
        "employee_sales_monthly, territory_sales_monthly and manager_sales."
    )
    return section
