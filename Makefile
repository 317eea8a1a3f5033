# Two commands matter: `make run` (demo on SQLite) and `make test` (the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-fast test-replica lint check install vendor messages compile-messages bench clean api-fuzz docs-check

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	PORT=$(PORT) bash scripts/run_demo.sh

test: install
	bash scripts/ensure_system_packages.sh
	mkdir -p var test-artifacts
	$(BIN)/python -m pytest -n 2 -q

# The inner loop: everything but the browser journeys (no Chromium needed); `make test` before a push.
test-fast: install
	mkdir -p var test-artifacts
	$(BIN)/python -m pytest -n 2 -q -m "not browser"

# The replica router against a real streaming replica: a primary and its replica started here
# (scripts/replica_pair.sh, ports 5442 and 5443), the tests marked `replica`, then both stopped.
test-replica: install
	bash scripts/replica_pair.sh start
	DATABASE_URL=postgres://postgres@127.0.0.1:5442/peixun \
	DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5443/peixun PEIXUN_TEST_REPLICA=1 \
	$(BIN)/python -m pytest -q -p no:randomly peixun/core/tests/test_replicas.py; \
	status=$$?; bash scripts/replica_pair.sh stop; exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/mypy_ratchet.py
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_local_imports.py
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check
	$(BIN)/python scripts/check_messages.py
	PEIXUN_DEBUG=0 PEIXUN_SECRET_KEY=lint-only-$$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  PEIXUN_FIELD_KEY=lint-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  PEIXUN_ALLOWED_HOSTS=peixun.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

# schemathesis over every API v1 operation against the live app (gunicorn, a small demo tenant,
# a fixed seed and budget, ~3 min on 2 cores): fails on any 500, undocumented status or response
# that breaks the published schema. The report lands in test-artifacts/api-fuzz/.
api-fuzz: install
	mkdir -p var test-artifacts
	$(BIN)/python scripts/api_fuzz.py

# Every document and spreadsheet the demo offers, fetched through its route, printed to PDF by
# LibreOffice and checked (A4, margins, embedded Chinese faces, page counts, 台账 titles on every
# page); ~3 min of CPU with the full demo. Files, PDFs, PNGs and report.md land in
# test-artifacts/docs-check/.
docs-check: install
	bash scripts/ensure_system_packages.sh
	bash scripts/ensure_document_packages.sh
	mkdir -p test-artifacts
	$(BIN)/python -m scripts.docs_check

messages: install
	cd peixun && ../$(BIN)/python ../manage.py makemessages -l zh_Hans --no-location --no-obsolete
	@echo "Now fill the empty msgstr in peixun/locale/zh_Hans/LC_MESSAGES/django.po, then: make compile-messages"
	cd peixun && ../$(BIN)/python ../manage.py compilemessages -l zh_Hans

compile-messages: install
	cd peixun && ../$(BIN)/python ../manage.py compilemessages -l zh_Hans

vendor:
	npm install --no-save --no-audit --no-fund
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js peixun/static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js peixun/static/vendor/htmx/
	mkdir -p peixun/static/vendor/tom-select
	cp node_modules/tom-select/dist/js/tom-select.complete.min.js \
	  node_modules/tom-select/dist/css/tom-select.bootstrap5.min.css peixun/static/vendor/tom-select/
	mkdir -p peixun/static/vendor/echarts
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE peixun/static/vendor/echarts/
	# The source maps are not vendored: drop their references, or collectstatic's manifest fails.
	sed -i -E 's@//# sourceMappingURL=[^ ]*\.map@@; s@/\*# sourceMappingURL=[^ ]*\.map \*/@@' \
	  peixun/static/vendor/bootstrap/* peixun/static/vendor/htmx/* peixun/static/vendor/tom-select/* \
	  peixun/static/vendor/echarts/echarts.min.js

bench: install
	$(BIN)/python bench/import_roster.py
	$(BIN)/python bench/query_counts.py
	$(BIN)/python bench/signin_burst.py --db both
	$(BIN)/python bench/exam_burst.py --db both
	$(BIN)/python bench/learning_watch.py --db both
	$(BIN)/python bench/accounts_bulk.py
	$(BIN)/python bench/audit_chain.py --db both
	$(BIN)/python bench/ledger_xlsx.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) var test-artifacts
