# The two commands of the README. Both need only Python 3 (3.11 and 3.12 for the full matrix), make,
# Node/npm and the package registries; everything else is installed by tests/harness/run.py.
PYTHON ?= python3

.PHONY: test demo bench clean

test:
	$(PYTHON) tests/harness/run.py test $(ARGS)

demo:
	$(PYTHON) tests/harness/run.py demo

bench:
	$(PYTHON) tests/harness/run.py bench

clean:
	rm -rf .test tests/output .venv
