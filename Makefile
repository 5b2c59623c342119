# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test install install-test system-deps lint typecheck docs docs-check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[fast,plot,pandas]'
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: create .venv, install pmfit, load the example plans into a local store (once) and serve the
## web app on http://127.0.0.1:8000/, printing a one-time login link (`pmfit demo` is the CLI tour)
RUN_DB := .pmfit-run/store.db
run: install
	@mkdir -p $(dir $(RUN_DB))
	$(BIN)/pmfit serve --db $(RUN_DB) --examples

## make test: install the test extras and run the whole suite (lint, types, docs site, tests)
## (pytest also re-runs every example of README.md and docs/: tests/cli/test_docs.py)
test: install-test system-deps lint typecheck docs-check
	$(BIN)/python -m pytest

# Tools some tests drive: headless Chromium (HTML report), pdftotext (PDF report), Pango (WeasyPrint),
# Cairo (CairoSVG: the Gantt as PNG).
# Installed with apt-get when running as root (CI); otherwise those tests skip and say why.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p 2>/dev/null | grep -q libcairo.so.2 || missing="$$missing libcairo2"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing test tools:$$missing"; \
		(apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null) \
			|| echo "could not install$$missing; the tests that need them will be skipped"; \
	else echo "missing$$missing (not root): the tests that need them will be skipped"; fi

lint: install-test
	$(BIN)/ruff check src tests bench

typecheck: install-test
	$(BIN)/mypy

## make docs: build the documentation site into site/ (open site/index.html)
docs: install-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The site must build in strict mode (broken links, missing pages fail); built to a scratch folder.
docs-check: install-test
	@tmp=$$(mktemp -d) && NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir $$tmp/site; \
		status=$$?; rm -rf $$tmp; exit $$status

bench: install-test
	$(BIN)/python bench/cpm.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis site
