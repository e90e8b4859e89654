"""Hostile SQL for the guard: each query tries to run Java, read a file, reach another table or run a
command. Placeholders: ``{t}`` the one allowed table (``primary`` in CustomSql, ``customers`` in
``dea-etl sql``), ``{dir}`` a sentinel folder that must stay empty, ``{secret}`` a file whose text must
never show. One line each, no double quote (they go into DQDL strings as they are).

``SELECTS`` are queries Spark can analyze without running anything (so the analyzed-plan check can be
tried on its own too); ``COMMANDS`` are statements Spark would run as soon as they are analyzed.
"""

from __future__ import annotations

#: Java calls that would leave a trace: a folder in ``{dir}``, a JVM system property.
MKDIR = "reflect('org.apache.spark.util.Utils', 'createDirectory', '{dir}', 'r')"
SET_PROPERTY = "java_method('java.lang.System', 'setProperty', 'dea.sentinel', 'x')"
PROPERTY = "dea.sentinel"
CALLS = [
    MKDIR,
    SET_PROPERTY,
    "IDENTIFIER('reflect')('org.apache.spark.util.Utils', 'createDirectory', '{dir}', 'i')",
    "IDENTIFIER('java_method')('java.lang.System', 'setProperty', 'dea.sentinel', 'x')",
    "IDENTIFIER('REFLECT')('org.apache.spark.util.Utils', 'createDirectory', '{dir}', 'u')",
    "`reflect`('org.apache.spark.util.Utils', 'createDirectory', '{dir}', 'b')",
]

#: Where a function call can sit in a query (``{call}``: one of CALLS).
PLACES = [
    "select {call} from {t}",
    "select id from {t} where {call} is not null",
    "select count(*) from {t} group by {call}",
    "select count(*) from {t} having max({call}) is not null",
    "select id from {t} order by {call}",
    "select a.id from {t} a join {t} b on a.id = b.id and {call} is not null",
    "select id, count(*) over w from {t} window w as (partition by {call})",
    "select id, row_number() over w from {t} window w as (order by {call})",
    "select id, count(*) over (partition by {call}) from {t}",
    "select c from {t} lateral view explode(array({call})) x as c",
    "select transform(array(1), x -> {call}) from {t}",
    "select filter(array(1), x -> {call} is null) from {t}",
    "select aggregate(array(1), 0, (acc, x) -> acc + length({call})) from {t}",
    "select /*+ REPARTITION({call}) */ id from {t}",
    "select /*+ REPARTITION_BY_RANGE({call}) */ id from {t}",
    "select (select {call}) from {t}",
    "select id from {t} where exists (select {call})",
    "select id from {t} where id in (select length({call}))",
    "select * from (select {call} as c from {t})",
    "with c as (select {call} as v from {t}) select * from c",
    "select id from {t} union all select length({call}) from {t}",
    "select * from values ({call}) as v(c)",
    "select * from {t} pivot (count(*) for id in (1)) where {call} is not null",
    "select case when {call} is null then 1 end from {t}",
    "select coalesce(null, {call}) from {t}",
    "select count(*) filter (where {call} is not null) from {t}",
    "select * from {t} where id = (select max(length({call})) from {t})",
    "select id from {t} where id in (select id from {t} where {call} is not null)",
    "select * from {t} cross join lateral (select {call} as c)",
    "select explode(array({call})) from {t}",
    "select stack(1, {call}) from {t}",
    "select * from {t} where {call} like 'x%' or true",
]

#: Relations that are not the query's table: files, other tables, views, catalogs.
SOURCES = [
    "text.`{secret}`", "csv.`{secret}`", "json.`{secret}`", "binaryFile.`{secret}`", "parquet.`{dir}`",
    "orc.`{dir}`", "`text`.`{secret}`", "spark_catalog.default.secrets", "default.secrets", "secrets",
    "global_temp.leak", "leak",
]
READS = [
    "select * from {source}",
    "with `text.{secret}` as (select 1) select * from {source}",
    "with x as (select * from {source}) select * from x",
    "select * from {t} where exists (select * from {source})",
    "select (select count(*) from {source}) from {t}",
    "select * from {t} union all select * from {source}",
    "select * from {t} a join {source} b on true",
]

#: The three bypasses of issue 22 as reported, and other shapes found since.
SINGLES = [
    "WITH `text.{secret}` AS (SELECT 1) SELECT * FROM text.`{secret}`",
    "WITH `binaryFile.{secret}` AS (SELECT 1) SELECT * FROM binaryFile.`{secret}`",
    "WITH `parquet.{dir}` AS (SELECT 1) SELECT * FROM parquet.`{dir}`",
    "select * from IDENTIFIER('text.`{secret}`')",
    "select * from IDENTIFIER('secrets')",
    "select * from (with secrets as (select 1 as v) select * from secrets) x, secrets",
    "with a as (select * from a) select * from a",
    "select * from {t}, (with b as (select 1) select * from b) where exists (select * from b)",
    "select xpath_string('<a>b</a>', 'a')",
    "select * from sql_keywords()",
    "select * from IDENTIFIER('sql_keywords')()",
    "select spark_catalog.default.f(1)",
    "select default.f(id) from {t}",
    "select system.builtin.reflect('java.lang.System', 'getenv', 'HOME')",
]

