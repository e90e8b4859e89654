"""The orders generator: deterministic, course-shaped, invariants hold."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from dea_etl.cli import main as cli_main
from dea_etl.datagen.orders import COURSE_SAMPLE_LINES


@pytest.fixture(scope="module")
def orders_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "orders.csv"
    assert cli_main(["generate-data", "orders", "--rows", "3000", "--seed", "11", "--out", str(out)]) == 0
    return out


def parse_date(s: str) -> dt.date:
    m, d, y = (int(x) for x in s.split("/"))
    return dt.date(y, m, d)


def test_deterministic_for_a_seed(orders_file: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    assert cli_main(["generate-data", "orders", "--rows", "3000", "--seed", "11", "--out", str(again)]) == 0
    assert cli_main(["generate-data", "orders", "--rows", "3000", "--seed", "12", "--out", str(other)]) == 0
    assert again.read_bytes() == orders_file.read_bytes()
    assert other.read_bytes() != orders_file.read_bytes()


def test_shape_rows_and_course_sample_lines(orders_file: Path) -> None:
    text = orders_file.read_text()
    lines = text.splitlines()
    assert len(lines) == 3000
    assert lines[:3] == list(COURSE_SAMPLE_LINES)
    assert not lines[0].startswith("salesorderid")  # headerless
    assert all(len(row) == 16 for row in csv.reader(lines))


def test_invariants(orders_file: Path, data_dir: Path) -> None:
    assert_invariants(orders_file, data_dir)


def assert_invariants(orders_file: Path, data_dir: Path) -> None:
    """What rules/orders.dqdl checks, line by line and order by order, but ``orderqty > 0``."""
    customers = {int(r[0]) for r in csv.reader(data_dir.joinpath("customers.csv").open(newline=""))}
    reps = {int(r[0]) for r in csv.reader(data_dir.joinpath("employees.csv").open(newline="")) if r[5] == "Sales Representative"}
    orders: dict[str, list[list[str]]] = defaultdict(list)
    detail_ids = set()
    for row in csv.reader(orders_file.open(newline="")):
        orders[row[0]].append(row)
        detail_ids.add(row[1])
        qty, price, disc, line_total = int(row[12]), Decimal(row[13]), Decimal(row[14]), Decimal(row[15])
        assert qty * price * (1 - disc) == line_total, row
        assert int(row[6]) in customers and int(row[5]) in reps
        order_date, due, ship = parse_date(row[2]), parse_date(row[3]), parse_date(row[4])
        assert order_date < ship < due, row
        assert dt.date(2011, 1, 1) <= order_date <= dt.date(2014, 12, 31)
    assert len(detail_ids) == 3000
    assert sum(len(v) > 1 for v in orders.values()) > len(orders) / 2  # several lines per order
    for order_id, rows in orders.items():
        header = {tuple(r[2:11]) for r in rows}
        assert len(header) == 1, f"order {order_id}: order-level fields differ between lines"
        sub, tax, freight, total = (Decimal(x) for x in rows[0][7:11])
        assert sum(Decimal(r[15]) for r in rows) == sub, order_id
        assert sub + tax + freight == total, order_id


def test_failing_fraction_breaks_only_orderqty(orders_file: Path, data_dir: Path, tmp_path: Path) -> None:
    failing = tmp_path / "failing.csv"
    assert cli_main(["generate-data", "orders", "--rows", "3000", "--seed", "11", "--failing-fraction", "0.2",
                     "--out", str(failing)]) == 0
    assert_invariants(failing, data_dir)
    plain = list(csv.reader(orders_file.open(newline="")))
    rows = list(csv.reader(failing.open(newline="")))
    zero = [r for r in rows if r[12] == "0"]
    assert 450 <= len(zero) <= 750  # about 20% of 3,000 lines
    assert all(Decimal(r[15]) == 0 for r in zero)
    assert not any(r[12] == "0" for r in plain)
    # the same lines otherwise: ids, dates, customers, products, prices and discounts
    keep = (0, 1, 2, 3, 4, 5, 6, 11, 13, 14)
    assert [[r[i] for i in keep] for r in rows] == [[r[i] for i in keep] for r in plain]
    assert rows[:3] == plain[:3]  # the course's sample lines stay verbatim


def test_failing_fraction_out_of_range_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["generate-data", "orders", "--rows", "3000", "--failing-fraction", "1.5",
                     "--out", str(tmp_path / "o.csv")]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_too_few_rows_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["generate-data", "orders", "--rows", "4", "--out", str(tmp_path / "o.csv")]) == 2
    assert "at least 6" in capsys.readouterr().err


def test_generated_data_goes_to_s3_as_written_locally(
    orders_file: Path, aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="gen-lake")
    out = "s3://gen-lake/rawData/orders/orders.csv"
    assert cli_main(["generate-data", "orders", "--rows", "3000", "--seed", "11", "--out", out]) == 0
    assert s3.get_object(Bucket="gen-lake", Key="rawData/orders/orders.csv")["Body"].read() == orders_file.read_bytes()
    assert cli_main(["generate-data", "orders", "--rows", "3000", "--out", "s3://gen-lake/"]) == 2
    assert "expected s3://BUCKET/KEY" in capsys.readouterr().err
    assert not Path("s3:").exists()
