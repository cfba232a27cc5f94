# Sourced by a target's runme.sh. The provider emulator and the real OAuth 2.0 server run for the whole
# ansible-test run (tests/harness/integration_servers.py starts them and writes their coordinates to
# tests/integration/integration_config.yml); this exports EMULATOR_URL, EMULATOR_CA, OIDC_URL, resets the emulator,
# starts a real Redis server over TLS with WANT_REDIS=1, and stops that and removes its scratch when the script exits.
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
    echo "setup_servers: tokensmith.auth not found under ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-}" >&2
    exit 1
fi
COLLECTION="${TOKENSMITH_ROOT}/ansible_collections/tokensmith/auth"
SERVERS_DIR="$(mktemp -d)"
SERVERS_PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python}"
SERVERS_HELPERS="${COLLECTION}/tests/integration/targets/setup_servers/servers.py"  # the Python this file needs

# free_ports N [OFFSET]: N distinct free loopback ports, space-separated; with OFFSET, port + OFFSET is free too
# (a Redis Cluster node's bus port).
free_ports() {
    "${SERVERS_PYTHON}" "${SERVERS_HELPERS}" free-ports "$@"
}

# The servers' coordinates, two directories up from a target (ansible-test copies the file there).
INTEGRATION_CONFIG="$(cd ../.. && pwd)/integration_config.yml"
if [ ! -s "${INTEGRATION_CONFIG}" ]; then
    echo "setup_servers: no ${INTEGRATION_CONFIG}; the integration session starts the servers: make test, or" \
        "nox -s integration-2.19 (tests/harness/integration_servers.py)" >&2
    exit 1
fi
read -r EMULATOR_URL EMULATOR_CA EMULATOR_DIR OIDC_URL < <("${SERVERS_PYTHON}" "${SERVERS_HELPERS}" config \
    "${INTEGRATION_CONFIG}")
# The emulator's certificate and key, for the servers a target starts itself (Redis over TLS).
SERVER_CERT="${EMULATOR_DIR}/server.pem"
SERVER_KEY="${EMULATOR_DIR}/server.key"
export EMULATOR_URL EMULATOR_CA OIDC_URL INTEGRATION_CONFIG SERVERS_DIR  # for `bash -c "$(declare -f play)"`

# The emulator's command line (tests/emulator/cli.py): emulator ACTION [ARGS...].
emulator() {
    local action="$1"
    shift
    "${SERVERS_PYTHON}" "${COLLECTION}/tests/emulator" "${action}" --state-dir "${EMULATOR_DIR}" "$@"
}
emulator reset > /dev/null

REDIS_PID=""

stop_redis() {
    if [ -n "${REDIS_PID}" ]; then
        kill "${REDIS_PID}" 2>/dev/null || true
        wait "${REDIS_PID}" 2>/dev/null || true
        REDIS_PID=""
    fi
}

stop_servers() {
    stop_redis
    rm -rf "${SERVERS_DIR}"
}
trap stop_servers EXIT

if [ "${WANT_REDIS:-0}" = "1" ]; then
    # tests/harness/run.py unpacks Debian's redis-server beside the copy; TLS with the emulator's CA and certificate.
    REDIS_ROOT="${TOKENSMITH_ROOT}/debs/redis"
    if [ ! -x "${REDIS_ROOT}/usr/bin/redis-server" ]; then
        echo "setup_servers: redis-server is not unpacked in ${REDIS_ROOT}; run the tests with make test" >&2
        exit 1
    fi
    REDIS_PASSWORD="Redis-Pa55-$(date +%s%N | tail -c 7)"
    REDIS_PORT="$(free_ports 1)"
    REDIS_URL="rediss://:${REDIS_PASSWORD}@127.0.0.1:${REDIS_PORT}/0"
    export REDIS_PASSWORD REDIS_PORT REDIS_URL

    REDIS_LIBRARIES="${REDIS_ROOT}/usr/lib/x86_64-linux-gnu:${REDIS_ROOT}/usr/lib/aarch64-linux-gnu"
    start_redis() {
        # env execs the server, so REDIS_PID is the server's own
        env LD_LIBRARY_PATH="${REDIS_LIBRARIES}" "${REDIS_ROOT}/usr/bin/redis-server" --bind 127.0.0.1 --port 0 \
            --tls-port "${REDIS_PORT}" --tls-auth-clients no \
            --tls-cert-file "${SERVER_CERT}" --tls-key-file "${SERVER_KEY}" \
            --tls-ca-cert-file "${EMULATOR_CA}" --requirepass "${REDIS_PASSWORD}" --save '' --appendonly no \
            --dir "${SERVERS_DIR}" >> "${SERVERS_DIR}/redis.log" 2>&1 &
        REDIS_PID=$!
        for _ in $(seq 100); do
            redis_cli ping 2>/dev/null | grep -q PONG && return 0
            sleep 0.05
        done
        echo "setup_servers: redis-server did not start; see ${SERVERS_DIR}/redis.log" >&2
        exit 1
    }
    redis_cli() {
        REDISCLI_AUTH="${REDIS_PASSWORD}" LD_LIBRARY_PATH="${REDIS_LIBRARIES}" "${REDIS_ROOT}/usr/bin/redis-cli" --tls \
            --cacert "${EMULATOR_CA}" -p "${REDIS_PORT}" "$@"
    }
    start_redis
fi

# ansible-playbook with the servers' coordinates as extra vars (and a scratch directory).
play() {
    ansible-playbook -i "${INVENTORY_PATH}" -e "@${INTEGRATION_CONFIG}" -e "out=${SERVERS_DIR}/out" "$@"
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

# The emulator's control endpoints: control PATH [JSON] prints the answer; expect_counts checks its counters;
# issued_values prints every token, ticket and passCode it has handed out, one per line.
control() {  # control PATH [JSON]
    emulator control "$@"
}
expect_counts() {  # expect_counts '{"nuvy.token": 1, "<=nexla.token": 2}'
    emulator expect "$1"
}
issued_values() {
    emulator issued
}

# Fails if any of the given values appear in the file, as they are, trimmed, URL- or base64-encoded, or escaped
# (Python repr, JSON): the leak check. A value may hold \n and other escapes (printf %b style).
assert_no_secrets() {
    "${SERVERS_PYTHON}" "${SERVERS_HELPERS}" no-secrets "$@"
}
