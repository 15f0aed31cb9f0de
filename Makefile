# mobility_sim: the two commands of the quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_SCENARIO ?= scenarios/helsinki/sump_package.yaml
DEMO_OUT      ?= output/demo

.PHONY: demo test lab lint bench clean help

help:
	@echo "make demo   create .venv, install, run the demo package on Helsinki with the council page (about 5 min on 2 cores)"
	@echo "make test   create .venv if needed, install, run the whole test suite"
	@echo "make lab    install JupyterLab (the notebook extra) and open the tutorial notebooks"

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 'mobility_sim needs Python 3.11 or newer; found ' + sys.version.split()[0] + '. Set PYTHON=python3.11 (or newer) and run make again.')"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mobility-sim run $(DEMO_SCENARIO) --out $(DEMO_OUT) --council

test: $(STAMP)
	bash scripts/ensure_browser.sh
	$(BIN)/python -m pytest -n auto --dist loadfile --durations=20
	@mkdir -p output
	$(BIN)/python -m mobility_sim bench --cells 300 --years 2 --segments 1 --purposes 1 > output/bench.json
	@echo "kernel benchmark (small size, kept in output/bench.json):"; cat output/bench.json
	$(BIN)/python benchmarks/regression.py --base HEAD~1 --cells 2500 --repeats 7

LAB_STAMP := $(VENV)/.lab-stamp

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev,notebook]"
	@mkdir -p $(dir $(LAB_SETTINGS))
	@echo '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}}}' > $(LAB_SETTINGS)
	@touch $(LAB_STAMP)

lab: $(LAB_STAMP)
	@echo "The notebooks are notebooks/NN_*.py: a double-click opens one as a notebook (jupytext)."
	$(BIN)/jupyter lab notebooks

lint: $(STAMP)
	$(BIN)/ruff check mobility_sim kernels tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m mobility_sim bench --cells 2000 --years 3

clean:
	rm -rf $(VENV) output build *.egg-info
