"""Deterministic generator of the course's orders.csv (headerless, course column order).

Invariants (checked by the tests and by rules/orders.dqdl):
- several lines per ``salesorderid``; the order-level amounts repeat on every line of an order;
- ``linetotal = orderqty * unitprice * (1 - unitpricediscount)`` exactly: prices have 2 decimals and
  discounts 2 decimals, so every amount is an exact 4-decimal number;
- ``subtotal = sum(linetotal)`` of the order, ``totaldue = subtotal + taxamt + freight``;
- ``orderdate < shipdate < duedate``, written ``M/d/yyyy``, orders dated 2011-05-31 .. 2014-06-30;
- ``customerid`` from customers.csv, ``employeeid`` from the sales representatives in employees.csv;
- the course's three sample rows (SOURCE.md) appear verbatim as the first three lines; each belongs to
  an order completed by one generated filler line so that the invariants hold for it too.

With ``failing_fraction`` > 0 about that fraction of the generated lines break one row-level rule of
rules/orders.dqdl on purpose (``orderqty > 0``: their quantity and line total are 0, so the amounts above
still add up), for measuring the DQ gate's quarantine path; 0 (the default) gives the same file as before
the option existed.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from dea_etl.tables.seed import ORDERS

COURSE_SAMPLE_LINES: tuple[str, ...] = (
    "71782,110667,5/1/2014,5/13/2014,5/8/2014,276,293,33319.986,3182.8264,994.6333,37497.4457,714,3,29.994,0,89.982",
    "44110,1732,8/1/2011,8/13/2011,8/8/2011,277,295,16667.3077,1600.6864,500.2145,18768.2086,765,2,419.4589,0,838.9178",
    "44131,2005,8/1/2011,8/13/2011,8/8/2011,275,297,20514.2859,1966.5222,614.5382,23095.3463,709,6,5.7,0,34.2",
)
SALES_REPRESENTATIVE = "Sales Representative"
FIRST_ORDER_DAY = dt.date(2011, 5, 31)
LAST_ORDER_DAY = dt.date(2014, 6, 30)
FIRST_ORDER_ID = 43659
FIRST_DETAIL_ID = 1
TAX_RATE = 0.08
FREIGHT_RATE = 0.025
DISCOUNTS = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.02, 0.05, 0.10, 0.15])
PRODUCT_IDS = np.arange(707, 1000)
MAX_LINES_PER_ORDER = 8


@dataclass(frozen=True)
class OrdersConfig:
    rows: int
    seed: int
    customer_ids: tuple[int, ...]
    employee_ids: tuple[int, ...]
    #: About this fraction of the generated lines fail ``ColumnValues "orderqty" > 0`` (see the module).
    failing_fraction: float = 0.0


def _ids_from_csv(path: Path, where: tuple[int, str] | None = None) -> tuple[int, ...]:
    """First-column ids of a headerless CSV, optionally only rows whose column i equals a value."""
    ids: list[int] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for rownum, row in enumerate(csv.reader(fh), start=1):
            if not row:
                continue
            if where is not None and (len(row) <= where[0] or row[where[0]] != where[1]):
                continue
            try:
                ids.append(int(row[0]))
            except ValueError:
                raise ValueError(f"{path}:{rownum}: expected an integer id, found {row[0]!r}") from None
    if not ids:
        raise ValueError(f"{path}: no ids found" + (f" with column {where[0]} = {where[1]!r}" if where else ""))
    return tuple(sorted(set(ids)))


def config_from_seed(rows: int, seed: int, data_dir: Path, failing_fraction: float = 0.0) -> OrdersConfig:
    """Draw customer ids from customers.csv and sales representatives from employees.csv."""
    if not 0.0 <= failing_fraction <= 1.0:
        raise ValueError(f"the failing fraction must be between 0 and 1, got {failing_fraction}")
    customers = _ids_from_csv(data_dir / "customers.csv")
    reps = _ids_from_csv(data_dir / "employees.csv", where=(5, SALES_REPRESENTATIVE))
    return OrdersConfig(rows=rows, seed=seed, customer_ids=customers, employee_ids=reps,
                        failing_fraction=failing_fraction)


def _sample_fillers() -> list[dict[str, object]]:
    """One filler line per course sample order: completes the order so subtotal = sum(linetotal)."""
    fillers = []
    for i, line in enumerate(COURSE_SAMPLE_LINES):
        f = line.split(",")
        remainder = Decimal(f[7]) - Decimal(f[15])
        fillers.append(
            {
                "salesorderid": int(f[0]), "orderdate": f[2], "duedate": f[3], "shipdate": f[4],
                "employeeid": int(f[5]), "customerid": int(f[6]), "subtotal": float(f[7]),
                "taxamt": float(f[8]), "freight": float(f[9]), "totaldue": float(f[10]),
                "productid": 707 + i, "orderqty": 1, "unitprice": float(remainder),
                "unitpricediscount": 0.0, "linetotal": float(remainder),
            }
        )
    return fillers


def _date_strings() -> np.ndarray:
    days = (LAST_ORDER_DAY - FIRST_ORDER_DAY).days + 40
    out = []
    for k in range(days):
        d = FIRST_ORDER_DAY + dt.timedelta(days=k)
        out.append(f"{d.month}/{d.day}/{d.year}")
    return np.array(out, dtype=object)


def generate_orders(cfg: OrdersConfig) -> pa.Table:
    """The generated lines (without the three verbatim sample lines) as an Arrow table.

    The table has ``cfg.rows - 3`` rows; the three sample lines are written first by
    :func:`write_orders_csv`.
    """
    n_samples = len(COURSE_SAMPLE_LINES)
    if cfg.rows < 2 * n_samples:
        raise ValueError(f"--rows must be at least {2 * n_samples} (the course's sample orders), got {cfg.rows}")
    rng = np.random.default_rng(cfg.seed)
    n = cfg.rows - 2 * n_samples  # generated lines besides the sample orders' lines

    # Orders of 1..8 lines until n lines; the last order is cut to fit.
    sizes = rng.integers(1, MAX_LINES_PER_ORDER + 1, size=n // 2 + 2)
    ends = np.cumsum(sizes)
    n_orders = int(np.searchsorted(ends, n)) + 1 if n > 0 else 0
    sizes = sizes[:n_orders].copy()
    if n_orders:
        sizes[-1] -= int(ends[n_orders - 1]) - n
    order_of_line = np.repeat(np.arange(n_orders), sizes)

    reserved = {int(line.split(",")[0]) for line in COURSE_SAMPLE_LINES}
    order_ids = np.arange(FIRST_ORDER_ID, FIRST_ORDER_ID + n_orders + len(reserved), dtype=np.int64)
    order_ids = order_ids[~np.isin(order_ids, list(reserved))][:n_orders]
    reserved_details = {int(line.split(",")[1]) for line in COURSE_SAMPLE_LINES}
    detail_ids = np.arange(FIRST_DETAIL_ID, FIRST_DETAIL_ID + n + n_samples + len(reserved_details), dtype=np.int64)
    detail_ids = detail_ids[~np.isin(detail_ids, list(reserved_details))][: n + n_samples]

    n_days = (LAST_ORDER_DAY - FIRST_ORDER_DAY).days + 1
    order_day = rng.integers(0, n_days, size=n_orders)
    ship_lag = rng.integers(5, 10, size=n_orders)
    due_lag = ship_lag + rng.integers(3, 8, size=n_orders)
    customers = np.asarray(cfg.customer_ids)[rng.integers(0, len(cfg.customer_ids), size=n_orders)]
    employees = np.asarray(cfg.employee_ids)[rng.integers(0, len(cfg.employee_ids), size=n_orders)]

    # Per product a list price in cents; lines: qty, discount, exact 4-decimal line totals.
    price_cents = rng.integers(199, 350_000, size=PRODUCT_IDS.size)
    product_idx = rng.integers(0, PRODUCT_IDS.size, size=n)
    qty = np.minimum(rng.geometric(0.45, size=n), 30)
    disc_hundredths = np.rint(DISCOUNTS[rng.integers(0, DISCOUNTS.size, size=n)] * 100).astype(np.int64)
    if cfg.failing_fraction > 0:  # drawn last, so that 0 leaves every other draw as it was
        qty = np.where(rng.random(n) < cfg.failing_fraction, 0, qty)
    cents = price_cents[product_idx]
    # linetotal in 1/10000 units: qty * cents * (100 - disc) exactly in integers.
    line_e4 = qty * cents * (100 - disc_hundredths)
    sub_e4 = np.bincount(order_of_line, weights=line_e4, minlength=n_orders).astype(np.int64)
    tax_e4 = np.rint(sub_e4 * TAX_RATE).astype(np.int64)
    freight_e4 = np.rint(sub_e4 * FREIGHT_RATE).astype(np.int64)
    total_e4 = sub_e4 + tax_e4 + freight_e4

    dates = _date_strings()
    gen = {
        "salesorderid": order_ids[order_of_line],
        "salesorderdetailid": detail_ids[n_samples:],
        "orderdate": dates[order_day][order_of_line],
        "duedate": dates[order_day + due_lag][order_of_line],
        "shipdate": dates[order_day + ship_lag][order_of_line],
        "employeeid": employees[order_of_line],
        "customerid": customers[order_of_line],
        "subtotal": (sub_e4 / 1e4)[order_of_line],
        "taxamt": (tax_e4 / 1e4)[order_of_line],
        "freight": (freight_e4 / 1e4)[order_of_line],
        "totaldue": (total_e4 / 1e4)[order_of_line],
        "productid": PRODUCT_IDS[product_idx],
        "orderqty": qty,
        "unitprice": cents / 100,
        "unitpricediscount": disc_hundredths / 100,
        "linetotal": line_e4 / 1e4,
    }
    fillers = _sample_fillers()
    for i, f in enumerate(fillers):
        f["salesorderdetailid"] = int(detail_ids[i])
    columns = [c.raw_name for c in ORDERS.columns]
    arrays = []
    for name in columns:
        values = [f[name] for f in fillers]
        if isinstance(values[0], str):
            arrays.append(pa.array(np.concatenate([np.array(values, dtype=object), gen[name]]), pa.string()))
        elif isinstance(values[0], float):
            arrays.append(pa.array(np.concatenate([np.array(values, dtype=np.float64), gen[name]])))
        else:
            arrays.append(pa.array(np.concatenate([np.array(values, dtype=np.int64), gen[name]]).astype(np.int32)))
    return pa.Table.from_arrays(arrays, names=columns)


def write_orders_csv(cfg: OrdersConfig, out: Path) -> int:
    """Write headerless orders CSV (the sample lines first, then the generated ones); returns rows."""
    table = generate_orders(cfg)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with pa.OSFile(str(tmp), "wb") as sink:
        sink.write(("\n".join(COURSE_SAMPLE_LINES) + "\n").encode())
        opts = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=65536)
        pacsv.write_csv(table, sink, write_options=opts)
    tmp.replace(out)
    return int(table.num_rows) + len(COURSE_SAMPLE_LINES)
