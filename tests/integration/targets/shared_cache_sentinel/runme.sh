#!/usr/bin/env bash
# The shared cache through Redis Sentinel (Debian's redis 7.0.15: 1 master, 2 replicas, 3 sentinels, TLS
# everywhere, the guide's ACL user on every data node, named in the URL with its password in cache_password, and
# the sentinels' own password): K controllers that miss at once make one token request per credential, with no
# warning; the master killed mid-fetch costs no failure and at most one extra request; a fresh wave afterwards
# makes none. Then a store that trickles its answers (one byte a second): one warning per play, served. Many
# controllers at once and a killed master are the point: a shell target, with a Sentinel set of its own; the
# trickling proxy stands before the integration session's Redis (its plain port).
set -eu
source ../setup_tokensmith/files/servers.sh
set -x

K=5
SET_DIR="${SERVERS_DIR}/sentinel"
mkdir -p "${SET_DIR}"
ADMIN_PASSWORD="Admin-Pa55-$(date +%s%N | tail -c 7)"
ACL_PASSWORD="Acl-Pa55-$(date +%s%N | tail -c 7)"
SENTINEL_PASSWORD="Sentinel-Pa55-$(date +%s%N | tail -c 7)"
read -r -a NODE_PORTS <<< "$(free_ports 6)"
SENTINEL_PORTS=("${NODE_PORTS[@]:3:3}")
NODE_PORTS=("${NODE_PORTS[@]:0:3}")
TLS=(--tls-cert-file "${SERVER_CERT}" --tls-key-file "${SERVER_KEY}"
     --tls-ca-cert-file "${EMULATOR_CA}" --tls-auth-clients no --tls-replication yes)
PIDS=()
stop_set() {
    for pid in "${PIDS[@]}"; do kill "${pid}" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "${pid}" 2>/dev/null || true; done
    stop_servers
}
trap stop_set EXIT
tls_cli() {  # tls_cli PASSWORD PORT ARGS...
    REDISCLI_AUTH="$1" LD_LIBRARY_PATH="${REDIS_LIBRARIES}" "${REDIS_ROOT}/usr/bin/redis-cli" --tls \
        --cacert "${EMULATOR_CA}" -p "$2" "${@:3}"
}
node_cli() { tls_cli "${ADMIN_PASSWORD}" "$@"; }
sentinel_cli() { tls_cli "${SENTINEL_PASSWORD}" "${SENTINEL_PORTS[0]}" sentinel "$@"; }
master_port() { sentinel_cli get-master-addr-by-name mymaster | tail -n 1; }

# The data nodes: the guide's ACL for standalone and Sentinel on each (ACL users are not replicated).
for index in 0 1 2; do
    port="${NODE_PORTS[${index}]}"
    replica=()
    [ "${index}" -eq 0 ] || replica=(--replicaof 127.0.0.1 "${NODE_PORTS[0]}")
    env LD_LIBRARY_PATH="${REDIS_LIBRARIES}" "${REDIS_ROOT}/usr/bin/redis-server" --port 0 --tls-port "${port}" \
        --bind 127.0.0.1 "${TLS[@]}" --requirepass "${ADMIN_PASSWORD}" --masterauth "${ADMIN_PASSWORD}" \
        --save '' --appendonly no --repl-diskless-sync-delay 0 --dir "${SET_DIR}" "${replica[@]}" \
        --user tokensmith on ">${ACL_PASSWORD}" '~tokensmith:*' +get +set +del +eval +evalsha '+script|load' \
        >> "${SET_DIR}/node-${port}.log" 2>&1 &
    PIDS+=($!)
done
for port in "${NODE_PORTS[@]}"; do
    for _ in $(seq 200); do node_cli "${port}" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
    node_cli "${port}" ping | grep -q PONG || { cat "${SET_DIR}/node-${port}.log"; exit 1; }
done
# The sentinels: down after 1 s, their own password, TLS to each other and to the data nodes.
for port in "${SENTINEL_PORTS[@]}"; do
    cat > "${SET_DIR}/sentinel-${port}.conf" <<CONFIG
