"""DuckDB baseline of the CSV bench: ``duckdb_copy.py CSV OUT.parquet``."""

import sys

import duckdb

con = duckdb.connect()
con.execute(f"COPY (SELECT * FROM read_csv('{sys.argv[1]}', header=false)) TO '{sys.argv[2]}' (FORMAT parquet)")
