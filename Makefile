# `make run`: set everything up and start the portal with a worker (embedded default unless DATABASE_URL/REDIS_URL).
# `make test`: set everything up and run the test suite (PostgreSQL + Redis on 127.0.0.1, real worker, Chromium).
PY := .venv/bin/python

.PHONY: setup run test test-all bench lint

setup:
	scripts/setup.sh

run: setup
	$(PY) scripts/run.py

test:
	scripts/setup.sh --test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

test-all:
	scripts/setup.sh --test
	$(PY) -m pytest -m "" $(PYTEST_ARGS)

bench: setup
	$(PY) benchmarks/run_all.py

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
