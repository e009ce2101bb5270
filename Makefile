# Everything a fresh machine needs, from nothing but Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-browser test-spark check-dist lint typecheck docs gallery clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,browser]"
	touch $(STAMP)

## Render the demo: example reports over synthetic CRM data -> demo/index.html
demo: $(STAMP)
	$(BIN)/crmreports demo --out demo

## Run the test suite (everything but the browser and Spark checks), one worker per core
## (pytest-xdist; `make test WORKERS=0` runs it in this process)
WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS)

## Open the demo pages in headless Chromium (installs Debian's chromium when missing)
test-browser: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	$(BIN)/python -m pytest -q -m browser

## Run the same specs on a local Spark session (installs pyspark; needs Java 17+)
test-spark: $(STAMP)
	@command -v java >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[spark]"
	$(BIN)/python -m pytest -q -m spark

## Build the wheel and the sdist, install each in a clean venv (no -e), run the CLI, the demo
## and the README there: what users install, not this tree
check-dist: $(STAMP)
	$(BIN)/python tools/check_dist.py

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

## mypy --strict over src/ (settings in pyproject.toml)
typecheck: $(STAMP)
	$(BIN)/mypy

## Regenerate the generated docs (spec reference, error codes, language guide)
docs: $(STAMP)
	$(BIN)/python tools/gen_docs.py

## Regenerate the built-in report gallery (docs/gallery): pages and pictures
gallery: $(STAMP)
	$(BIN)/python tools/gen_gallery.py

## Time every benchmark report on every engine (docs/performance.md); results are checked first
BENCH_ARGS ?= --sizes 1000000,10000000 --repeat 5
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) demo artifacts .pytest_cache
