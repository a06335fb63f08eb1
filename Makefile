# Two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?= -n 2 --dist loadfile
# ^ two processes; a file's tests in one, so a module's costly fixtures are made once
COMPARE_EXAMPLE := configs/tutorial/CyclicLR-1.yaml configs/tutorial/CyclicLR-2.yaml \
	configs/tutorial/CyclicLR-exp.yaml
LOGGED_EXAMPLE := configs/transformers/get_cosine_schedule_with_warmup.yaml \
	docs/runs/trainer_state.json
NEXT_VENV ?= .venv-torch-next
NEXT_STAMP := $(NEXT_VENV)/.installed-stamp
NEXT_TORCH ?= torch==2.14.1
NEXT_TORCHVISION ?= torchvision==0.29.1
NEXT_ONLY := timm
# ^ pinned in constraints.txt but installed only in $(NEXT_VENV) (timm needs torchvision)

.PHONY: install install-torch-next demo docs test test-torch-next lint format golden bench constraints clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -e '.[dev]'
	# DeepSpeed is a source package whose build imports torch: wheel first, then it
	# without build isolation (not in `dev`: an extra cannot ask pip for that).
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt wheel
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
		--no-build-isolation deepspeed
	touch $(STAMP)

install: $(STAMP)

# The next torch (2.14.1: a CUDA build, several GB) with every family's library: torchvision
# and timm (no CPU torchvision matches torch 2.13), DeepSpeed as in $(STAMP), MMEngine, TRL.
$(NEXT_STAMP): pyproject.toml constraints.txt
	test -x $(NEXT_VENV)/bin/python || $(PYTHON) -m venv $(NEXT_VENV)
	grep -v '^torch\(vision\)\?==' constraints.txt > $(NEXT_VENV)/constraints.txt
	$(NEXT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c $(NEXT_VENV)/constraints.txt '$(NEXT_TORCH)' '$(NEXT_TORCHVISION)' -e '.[dev,timm]'
	$(NEXT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c $(NEXT_VENV)/constraints.txt wheel
	$(NEXT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c $(NEXT_VENV)/constraints.txt --no-build-isolation deepspeed
	touch $(NEXT_STAMP)

install-torch-next: $(NEXT_STAMP)

# The committed gallery is rendered in $(NEXT_VENV), the one environment with every family
# (the main one has no timm): its manifest and index pages name torch 2.14.1.
demo: install $(NEXT_STAMP)  ## render every config in configs/ into gallery/ (again, even if up to date)
	$(NEXT_VENV)/bin/lrplot gallery configs -o gallery --allow-import --force

docs: install  ## rewrite the generated parts of docs/ and the pictures besides the gallery's
	$(BIN)/python -c 'from lrplot.reference import update_docs; update_docs()'
	$(BIN)/lrplot compare $(COMPARE_EXAMPLE) -q -o docs/compare-cyclic.png
	$(BIN)/lrplot compare $(LOGGED_EXAMPLE) -q -o docs/compare-logged.png

test: install lint  ## lint, type-check and run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-torch-next: $(NEXT_STAMP)  ## the test suite under the next torch, with every family
	$(NEXT_VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: install  ## ruff, mypy --strict, and the wings' import contract (pyproject.toml)
	$(BIN)/ruff check lrplot tests benchmarks
	$(BIN)/ruff format --check lrplot tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format lrplot tests benchmarks
	$(BIN)/ruff check --fix lrplot tests benchmarks

golden: install  ## regenerate the golden files in tests/golden/ after an intended change
	LRPLOT_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q -m golden

bench: install  ## time lrplot against what users would write otherwise (several minutes)
	$(BIN)/python benchmarks/run.py

constraints: install  ## re-pin the tested versions after upgrading a dependency
	{ sed -n '/^#/p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable \
		| grep -v '^-e' | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; \
		grep -E '^($(NEXT_ONLY))==' constraints.txt; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) $(NEXT_VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
