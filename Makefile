# One command sets up and runs the demo, one sets up and runs the tests.
#   make demo   create .venv, install, index examples/notes, search it
#   make test   create .venv, install with the test extras, run pytest
#   make lint   ruff check + format check + mypy (default install, no torch)

VENV ?= .venv
BIN := $(VENV)/bin
DEMO_HOME := .notes-chat-demo
# Keep the demo and tests away from the user's own config and index.
DEMO_ENV := NOTES_CHAT_HOME=$(DEMO_HOME) NOTES_CHAT_CONFIG=$(DEMO_HOME)/config.toml

.PHONY: install install-test install-lint demo test lint clean

$(BIN)/notes-chat:
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .

install: $(BIN)/notes-chat

# torch first, from the CPU wheel: otherwise sentence-transformers pulls a CUDA build.
$(VENV)/.test-installed: $(BIN)/notes-chat pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,sentence-transformers,llama-index]'
	touch $@

install-test: $(VENV)/.test-installed

demo: install
	$(DEMO_ENV) $(BIN)/notes-chat index examples/notes
	$(DEMO_ENV) $(BIN)/notes-chat search "学习率太大会怎样？"
	$(DEMO_ENV) $(BIN)/notes-chat search "How do I keep a model from overfitting?" -k 2

test: install-test
	$(BIN)/python -m pytest -q

# The default install (numpy only, no torch) plus the linters: mypy needs the
# project's own dependencies to check the calls into them.
# The extras that type-checked modules import (no torch among them).
$(VENV)/.lint-installed: $(BIN)/notes-chat pyproject.toml
	$(BIN)/pip install --quiet -e '.[formats,llama-index]' ruff==0.17.6 mypy==2.4.1
	touch $@

install-lint: $(VENV)/.lint-installed

lint: install-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(DEMO_HOME)
