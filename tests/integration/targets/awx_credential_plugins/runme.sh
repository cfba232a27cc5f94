#!/usr/bin/env bash
# The AWX credential plugins as controllers get them (one process per controllers' virtualenv is the point): the wheel
# built by the README's one command, installed into AWX 24.6.1's venv (Python 3.11, requests 2.31.0, urllib3 1.26.18)
# and a current one (Python 3.12), loaded through both entry point groups, each backend called against the emulator
# over TLS with its private CA, failures named by their cause, a provider that never answers cut off at the bound,
# the tokens rendered into the token-only types by AWX's own injection code (tests/awx/plugins.py). Then the leak
# check over everything AWX would keep of the failures and of the job's environment.
set -eu
source ../setup_tokensmith/files/servers.sh
set -x

"${SERVERS_PYTHON}" "${COLLECTION}/tests/awx/plugins.py" run "${INTEGRATION_CONFIG}" "${SERVERS_DIR}"
for kept in "${SERVERS_DIR}"/awx-*.shown "${SERVERS_DIR}"/awx-*.job_env; do
    test -s "${kept}"
    no_secrets "${kept}" wrong-Secret-99
done
