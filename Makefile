# Two commands do all set-up on a fresh machine with only python3:
#   make run    the wizard on the built-in sandbox tenant
#   make test   lint, types and the whole test suite
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
SRC    := tui screens
# pytest-xdist workers; CI and developers have 2 cores.
JOBS   ?= 2

.PHONY: run test lint types pytest bench soak schemas clean

# Installs are quiet: pip's and setuptools' chatter goes to .venv/install.log and is
# shown only when an install fails.
QUIET  = > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }

$(PY):
	@echo "Setting up .venv (first run only; log in .venv/install.log)"
	@python3 -m venv $(VENV)
	@$(PIP) install -q --upgrade pip $(QUIET)

# Re-install when pyproject.toml changes; compile bytecode so the first launch is fast.
$(VENV)/.installed-run: pyproject.toml | $(PY)
	@echo "Installing adue into .venv"
	@$(PIP) install -q --compile -e . --config-settings editable_mode=compat $(QUIET)
	@$(PY) -m compileall -q $(SRC)
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	@echo "Installing adue and its test tools into .venv"
	@$(PIP) install -q --compile -e '.[test]' --config-settings editable_mode=compat $(QUIET)
	@$(PY) -m compileall -q $(SRC)
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	@$(VENV)/bin/adue --sandbox

test: lint types pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check $(SRC) tests bench
	$(VENV)/bin/ruff format --check $(SRC) tests bench
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/vulture

types: $(VENV)/.installed-test
	$(VENV)/bin/mypy

pytest: $(VENV)/.installed-test
	$(PY) -m pytest -n $(JOBS) -q

# Figures for README "Performance": one Markdown table (a few minutes; run on a quiet machine).
bench: $(VENV)/.installed-test
	$(PY) bench/run

# Long reliability runs (README "Reliability"), kept out of `make test`: every seed, kill
# point and storm, lost answer, concurrent admin pair, tenant mismatch and interrupt, the
# wizard's fault matrix, the hostile-input cases (issue 14), and 5,000 examples per fuzzed
# property. Without workers, so the tally at the end (tests/soak_tally.py) has every
# row: cases and failures per area, then the faults injected and what came of them.
SOAK_TESTS := tests/reliability tests/wizard/test_apply_fault_matrix.py \
	tests/wizard/test_hostile_names.py tests/wizard/test_hostile_terminal.py \
	tests/sandbox/test_access_guard.py tests/discovery/test_check_hostile.py \
	tests/discovery/test_fuzz_bodies.py tests/fleet/test_fleet_kill.py \
	tests/fleet/test_fleet_file.py tests/guide/test_page_breaks.py
soak: $(VENV)/.installed-test
	ADUE_FUZZ_EXAMPLES=5000 $(PY) -m pytest -m "soak or not soak" -p no:xdist -q $(SOAK_TESTS)

# The sandbox's payload schemas (tui/sandbox/graph_schema.json) from Microsoft's Graph models:
# msgraph-beta-sdk goes into a throw-away venv (~700 MB, a few minutes), never into .venv.
schemas: $(VENV)/.installed-run
	$(PY) scripts/derive_schemas.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
