#!/usr/bin/env bash
# Every example users read - the README, the guide, each role's README, each module's and the lookup's EXAMPLES - run
# against the emulator as written, but for the one documented substitution (examples.py): twice, with every token
# the server issued revoked in between, so that each documented way to call an API shows it recovers by itself. The
# -vvvv output of each run is the point (a shell target): it holds no secret and no token, ticket or passCode.
set -eu
source ../setup_tokensmith/files/servers.sh
set -x

EXAMPLES="${SERVERS_DIR}/examples"
mkdir -p "${EXAMPLES}"
"${SERVERS_PYTHON}" examples.py build "${COLLECTION}" "${INTEGRATION_CONFIG}" "${EXAMPLES}" | tee "${SERVERS_DIR}/counts.txt"
grep -q 'examples in all' "${SERVERS_DIR}/counts.txt"
# The examples' own environment: no configuration from the integration session beyond what env.sh gives.
unset ANSIBLE_ACTION_PLUGINS
set +x
source "${EXAMPLES}/env.sh"
set -x

for playbook in "${EXAMPLES}"/*.yml; do
    name="$(basename "${playbook}" .yml)"
    for run in first after-revocation; do
        ansible-playbook -i "${EXAMPLES}/hosts" -e "@${EXAMPLES}/vault.json" "${playbook}" -vvvv \
            > "${SERVERS_DIR}/${name}.${run}.log" 2>&1 || { tail -n 60 "${SERVERS_DIR}/${name}.${run}.log"; exit 1; }
        # Every session and token the server issued stops working, as a revocation or a restart does.
        emulator control invalidate > /dev/null
    done
done
for log in "${SERVERS_DIR}"/*.first.log "${SERVERS_DIR}"/*.after-revocation.log; do
    no_secrets "${log}"
done
cat "${SERVERS_DIR}/counts.txt"
