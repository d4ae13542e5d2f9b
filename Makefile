# The two commands: `make demo` and `make test`. Each sets itself up on a fresh machine.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-from-lock
export PM4PY_SHOW_PROGRESS_BAR := False

.PHONY: demo test lint typecheck setup graphviz browser explorer-assets spark clean

demo: setup graphviz
	$(BIN)/journey demo

test: setup graphviz browser spark lint typecheck
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over flows, mining and eventlogs, as configured in pyproject.toml's [tool.mypy]
typecheck: setup
	$(BIN)/mypy

setup: $(STAMP) explorer-assets

# The venv is rebuilt whenever the lock file changes, so it always holds exactly the locked versions.
$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: '$(PYTHON)' was not found (set PYTHON=...)"; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	@echo "Installing the locked dependencies into $(VENV) (log: $(VENV)/pip-install.log)"
	@$(BIN)/pip install -r requirements.lock > $(VENV)/pip-install.log 2>&1 || { tail -40 $(VENV)/pip-install.log; exit 1; }
	@$(BIN)/pip install --no-deps -e . >> $(VENV)/pip-install.log 2>&1 || { tail -40 $(VENV)/pip-install.log; exit 1; }
	touch $(STAMP)

# The optional Spark engine (tests/spark/ run it in local mode): PySpark from requirements-spark.lock (a 456 MB
# source archive, about 2 minutes to build the first time) and Java 17.
SPARK_STAMP := $(VENV)/.spark-installed-from-lock

spark: setup $(SPARK_STAMP)
	@if command -v java >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Java 17 (apt-get install openjdk-17-jre-headless)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	else \
		echo "Java 17 is missing. Install it, then run make again:"; \
		echo "    sudo apt-get install -y openjdk-17-jre-headless"; \
		exit 1; \
	fi

$(SPARK_STAMP): requirements-spark.lock $(STAMP)
	@echo "Installing the Spark extra into $(VENV) (log: $(VENV)/pip-install-spark.log)"
	@$(BIN)/pip install -r requirements-spark.lock > $(VENV)/pip-install-spark.log 2>&1 || { tail -40 $(VENV)/pip-install-spark.log; exit 1; }
	touch $(SPARK_STAMP)

# pm4py and the report draw with Graphviz's `dot` (and `neato` for some charts).
graphviz:
	@if command -v dot >/dev/null && command -v neato >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Graphviz (apt-get install graphviz)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	else \
		echo "Graphviz is missing. Install it, then run make again:"; \
		echo "    sudo apt-get install -y graphviz"; \
		exit 1; \
	fi

# tests/mining/report/test_hostile_names.py opens the reports in Debian's Chromium through Playwright (whose own browser
# download does not work here); without it those tests are skipped, or fail when CI=true.
browser:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Chromium (apt-get install chromium)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium is missing. Install it, then run make again:"; \
		echo "    sudo apt-get install -y chromium"; \
		exit 1; \
	fi

# The explorer's page uses svg-pan-zoom from the npm registry, pinned by package-lock.json and copied into
# static/vendor/ (git-ignored: nothing built is committed); the page loads nothing from elsewhere.
EXPLORER_FRONTEND := flows/explorer/frontend
EXPLORER_VENDOR   := flows/explorer/static/vendor
EXPLORER_ASSETS   := $(EXPLORER_VENDOR)/svg-pan-zoom.min.js

explorer-assets: $(EXPLORER_ASSETS)

$(EXPLORER_ASSETS): $(EXPLORER_FRONTEND)/package-lock.json $(EXPLORER_FRONTEND)/package.json
	@if ! command -v npm >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing npm (apt-get install npm)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
		else \
			echo "npm is missing. Install it, then run make again:"; \
			echo "    sudo apt-get install -y npm"; \
			exit 1; \
		fi; \
	fi
	npm ci --prefix $(EXPLORER_FRONTEND) --no-audit --no-fund --loglevel=error
	mkdir -p $(EXPLORER_VENDOR)
	cp $(EXPLORER_FRONTEND)/node_modules/svg-pan-zoom/dist/svg-pan-zoom.min.js $(EXPLORER_VENDOR)/

clean:
	rm -rf $(VENV) outputs/demo .pytest_cache .ruff_cache .mypy_cache $(EXPLORER_VENDOR) $(EXPLORER_FRONTEND)/node_modules
