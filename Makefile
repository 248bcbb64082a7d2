# The two set-up commands of the README. Each creates .venv and installs what it needs on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test validate bench chromium clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

## make site: validate the shipped sample data and build the demo catalogue into site/
site: $(STAMP)
	$(BIN)/directory build

## make test: the whole test suite (browser tests included)
test: $(STAMP) chromium
	$(BIN)/python -m pytest -q

validate: $(STAMP)
	$(BIN)/directory validate

bench: $(STAMP)
	$(BIN)/python scripts/bench

# Browser tests drive Debian's chromium (Playwright cannot download its own browser here).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) site .site-*