#: Statements Spark runs as soon as they are analyzed: refused before analysis.
COMMANDS = [
    "INSERT OVERWRITE DIRECTORY '{dir}/out' SELECT * FROM {t}",
    "INSERT OVERWRITE LOCAL DIRECTORY '{dir}/out' SELECT * FROM {t}",
    "INSERT OVERWRITE DIRECTORY '{dir}/out' USING parquet SELECT * FROM {t}",
    "FROM {t} INSERT OVERWRITE DIRECTORY '{dir}/out' SELECT *",
    "WITH x AS (SELECT 1) INSERT OVERWRITE DIRECTORY '{dir}/out' SELECT * FROM x",
    "CREATE TABLE leak_t USING parquet LOCATION '{dir}/t' AS SELECT * FROM {t}",
    "CREATE TABLE leak_t (a INT) USING parquet LOCATION '{dir}/t'",
    "CREATE OR REPLACE TEMP VIEW leak_v AS SELECT * FROM {t}",
    "CREATE VIEW leak_v AS SELECT * FROM {t}",
    "CREATE TEMPORARY FUNCTION leak_f AS 'org.apache.spark.util.Utils'",
    "CREATE FUNCTION leak_f AS 'x.Y' USING JAR '{dir}/x.jar'",
    "ADD JAR '{dir}/x.jar'",
    "ADD FILE '{secret}'",
    "CACHE TABLE leak_c AS SELECT * FROM {t}",
    "CACHE LAZY TABLE leak_c AS SELECT * FROM text.`{secret}`",
    "CACHE TABLE {t}",
    "UNCACHE TABLE {t}",
    "REFRESH TABLE {t}",
    "SET spark.sql.ansi.enabled=true",
    "RESET",
    "USE spark_catalog.default",
    "DROP VIEW {t}",
    "ALTER VIEW {t} AS SELECT 1",
    "TRUNCATE TABLE {t}",
    "LOAD DATA LOCAL INPATH '{secret}' INTO TABLE {t}",
    "EXPLAIN SELECT * FROM text.`{secret}`",
    "DESCRIBE QUERY SELECT * FROM text.`{secret}`",
    "SHOW TABLES",
    "MSCK REPAIR TABLE {t}",
    "DELETE FROM {t} WHERE true",
    "UPDATE {t} SET id = 0",
    "MERGE INTO {t} USING {t} s ON true WHEN MATCHED THEN DELETE",
    "CALL spark_catalog.system.remove_orphan_files(table => 'x')",
    "SELECT TRANSFORM(id) USING 'mkdir {dir}/s' FROM {t}",
    "SELECT TRANSFORM(id) USING 'cat {secret}' AS (x) FROM {t}",
    "FROM {t} MAP id USING 'mkdir {dir}/m'",
    "FROM {t} REDUCE id USING 'mkdir {dir}/r'",
    "CREATE TEMPORARY TABLE leak_t USING text OPTIONS (path '{secret}')",
    "CREATE TEMPORARY VIEW leak_v USING text OPTIONS (path '{secret}')",
]

#: ``where`` clauses (expressions over the row).
WHERE = [
    "{call} is not null",
    "id > 0 and {call} is not null",
    "id in (select length({call}))",
    "exists (select * from text.`{secret}`)",
    "id in (select 1 from {source_q})",
    "transform(array(id), x -> {call}) is not null",
    "(select count(*) from {t}) > 0",
]


def selects() -> list[str]:
    """Every SELECT of the corpus (templates)."""
    calls = [place.replace("{call}", call) for place in PLACES for call in CALLS[:1]]
    calls += [PLACES[i].replace("{call}", call) for i, call in
              [(0, c) for c in CALLS[1:]] + [(6, c) for c in CALLS[1:]] + [(13, c) for c in CALLS[1:]]]
    reads = [read.replace("{source}", source) for read in READS[:1] for source in SOURCES]
    reads += [read.replace("{source}", source) for read in READS[1:] for source in SOURCES[:2]]
    return calls + reads + SINGLES


def where_clauses() -> list[str]:
    out = [w.replace("{call}", c) for w in WHERE if "{call}" in w for c in CALLS[:3]]
    return out + [w.replace("{source_q}", "text.`{secret}`") for w in WHERE if "{call}" not in w]
