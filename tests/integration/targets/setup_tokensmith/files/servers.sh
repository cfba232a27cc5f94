# Sourced by a shell target's runme.sh: the shell's side of setup_tokensmith. The integration session runs the
# provider emulator, a real OAuth 2.0 server and a plain Redis server for the whole ansible-test run and writes their
# coordinates, the test credentials and the emulator's variable block to tests/integration/integration_config.yml
# (tests/harness/integration_servers.py). This file:
# - exports EMULATOR_URL, EMULATOR_CA, EMULATOR_DIR, OIDC_URL, REDIS_PORT (TLS), REDIS_PLAIN_PORT, REDIS_PASSWORD,
#   REDIS_ROOT, REDIS_LIBRARIES, SERVER_CERT, SERVER_KEY and resets the emulator;
# - gives the target's playbooks that configuration as inventory variables (the lowest precedence, so a play sets
#   its own) and the test actions (tokensmith_emulator, tokensmith_no_secrets): play, CONFIG_INVENTORY;
# - talks to the emulator through its command line (tests/emulator/cli.py): emulator ACTION ..., no_secrets FILE;
# - starts what a target tests the life of: own_redis; and removes its scratch (SERVERS_DIR) when the script exits.
# ansible-test passes only HOME and PATH through, so everything is found from ANSIBLE_COLLECTIONS_PATH.

TOKENSMITH_ROOT=""
IFS=: read -r -a search_paths <<< "${ANSIBLE_COLLECTIONS_PATH:-}:${ANSIBLE_COLLECTIONS_PATHS:-}"
for dir in "${search_paths[@]}"; do
    if [ -f "${dir}/ansible_collections/tokensmith/auth/tests/emulator/__main__.py" ]; then
        TOKENSMITH_ROOT="${dir}"
        break
    fi
done
if [ -z "${TOKENSMITH_ROOT}" ]; then
    echo "setup_tokensmith: tokensmith.auth not found under ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-}" >&2
    exit 1
fi
COLLECTION="${TOKENSMITH_ROOT}/ansible_collections/tokensmith/auth"
SETUP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVERS_DIR="$(mktemp -d)"
SERVERS_PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python}"
SERVERS_HELPERS="${SETUP_DIR}/files/servers.py"  # the Python this file needs

# free_ports N [OFFSET]: N distinct free loopback ports, space-separated; with OFFSET, port + OFFSET is free too
# (a Redis Cluster node's bus port).
free_ports() {
    "${SERVERS_PYTHON}" "${SERVERS_HELPERS}" free-ports "$@"
}

# The servers' coordinates, two directories up from a target (ansible-test copies the file there).
INTEGRATION_CONFIG="$(cd ../.. && pwd)/integration_config.yml"
if [ ! -s "${INTEGRATION_CONFIG}" ]; then
    echo "setup_tokensmith: no ${INTEGRATION_CONFIG}; the integration session starts the servers: make test, or" \
        "nox -s integration-2.19 (tests/harness/integration_servers.py)" >&2
    exit 1
fi
read -r EMULATOR_URL EMULATOR_CA EMULATOR_DIR OIDC_URL REDIS_PORT REDIS_PLAIN_PORT REDIS_PASSWORD REDIS_ROOT \
    < <("${SERVERS_PYTHON}" "${SERVERS_HELPERS}" config "${INTEGRATION_CONFIG}")
REDIS_LIBRARIES="${REDIS_ROOT}/usr/lib/x86_64-linux-gnu:${REDIS_ROOT}/usr/lib/aarch64-linux-gnu"
# The emulator's certificate and key, for the servers a target starts itself (Redis over TLS).
SERVER_CERT="${EMULATOR_DIR}/server.pem"
SERVER_KEY="${EMULATOR_DIR}/server.key"
export EMULATOR_URL EMULATOR_CA OIDC_URL INTEGRATION_CONFIG SERVERS_DIR  # for `bash -c "$(declare -f play)"`

# The configuration as the inventory's group variables, beside a copy of ansible-test's inventory; the test actions.
CONFIG_INVENTORY="${SERVERS_DIR}/inventory"
mkdir -p "${CONFIG_INVENTORY}/group_vars"
cp "${INVENTORY_PATH}" "${CONFIG_INVENTORY}/hosts"
cp "${INTEGRATION_CONFIG}" "${CONFIG_INVENTORY}/group_vars/all.json"
export CONFIG_INVENTORY ANSIBLE_ACTION_PLUGINS="${SETUP_DIR}/action_plugins"

