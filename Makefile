# hiplab — `make demo` and `make test` work on a fresh machine.
# The first interpreter that really runs and is 3.11 or 3.12 (pyenv shims may exist but fail).
PYTHON ?= $(shell for p in python3.11 python3.12 python3; do \
	$$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-stop test test-fast lint typecheck unit bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "hiplab needs Python 3.11 or 3.12 on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python scripts/install_pose_models.py
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hiplab demo -o out/report.html
	bash scripts/demo_server.sh start

demo-stop:
	bash scripts/demo_server.sh stop

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src

unit: $(STAMP)
	bash scripts/run_tests.sh

test: lint typecheck unit

# Domain and store on SQLite only: not the CLI, web and end-to-end edges (tests/cli, web,
# e2e), no video, browser, terminal, Ray or PostgreSQL (the lane markers are set in
# tests/conftest.py). No services needed, nothing installed.
test-fast: $(STAMP)
	env -u HIPLAB_TEST_PG_URL -u HIPLAB_REQUIRE_PG -u HIPLAB_REQUIRE_BROWSER \
		-u HIPLAB_REQUIRE_VOICE -u HIPLAB_REQUIRE_VIDEO \
		$(BIN)/python -m pytest -q -p no:cacheprovider \
		-m "not (video or browser or terminal or ray or postgres)" \
		--ignore=tests/cli --ignore=tests/web --ignore=tests/e2e $(ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/cli_startup.py
	$(BIN)/python benchmarks/plan_generation.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
