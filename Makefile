# `make run` and `make test` work on a fresh machine: they create .venv,
# install torch==2.13.0 first (a CPU build; any other version downloads GBs),
# then the project with its test extra.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench clean chromium

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/almanac run $(RUN_ARGS)

test: $(STAMP) chromium
	$(PY) -m pytest -q

# The browser test drives Debian's chromium (no browser download). Installed
# here when missing and we are root; otherwise that one test skips, saying why.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser test"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed; tests/test_browser.py will skip"; \
	  else echo "chromium missing and not root: tests/test_browser.py will skip (apt-get install chromium)"; fi; }

clean:
	rm -rf $(VENV) public data/*.db data/*.db-wal data/*.db-shm