# The emulator's command line (tests/emulator/cli.py): emulator ACTION [ARGS...].
emulator() {
    local action="$1"
    shift
    "${SERVERS_PYTHON}" "${COLLECTION}/tests/emulator" "${action}" --state-dir "${EMULATOR_DIR}" "$@"
}
emulator reset > /dev/null
# no_secrets FILE [VALUE...]: the leak check (tests/emulator/leaks.py): no form of any test secret, of any token,
# ticket or passCode the emulator issued, or of VALUE (which may hold \n and other escapes) in FILE.
no_secrets() {
    emulator no-secrets "$@"
}

redis_cli() {  # the integration session's Redis, over TLS
    REDISCLI_AUTH="${REDIS_PASSWORD}" LD_LIBRARY_PATH="${REDIS_LIBRARIES}" "${REDIS_ROOT}/usr/bin/redis-cli" --tls \
        --cacert "${EMULATOR_CA}" -p "${REDIS_PORT}" "$@"
}

# own_redis PORT: a Redis server of the target's own (TLS on PORT, the session's password) for a target that tests
# what happens when it stops (stop_own_redis). Waits until it answers.
OWN_REDIS_PID=""
own_redis() {
    # env execs the server, so OWN_REDIS_PID is the server's own
    env LD_LIBRARY_PATH="${REDIS_LIBRARIES}" "${REDIS_ROOT}/usr/bin/redis-server" --bind 127.0.0.1 --port 0 \
        --tls-port "$1" --tls-auth-clients no --tls-cert-file "${SERVER_CERT}" --tls-key-file "${SERVER_KEY}" \
        --tls-ca-cert-file "${EMULATOR_CA}" --requirepass "${REDIS_PASSWORD}" --save '' --appendonly no \
        --dir "${SERVERS_DIR}" >> "${SERVERS_DIR}/own-redis.log" 2>&1 &
    OWN_REDIS_PID=$!
    for _ in $(seq 100); do
        REDIS_PORT="$1" redis_cli ping 2>/dev/null | grep -q PONG && return 0
        sleep 0.05
    done
    echo "setup_tokensmith: redis-server did not start; see ${SERVERS_DIR}/own-redis.log" >&2
    exit 1
}
stop_own_redis() {
    if [ -n "${OWN_REDIS_PID}" ]; then
        kill "${OWN_REDIS_PID}" 2>/dev/null || true
        wait "${OWN_REDIS_PID}" 2>/dev/null || true
        OWN_REDIS_PID=""
    fi
}

stop_servers() {
    stop_own_redis
    # Deprecation warnings (Ansible's and Python's) in anything this target captured, into the session's log, whose
    # check fails on them (noxfile.py): what works with a warning now breaks on a later ansible-core or library.
    # ([W]: this line, traced by set -x, must not match the check itself.)
    grep -rh -A2 -e 'DEPRECATION WARNING' -e 'Deprecation[W]arning: ' "${SERVERS_DIR}" 2>/dev/null || true
    rm -rf "${SERVERS_DIR}"
}
trap stop_servers EXIT

# ansible-playbook with the configuration (and a scratch directory).
play() {
    ansible-playbook -i "${CONFIG_INVENTORY}" -e "out=${SERVERS_DIR}/out" "$@"
}

# The fleet targets' inventory: fleet_inventory N writes ${SERVERS_DIR}/fleet.ini (N local hosts);
# fleet_controller NAME PLAY [args] runs one controller with its own HOME (so its own local cache), log NAME.log.
fleet_inventory() {
    "${SERVERS_PYTHON}" "${SERVERS_HELPERS}" fleet-inventory "${SERVERS_DIR}/fleet.ini" "$1"
}
fleet_controller() {
    local home="${SERVERS_DIR}/controllers/$1"
    mkdir -p "${home}"
    HOME="${home}" play -i "${SERVERS_DIR}/fleet.ini" "${@:3}" "$2" > "${home}.log" 2>&1 \
        || { grep -v '^ok:' "${home}.log" | tail -n 40 >&2; return 1; }
}
# gave_up_on_store LOG...: how many of the logs say the shared store was given up on (a failover that outlasted
# the client's 5 s: on a machine slow enough, counted, not failed); any other warning fails the test.
gave_up_on_store() {
    local warnings
    warnings="$(grep -h 'WARNING' "$@" || true)"
    if [ -n "${warnings}" ] && echo "${warnings}" | grep -v -q 'shared token cache unavailable'; then
        echo "${warnings}" >&2
        return 1
    fi
    printf '%s' "${warnings}" | grep -c . || true
}
