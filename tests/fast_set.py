"""``make test-fast`` (``pytest -m fast``): a few quick tests of every test module, in minutes.

Each module gives its first test that is not ``slow``, or the tests :data:`CHOSEN` names for it (when its
first test pays for an expensive fixture, or one test is not enough to touch what the module is about).
A module made only of end-to-end runs has no fast test; :data:`WITHOUT` says why. A new module joins by
itself; a module that would have no fast test and no reason stops the collection.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

FAST = "fast"

#: Module -> the names of its fast tests (the test's name with its parameters, as pytest shows it).
CHOSEN: dict[str, tuple[str, ...]] = {
    # the first tests build both engines' outcomes of the whole corpus (Deequ's session included)
    "test_quality_differential.py": ("test_every_documented_difference_has_its_row_in_the_docs",
                                     'test_rules_deequ_rejects_run_natively[IsUnique "id" "name"]'),
    "test_bookmarks_jobs.py": ("test_the_store_is_bookmark_store_else_tempdir_else_the_jobs_default",),
    "test_bookmarks_glue.py": ("test_glue_bookmarks_need_the_glue_runtime",),
    "test_parquet_tables.py": ("test_an_empty_table_keeps_its_columns",
                               "test_removing_a_run_removes_exactly_its_files"),
    "test_table_maintenance.py": ("test_parquet_leftovers_and_a_killed_runs_files_are_removed",),
    "test_quality_history.py": ("test_history_keeps_one_point_per_run_and_skips_missing_values",),
}

#: Module -> why none of its tests is fast.
WITHOUT: dict[str, str] = {
    "test_standalone_cluster.py": "starts a Spark standalone cluster and spark-submits onto it",
    "test_iceberg_pipeline.py": "its tests read two whole pipeline runs, each in a JVM of its own",
    "test_s3_lake.py": "its tests read whole pipeline runs on an S3 lake (moto_server)",
    "test_kills.py": "kills runs in JVMs of their own between every two writes, in both formats",
    "test_iceberg_concurrency.py": "races two writer processes (two JVMs) on one table",
    "test_iceberg_wap.py": "each test runs raw_to_processed on the whole sample lake with Iceberg and its gate",
    "test_iceberg_s3.py": "its one test runs a job on an S3 lake, kills it, and runs it again",
    "test_testing_plugin.py": "its one test runs a user's pytest in a process (and JVM) of its own; the plugin's "
                              "fixtures serve every fast test",
}


def mark_fast(items: list[pytest.Item]) -> None:
    """Add the ``fast`` marker to each module's fast tests; a module with none and no reason is an error."""
    modules: dict[str, list[pytest.Item]] = defaultdict(list)
    for item in items:
        modules[item.path.name].append(item)
    nameless = []
    for module, tests in modules.items():
        if module in WITHOUT:
            continue
        wanted = CHOSEN.get(module)
        quick = [t for t in tests if t.name in wanted] if wanted else [
            next((t for t in tests if t.get_closest_marker("slow") is None), None)]
        chosen = [t for t in quick if t is not None]
        if not chosen:
            nameless.append(module)
        for test in chosen:
            test.add_marker(pytest.mark.fast)
    if nameless:
        raise pytest.UsageError(f"no fast test in {', '.join(sorted(nameless))}: name one in tests/fast_set.py CHOSEN, "
                                "or say why there is none in WITHOUT")
