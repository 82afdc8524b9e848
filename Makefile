# `make run` and `make test` work on a fresh machine: they create .venv,
# install torch==2.13.0 first (a CPU build; any other version downloads GBs),
# then the project with its test extra.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench clean chromium postgresql

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/almanac run $(RUN_ARGS)

# Two test processes (pytest-xdist), one math thread each: most slow tests wait on subprocesses,
# sockets and schedules, and two torch pools of two threads on two cores fight. Same machine and
# session: 6:41 serial, 5:23 with -n 2, 4:31 with -n 2 and OMP_NUM_THREADS=1.
# `--dist loadfile` keeps a file's tests on one process, and tests/conftest.py starts the evaluation
# (tests/test_search_quality.py, 2-3 minutes of fixture) first; under the default `load` it began
# where collection order put it, near the end. Same host, alternating: 6:04 and 5:16 before, 4:58 and 5:02.
# (`--dist loadgroup` would do it by marker, but pytest-xdist 3.8 cannot rename pytest 9's node ids.)
test: $(STAMP) chromium postgresql
	OMP_NUM_THREADS=1 $(PY) -m pytest -q -n 2 --dist loadfile

# The browser test drives Debian's chromium (no browser download). Installed
# here when missing and we are root; otherwise that one test skips, saying why.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser test"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed; tests/test_browser.py will skip"; \
	  else echo "chromium missing and not root: tests/test_browser.py will skip (apt-get install chromium)"; fi; }

# The PostgreSQL variants of the store, ledger and schedule tests start a private
# server from Debian's binaries (initdb into a temporary directory, 127.0.0.1 only,
# stopped at the end of the session). Installed when missing
# and we are root; otherwise, without $$ALMANAC_TEST_DATABASE_URL, they skip, saying why.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing postgresql for the PostgreSQL tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	      || echo "postgresql could not be installed; the PostgreSQL tests will skip"; \
	  else echo "postgresql missing and not root: the PostgreSQL tests will skip (apt-get install postgresql)"; fi; }

clean:
	rm -rf $(VENV) public data/*.db data/*.db-wal data/*.db-shm
