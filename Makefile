# Atiende: the operator's interface (SPEC §9). Every target installs what it needs first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test lint bench package clean roles-doc routes deps console chromium stripe-catalog analytics-backfill

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed (looked for $(PYTHON))"; exit 2; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed to install DynamoDB Local: sudo apt-get install -y nodejs npm"; exit 2; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

deps: $(STAMP) $(NODE_STAMP)

# The agent console (web/): bundled and minified by esbuild into web/dist (docs/console.md)
console: $(NODE_STAMP)
	node web/build.mjs

# The browser tests drive Debian's Chromium (never a downloaded browser): installed when
# missing and we are root, else we say what to install (the e2e tests then fail saying it too)
CHROMIUM ?= /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's Chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's Chromium: sudo apt-get install -y chromium"; \
	  fi; }

run: deps console
	$(PY) -m devstack.run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy chalicelib
	$(VENV)/bin/lint-imports

test: deps lint chromium
	$(PY) -m pytest -n 2 --dist loadgroup --durations=25

bench: deps
	$(PY) -m benchmarks

# One stage's CloudFormation: build/$(STAGE)/sam.json + deployment.zip, and the console built
# into build/$(STAGE)/console, which infra.console uploads once the stack is deployed
# (docs/deploy.md)
package: STAGE ?= dev
package: $(STAMP) console
	$(PY) -m infra.package --stage $(STAGE) --out build/$(STAGE)

roles-doc: $(STAMP)
	$(PY) -m chalicelib.domain.accounts.access > docs/roles.md

# The route table app.py declares routes from (chalicelib/api/lazy.py: cold start)
routes: $(STAMP)
	$(PY) -m chalicelib.api.lazy

# The plans and add-ons of chalicelib/domain/billing/plans.py in the Stripe account of
# STRIPE_API_KEY (STRIPE_API_BASE: another server), idempotently (docs/billing.md)
stripe-catalog: $(STAMP)
	$(PY) -m devstack.stripe_catalog

# rebuild a tenant's analytics counters from its tickets and orders (idempotent)
analytics-backfill: $(STAMP)
	$(PY) -m devstack.analytics_backfill $(TENANT)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache web/dist