port 0
tls-port ${port}
bind 127.0.0.1
tls-cert-file ${SERVER_CERT}
tls-key-file ${SERVER_KEY}
tls-ca-cert-file ${EMULATOR_CA}
tls-auth-clients no
tls-replication yes
requirepass ${SENTINEL_PASSWORD}
dir ${SET_DIR}
sentinel monitor mymaster 127.0.0.1 ${NODE_PORTS[0]} 2
sentinel auth-pass mymaster ${ADMIN_PASSWORD}
sentinel sentinel-pass ${SENTINEL_PASSWORD}
sentinel down-after-milliseconds mymaster 1000
sentinel failover-timeout mymaster 10000
CONFIG
    env LD_LIBRARY_PATH="${REDIS_LIBRARIES}" "${REDIS_ROOT}/usr/bin/redis-server" "${SET_DIR}/sentinel-${port}.conf" \
        --sentinel >> "${SET_DIR}/sentinel-${port}.log" 2>&1 &
    PIDS+=($!)
done
for _ in $(seq 300); do
    sentinel_cli ckquorum mymaster 2>/dev/null | grep -q 'OK 3 usable' \
        && [ "$(sentinel_cli replicas mymaster 2>/dev/null | grep -c -x 'slave')" -eq 2 ] && break
    sleep 0.1
done
sentinel_cli ckquorum mymaster | grep -q 'OK 3 usable' || { tail -n 20 "${SET_DIR}"/sentinel-*.log; exit 1; }

export TOKENSMITH_CACHE_URL="rediss+sentinel://tokensmith@127.0.0.1:${SENTINEL_PORTS[0]},127.0.0.1:${SENTINEL_PORTS[1]},127.0.0.1:${SENTINEL_PORTS[2]}/mymaster/0"
export TOKENSMITH_CACHE_PASSWORD="${ACL_PASSWORD}" TOKENSMITH_CACHE_SENTINEL_PASSWORD="${SENTINEL_PASSWORD}"
export TOKENSMITH_CACHE_KEY="sentinel-cache-key-$(date +%s%N)"
fleet_inventory 5
controller() { fleet_controller "$1" ../shared_cache/controller.yml "${@:2}"; }  # controller NAME [extra args]
wave() {  # wave NAME [extra args]: K controllers at once, fresh HOMEs; every one must succeed, with no warning
    local pids=() status=0
    for n in $(seq "${K}"); do controller "$1-${n}" "${@:2}" & pids+=($!); done
    for pid in "${pids[@]}"; do wait "${pid}" || status=1; done
    [ "${status}" -eq 0 ]
}
no_warnings() {  # no_warnings NAME
    if grep -h 'WARNING' "${SERVERS_DIR}/controllers/$1"-*.log; then exit 1; fi
}

emulator control config '{"nexus_token_lifetime": null}' > /dev/null
HOME="${SERVERS_DIR}" play ../shared_cache/setup.yml

# 1. A cold wave: one request per credential, no warning; the entries are in the store (the ACL user named in the
#    URL authenticated with cache_password).
emulator reset_counters > /dev/null
wave cold
no_warnings cold
emulator expect '{"nuvy.token": 1, "nexla.token": 1, "nexus.token": 1}'
[ "$(node_cli "$(master_port)" --scan --pattern 'tokensmith:*' | wc -l)" -ge 3 ]

# 2. The master is killed (SIGKILL) while the lock holder's token request for a new credential (a new cache key)
#    is held at the emulator for 3 s (within its 10 s timeout): every controller succeeds, at most 2 requests, a new master within 10 s.
export TOKENSMITH_CACHE_KEY="sentinel-cache-key-2-$(date +%s%N)"
emulator reset_counters > /dev/null
emulator control faults '{"path": "/nexus/oauth2/token", "delay": 3}' > /dev/null
old_master="$(master_port)"
controller holder -e only=nuvy -e tokensmith_timeout=10 &
holder=$!
for _ in $(seq 200); do
    emulator control arrived | grep -q '"/nexus/oauth2/token": 1[,}]' && break
    sleep 0.05
