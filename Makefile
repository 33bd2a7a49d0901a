# `make run` and `make test` set up .venv themselves, and `make test` installs Chromium when it is
# missing and it can; nothing else needs installing first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The browser for tests/test_html_report_browser.py and tests/test_web_page.py (Playwright drives it by
# its path; it never downloads a browser of its own): a command on PATH or a path.
CHROMIUM ?= $(or $(PERMITTED_CHROMIUM),chromium)
# Hypothesis profile (tests/conftest.py): `full` here, `quick` for a plain `pytest`.
HYPOTHESIS_PROFILE ?= full

.PHONY: run test chromium lint bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The shared labelled corpus, outside the repository: `make run` measures the bundled policies
# against it when it is there.
CORPUS ?= ../shared/corpus/real-messages.jsonl

# The main job: compile every bundled policy, run every rule's examples, then check every
# example message for its marketplace and print the reports (exit 1 on an unexpected verdict),
# and last the agreement with our own labelled sets and the shared corpus (measurements: they
# do not fail the run).
run: $(STAMP)
	$(VENV)/bin/permitted lint policies
	$(VENV)/bin/permitted test
	$(VENV)/bin/permitted check --expect examples/expected.yaml
	$(VENV)/bin/permitted eval examples/held-out.jsonl --summary
	$(VENV)/bin/permitted eval examples/unseen-2.jsonl --summary
	@if [ -f '$(CORPUS)' ]; then \
	    echo '$(VENV)/bin/permitted eval $(CORPUS) --summary'; \
	    $(VENV)/bin/permitted eval '$(CORPUS)' --summary; \
	else \
	    echo "labelled corpus not found ($(CORPUS)): agreement not measured"; \
	fi

test: $(STAMP) chromium
	PERMITTED_CHROMIUM='$(CHROMIUM)' HYPOTHESIS_PROFILE='$(HYPOTHESIS_PROFILE)' $(PY) -m pytest

# A fuzzing campaign: the fuzz properties of the readers and the compiler (tests/test_fuzz_*.py)
# with FUZZ_EXAMPLES per 100 examples of `make test` (tests/conftest.py, profile `fuzz`), and
# Hypothesis's statistics per property. tests/README.md records what campaigns found.
FUZZ_EXAMPLES ?= 1000
fuzz: $(STAMP)
	FUZZ_EXAMPLES='$(FUZZ_EXAMPLES)' HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -p no:cacheprovider \
	    --hypothesis-show-statistics tests/test_fuzz_readers.py tests/test_fuzz_compiler.py

# The HTML report and the web page are tested in headless Chromium. When it is missing, install it with apt-get if
# this machine allows (root, or sudo without a password); if not, say so, and pytest skips the
# browser tests. A failed installation stops `make test`.
chromium:
	@command -v '$(CHROMIUM)' >/dev/null 2>&1 && exit 0; \
	if ! command -v apt-get >/dev/null 2>&1; then as_root=none; \
	elif [ "$$(id -u)" -eq 0 ]; then as_root=; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root='sudo -n'; \
	else as_root=none; fi; \
	if [ "$$as_root" = none ]; then \
	    echo "$(CHROMIUM) not found, and installing chromium needs apt-get and root or passwordless sudo: the browser tests will be skipped"; \
	    exit 0; \
	fi; \
	echo "$(CHROMIUM) not found: installing chromium with apt-get"; \
	$$as_root apt-get update -qq && \
	$$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium || exit 1; \
	command -v '$(CHROMIUM)' >/dev/null 2>&1 || \
	    echo "$(CHROMIUM) still not found after installing chromium: the browser tests will be skipped"

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/evaluation.py
	$(PY) bench/normalisation.py
	$(PY) bench/diff.py
	$(PY) bench/audit.py
	$(PY) bench/end_to_end.py

# The HTTP service on loopback only (see README, "Running the service"); PORT=9000 to move it.
PORT ?= 8080
serve: $(STAMP)
	$(VENV)/bin/permitted serve --host 127.0.0.1 --port $(PORT)

clean:
	rm -rf $(VENV) dist build .pytest_cache .hypothesis
