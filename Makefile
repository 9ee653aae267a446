# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint migrate demo backup restore clean bench bench-live hint-quality

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

migrate: $(VENV)/.installed
	$(BIN)/python -m intervision.db

demo: migrate
	$(BIN)/python -m intervision.demo

# A consistent copy of the database while the app runs (SQLite's online backup, or pg_dump when
# INTERVISION_DATABASE_URL is set), in data/backups/; encrypted when INTERVISION_BACKUP_KEY is set
# (docs/deployment.md, Backups).
backup: migrate
	$(BIN)/python -m intervision.backup create

# Put a backup back: `make restore FILE=data/backups/intervision-….db`. Refused unless its schema is exactly
# this release's; everyone signs in again afterwards.
restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make restore FILE=path/to/backup" >&2; exit 2; }
	$(BIN)/python -m intervision.backup restore "$(FILE)"

run: migrate
	$(BIN)/streamlit run app.py --server.port $(PORT)

# The core and page tests share the cores, a test file per worker. The browser tests run afterwards on two
# workers, a test file each: a browser test mostly waits for its server and Chromium, so two of them at once
# take about half the time of one after the other, even on two cores (they assert no timings).
test: $(VENV)/.installed-test
	scripts/system-packages
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n auto --dist loadfile tests/unit tests/app
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests/e2e

# Page rerun times on the demo and on a large organisation (bench/large.db, built once), on SQLite and on a
# throwaway PostgreSQL, against 30× the empty page, and where each page's time goes (bench/PROFILES.md); how
# the overview grows with groups and years, a live session on a real server in Chromium (latency, load,
# memory), how many participants 1, 2 and 4 app processes carry on each engine, and board writes while the
# sign-in is hammered: each writes its own section of bench/RESULTS.md. Last, the case hints' precision and recall per kind on the
# labelled sentences, into docs/case-hints.md.
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py
	$(BIN)/python bench/profile_pages.py
	$(BIN)/python bench/scaling.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/capacity.py
	$(BIN)/python bench/sign_in_abuse.py
	$(BIN)/python bench/case_hints_quality.py

# Issue 17's live targets on a real server in real Chromium (bench/room.py; 8–12 minutes, so not part of
# `make bench`): how fast the projector follows "Next phase" and a phone's question, what 30 idle phones cost the
# server, and whether one process carries 300 participants sending within ten seconds. Each run is a column of the
# section `room` of bench/RESULTS.md by its label: `make bench-live LABEL="after (push)"` keeps the earlier ones.
bench-live: $(VENV)/.installed-test
	$(BIN)/python bench/room.py $(if $(LABEL),--label "$(LABEL)")

# How well the case hints do: precision and recall per kind on tests/data/case_hint_sentences.toml, written
# into docs/case-hints.md (a few seconds; `--misses` lists every sentence they get wrong).
hint-quality: $(VENV)/.installed
	$(BIN)/python bench/case_hints_quality.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
