"""``make run-s3``: the whole pipeline on an S3 lake served by a local moto_server (no AWS account).

Starts ``moto_server`` (from this venv) on 127.0.0.1, creates the bucket, runs
``dea-etl pipeline --lake s3://BUCKET --data DATA`` with ``AWS_ENDPOINT_URL`` pointing at the server,
prints what landed in the bucket and how to look at it, then stops the server (its state lives in
memory: the lake goes with it). ``--keep`` keeps the server running until Enter or Ctrl-C. The
credentials are moto's throw-away ones, never the caller's (no profile, no real account is reached).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

BIN = Path(sys.executable).parent


def folder_sizes(s3: object, bucket: str) -> dict[str, tuple[int, int]]:
    """(objects, bytes) per table folder (the first two levels of the key)."""
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):  # type: ignore[attr-defined]
        for obj in page.get("Contents", []):
            folder = "/".join(obj["Key"].split("/")[:2])
            found[folder][0] += 1
            found[folder][1] += obj["Size"]
    return {k: (v[0], v[1]) for k, v in sorted(found.items())}


def print_where_to_look(s3: object, bucket: str, endpoint: str, keep: bool) -> None:
    lake = f"s3://{bucket}"
    print(f"\nthe lake {lake} on {endpoint}:")
    for folder, (objects, size) in folder_sizes(s3, bucket).items():
        print(f"  {lake}/{folder:<45} {objects:>4} objects {size:>12,} bytes")
    print(f"\nrun summary: {lake}/tmpDir/summary/pipeline.json")
    if keep:
        print("to look at it, in another shell while this one waits:")
    else:
        print("the server stops now; to look at the lake, run `make run-s3 KEEP=1`, then in another shell")
        print("(with the address that run prints instead of PORT):")
        endpoint = "http://127.0.0.1:PORT"
    keys = f"[print(o['Key']) for o in boto3.client('s3').list_objects_v2(Bucket='{bucket}')['Contents']]"
    query = "SELECT year, COUNT(*) AS lines FROM orders GROUP BY year ORDER BY year"
    print(f"  export AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
          "AWS_DEFAULT_REGION=us-east-1")
    print(f'  .venv/bin/python -c "import boto3; {keys}"')
    print(f'  .venv/bin/dea-etl sql "{query}" --lake {lake}')
    print(f"  .venv/bin/dea-etl catalog register --database sales --lake {lake}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bucket", default="dea-etl-lake")
    parser.add_argument("--data", default="data", help="folder with the sample CSV files")
    parser.add_argument("--keep", action="store_true", help="keep the server running until Enter or Ctrl-C")
    ns = parser.parse_args(argv)
    from dea_etl.testing import moto_environment, start_moto_server

    proc, endpoint = start_moto_server()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | moto_environment(endpoint)
    os.environ.clear()
    os.environ.update(env)
    try:
        import boto3

        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=ns.bucket)
        lake = f"s3://{ns.bucket}"
        print(f"moto_server on {endpoint}; bucket {lake}", flush=True)
        status = subprocess.call([str(BIN / "dea-etl"), "pipeline", "--lake", lake, "--data", ns.data,
                                  "--summary-json", f"{lake}/tmpDir/summary/pipeline.json"], env=env)
        print_where_to_look(s3, ns.bucket, endpoint, ns.keep)
        if ns.keep:
            with contextlib.suppress(EOFError, KeyboardInterrupt):
                input(f"\nmoto_server keeps running on {endpoint}: press Enter to stop it ")
        return status
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        print("moto_server stopped")


if __name__ == "__main__":
    sys.exit(main())
