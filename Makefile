# The set-up contract: `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install when pyproject.toml changes, or the C extensions (crypto/_native.c and
# crypto/_canonical.c, built by setup.py at install time; without a compiler the same work runs
# in pure Python).
STAMP      := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
INSTALL_DEPS := pyproject.toml setup.py crypto/_native.c crypto/_canonical.c

.PHONY: demo test fuzz lint typecheck unit bench bench-board bench-election bench-verify clean \
	browser booth-vendor bench-booth

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo and the benchmarks run a board: the `board` extra (the server's dependencies).
$(STAMP): $(INSTALL_DEPS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[board]'
	touch $@

$(TEST_STAMP): $(INSTALL_DEPS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $@

demo: $(STAMP)
	$(BIN)/verivote demo

test: $(TEST_STAMP) browser lint typecheck unit

# The browser tests drive Debian's Chromium through its chromedriver (tests/browser); install
# them when missing (CI runs make test as root). Node runs the booth's JavaScript tests.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "installing Debian's chromium and chromium-driver for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends chromium chromium-driver >/dev/null; }
	@command -v node >/dev/null || { echo "node is not installed: the booth's tests need Node.js >= 20.19" >&2; exit 1; }

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(TEST_STAMP)
	$(BIN)/mypy crypto election bulletin_board verifier cli simulation tests benchmarks

unit: $(TEST_STAMP)
	$(BIN)/python -m pytest -n auto -q

# tests/fuzz for longer than make test runs it (hypothesis random, ~25x the inputs; minutes).
fuzz: $(TEST_STAMP)
	VERIVOTE_FUZZ=long $(BIN)/python -m pytest tests/fuzz -n auto -q -p no:cacheprovider --timeout 3600

bench: $(STAMP)
	$(BIN)/python benchmarks/crypto_bench.py

bench-board: $(STAMP)
	$(BIN)/python benchmarks/board_bench.py

bench-election: $(STAMP)
	$(BIN)/python benchmarks/election_bench.py

# Installs belenios-tool with apt-get if missing; caches elections in benchmarks/.cache.
bench-verify: $(STAMP)
	$(BIN)/python benchmarks/verify_bench.py

# Re-vendor the booth's pinned libraries from the npm registry and check them against the lock.
booth-vendor:
	$(PYTHON) booth/tools/vendor.py

# Drives headless Chromium: building and signing ballots in the booth, and its compressed size.
bench-booth: $(TEST_STAMP) browser
	$(BIN)/python benchmarks/booth_bench.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