done
emulator control arrived | grep -q '"/nexus/oauth2/token": 1[,}]'
for index in 0 1 2; do
    [ "${NODE_PORTS[${index}]}" = "${old_master}" ] && kill -9 "${PIDS[${index}]}"
done
pids=()
for n in $(seq 2 "${K}"); do controller "waiter-${n}" -e only=nuvy -e tokensmith_timeout=10 & pids+=($!); done
status=0
for pid in "${holder}" "${pids[@]}"; do wait "${pid}" || status=1; done
[ "${status}" -eq 0 ]
for _ in $(seq 100); do [ "$(master_port)" != "${old_master}" ] && break; sleep 0.1; done
[ "$(master_port)" != "${old_master}" ]
# A failover ends well within the 5 s the client waits (about 2.3 s here), so there is no warning.
gave_up="$(gave_up_on_store "${SERVERS_DIR}"/controllers/holder.log "${SERVERS_DIR}"/controllers/waiter-*.log)"
echo "failover: master ${old_master} killed mid-fetch, new master $(master_port); warnings: ${gave_up} (0 expected)"
emulator expect "{\"<=nuvy.token\": $((2 + gave_up))}"

# 3. A fresh wave afterwards: nothing requested, no warning.
emulator control faults '[]' > /dev/null
emulator reset_counters > /dev/null
wave after -e only=nuvy
no_warnings after
emulator expect '{"nuvy.token": 0}'

for log in "${SERVERS_DIR}"/controllers/*.log; do
    no_secrets "${log}" "${ADMIN_PASSWORD}" "${ACL_PASSWORD}" "${SENTINEL_PASSWORD}" "${TOKENSMITH_CACHE_KEY}" > /dev/null
done

# 4. A store that trickles (one byte a second through a proxy, each byte well within the 2 s socket timeout):
#    each play ends (the guard below only stops a hang) with one warning naming the cause, the 5 s budget,
#    served from the local cache: one request per credential per play.
#    A plain server, so that the trickle starts with the answers (over TLS the handshake is trickled too, and the
#    2 s connect timeout ends it first, as any store too slow to connect to: one warning as well).
redis_cli flushall > /dev/null
"${SERVERS_PYTHON}" trickle_proxy.py "${SERVERS_DIR}/proxy.port" "${REDIS_PLAIN_PORT}" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "${SERVERS_DIR}/proxy.port" ] && break; sleep 0.05; done
export TOKENSMITH_CACHE_URL="redis://:${REDIS_PASSWORD}@127.0.0.1:$(cat "${SERVERS_DIR}/proxy.port")/0"
unset TOKENSMITH_CACHE_PASSWORD TOKENSMITH_CACHE_SENTINEL_PASSWORD
emulator reset_counters > /dev/null
for n in 1 2; do
    mkdir -p "${SERVERS_DIR}/controllers/trickle-${n}"
    HOME="${SERVERS_DIR}/controllers/trickle-${n}" timeout 300 ansible-playbook -i "${CONFIG_INVENTORY}" \
        -i "${SERVERS_DIR}/fleet.ini" ../shared_cache/controller.yml > "${SERVERS_DIR}/controllers/trickle-${n}.log" 2>&1 \
        || { tail -n 40 "${SERVERS_DIR}/controllers/trickle-${n}.log"; exit 1; }
    grep -h 'WARNING' "${SERVERS_DIR}/controllers/trickle-${n}.log" > "${SERVERS_DIR}/trickle-${n}.warnings"
    cat "${SERVERS_DIR}/trickle-${n}.warnings"
    [ "$(wc -l < "${SERVERS_DIR}/trickle-${n}.warnings")" -eq 1 ]
    grep -q 'shared token cache unavailable (no whole answer within 5 s)' "${SERVERS_DIR}/trickle-${n}.warnings"
    no_secrets "${SERVERS_DIR}/controllers/trickle-${n}.log" "${REDIS_PASSWORD}" "${TOKENSMITH_CACHE_KEY}"
done
emulator expect '{"nuvy.token": 2, "nexla.token": 2, "nexus.token": 2}'
