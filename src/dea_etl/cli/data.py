"""``dea-etl generate-data orders --rows N --seed S --out PATH|s3://BUCKET/KEY``."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from dea_etl.cli.output import error


def _write(cfg: Any, out: str) -> int:
    """Write the CSV to a local path, or to a temporary file uploaded to ``s3://BUCKET/KEY`` (boto3)."""
    from dea_etl.datagen.orders import write_orders_csv
    from dea_etl.io import storage

    if not storage.is_s3(out):
        if not storage.is_local(out):
            raise ValueError(f"--out {out}: a local path or s3://BUCKET/KEY")
        return write_orders_csv(cfg, Path(storage.local_path(out)))
    bucket, key = storage.split_s3(out)
    if not key or key.endswith("/"):
        raise ValueError(f"--out {out}: expected s3://BUCKET/KEY")
    from botocore.exceptions import BotoCoreError, ClientError

    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "orders.csv"
        rows = write_orders_csv(cfg, local)
        try:
            storage.s3_client().upload_file(str(local), bucket, key)
        except (BotoCoreError, ClientError) as exc:
            raise OSError(f"cannot upload to {out}: {exc}") from exc
    return rows


def _generate(ns: argparse.Namespace) -> int:
    from dea_etl.datagen.orders import config_from_seed

    if ns.rows < 1:
        error("--rows must be positive")
        return 2
    try:
        cfg = config_from_seed(ns.rows, ns.seed, Path(ns.data), ns.failing_fraction)
        rows = _write(cfg, ns.out)
    except ValueError as exc:
        error(str(exc))
        return 2
    except OSError as exc:
        error(str(exc))
        return 1
    Console().print(f"wrote {rows:,} orders rows to {ns.out} (seed {ns.seed})", highlight=False)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("generate-data", help="write synthetic data (headerless orders CSV)")
    p.add_argument("dataset", choices=["orders"], help="what to generate: orders (headerless, as the course's)")
    p.add_argument("--rows", type=int, required=True, help="how many order lines")
    p.add_argument("--seed", type=int, default=42, help="random seed: the same seed gives the same file (default: 42)")
    p.add_argument("--out", required=True, help="the CSV file to write: a local path or s3://BUCKET/KEY")
    p.add_argument("--data", default="data", help="folder with customers.csv and employees.csv")
    p.add_argument("--failing-fraction", type=float, default=0.0, metavar="F",
                   help="about this fraction of the lines (0 to 1) fail rules/orders.dqdl's orderqty > 0 on purpose, "
                        "to exercise the DQ gate's quarantine (default: 0)")
    p.set_defaults(handler=_generate)
