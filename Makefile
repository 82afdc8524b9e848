# `make run` and `make test` work on a fresh machine: they create .venv,
# install torch==2.13.0 first (a CPU build; any other version downloads GBs),
# then the project with its test extra.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/almanac ingest && $(VENV)/bin/almanac list

test: $(STAMP)
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) public data/*.db data/*.db-wal data/*.db-shm
