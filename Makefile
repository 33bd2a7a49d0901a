# `make run` and `make test` set up .venv themselves; nothing else needs installing first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job: compile every bundled policy, run every rule's examples, then check every
# example message for its marketplace and print the reports (exit 1 on an unexpected verdict).
run: $(STAMP)
	$(VENV)/bin/permitted lint policies
	$(VENV)/bin/permitted test
	$(VENV)/bin/permitted check --expect examples/expected.yaml

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/evaluation.py
	$(PY) bench/normalisation.py
	$(PY) bench/diff.py
	$(PY) bench/audit.py

clean:
	rm -rf $(VENV) dist build .pytest_cache .hypothesis
