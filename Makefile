# The README's commands. All need only Python 3 (3.11 and 3.12 for the whole ansible-core matrix), make,
# Node/npm and the package registries; everything else is installed by tests/harness/run.py.
PYTHON ?= python3

.PHONY: test check demo docs bench sweep clean

test:
	$(PYTHON) tests/harness/run.py test $(ARGS)

check:
	$(PYTHON) tests/harness/run.py check

demo:
	$(PYTHON) tests/harness/run.py demo

docs:
	$(PYTHON) tests/harness/run.py docs

bench:
	$(PYTHON) tests/harness/run.py bench

sweep:
	$(PYTHON) tests/harness/run.py sweep $(ARGS)

clean:
	rm -rf .test tests/output .venv .nox docs/_build
