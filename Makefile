# calmline — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
DATA   ?= ../shared/data
export CALMLINE_DATA_DIR ?= $(abspath $(DATA))

.PHONY: run test lint models bench demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[dev,bench]'
	touch $(VENV)/.installed $@

## run: create the environment, install, and run the main job (the demo until the service lands)
run: $(VENV)/.installed
	$(BIN)/calmline demo

## test: install the dev environment and run ruff, mypy and pytest
test: $(VENV)/.installed-dev lint
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## models: retrain the shipped model artefacts from ../shared/data (fixed seeds) and print dev metrics
models: $(VENV)/.installed-dev
	$(BIN)/python -m calmline.models.train --data $(CALMLINE_DATA_DIR) --out src/calmline/models/artifacts

## bench: accuracy against baselines, and speed
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
