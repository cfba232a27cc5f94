#!/usr/bin/env bash
# The shared cache on a real Redis server (TLS, an ACL user): K=5 controllers - separate ansible-playbook
# processes with their own HOME and local cache, 20 hosts each, each token used 3 times per host - make exactly
# one token request per credential; a second wave makes none; a Nexla session near its end is refreshed once;
# the lock holder killed mid-fetch costs at most one extra request; the store stopped mid-run costs one warning
# per play, never a failure; the store holds no secret, token or identity in any form; a fault at any byte of the store
# exchange costs at most one warning and never a half-written entry. Many controllers at once,
# a killed process and a store stopped mid-run are the point: a shell target. The store is the integration session's
# Redis (TLS); the one stopped mid-run is the target's own.
set -eu
source ../setup_tokensmith/files/servers.sh
set -x

K=5
export SERVERS_DIR
# The controllers use an ACL user limited as docs/guide.md advises: the collection's keys, the commands it uses.
ACL_PASSWORD="Acl-Pa55-$(date +%s%N | tail -c 7)"
acl_user() {
    redis_cli ACL SETUSER tokensmith reset on ">${ACL_PASSWORD}" '~tokensmith:*' +get +set +del +eval +evalsha \
        +script\|load | grep -q OK
}
# An empty store and an empty script cache (as a just started server's): the lock's release needs SCRIPT LOAD.
redis_cli flushall > /dev/null
redis_cli script flush > /dev/null
acl_user
export TOKENSMITH_CACHE_URL="rediss://tokensmith:${ACL_PASSWORD}@127.0.0.1:${REDIS_PORT}/0"
export TOKENSMITH_CACHE_KEY="shared-cache-key-$(date +%s%N)"
fleet_inventory 20
controller() { fleet_controller "$1" controller.yml "${@:2}"; }  # controller NAME [extra args]
wave() {  # wave NAME: K controllers at once, fresh HOMEs; every one must succeed
    rm -rf "${SERVERS_DIR}/controllers"
    local pids=()
    for n in $(seq "${K}"); do controller "$1-${n}" & pids+=($!); done
    for pid in "${pids[@]}"; do wait "${pid}"; done
}

emulator control config '{"nexus_token_lifetime": null}' > /dev/null
HOME="${SERVERS_DIR}" play setup.yml

# 1. K controllers miss at once: one request per credential. 2. A second wave of new controllers: none.
emulator reset_counters > /dev/null
wave first
emulator expect '{"nuvy.token": 1, "nexla.token": 1, "nexus.token": 1}'
if grep -h 'WARNING' "${SERVERS_DIR}"/controllers/*.log; then exit 1; fi
# Every lock was released, not left to expire (a release refused by the ACL leaves them for timeout + 5 s).
locks="$(redis_cli --scan --pattern 'tokensmith:*:lock' | wc -l)"
[ "${locks}" -eq 0 ] || { echo "${locks} lock(s) left in the store after the wave" >&2; exit 1; }
emulator reset_counters > /dev/null
wave second
emulator expect '{"nuvy.token": 0, "nexla.token": 0, "nexus.token": 0, "nexus.ticket": 0}'

# A Nexla session near its end (every entry read as at its end: a min_ttl beyond the lifetime) is refreshed once,
# by the controller that holds the lock, not by every controller.
emulator reset_counters > /dev/null
rm -rf "${SERVERS_DIR}/controllers"
pids=()
for n in $(seq "${K}"); do controller "near-end-${n}" -e only=nexla -e tokensmith_min_ttl=100000 & pids+=($!); done
for pid in "${pids[@]}"; do wait "${pid}"; done
emulator expect '{"nexla.refresh": 1, "nexla.token": 0}'

# Valkey's client (valkey-py) in place of redis-py, against the same server: an entry stored, locked and read back;
# with the script cache emptied first (as after a restart or a failover), the lock is released at once, not left
# to expire: the documented ACL lets the client load the release script.
redis_cli script flush | grep -q OK
PYTHONPATH="${TOKENSMITH_ROOT}" "${SERVERS_PYTHON}" valkey_check.py "${EMULATOR_CA}"

# 3. The lock holder is killed while its token request is held up at the server: the others still succeed,
#    with at most one extra request (the lock expires 7 s after it was taken: timeout 2 s + 5 s).
redis_cli flushall > /dev/null
emulator reset_counters > /dev/null
emulator control faults '{"path": "/nexus/oauth2/token", "delay": 3}' > /dev/null
rm -rf "${SERVERS_DIR}/controllers"
mkdir -p "${SERVERS_DIR}/controllers/holder"
HOME="${SERVERS_DIR}/controllers/holder" setsid bash -c "$(declare -f play); play -i '${SERVERS_DIR}/fleet.ini' \
    -e only=nuvy -e tokensmith_timeout=2 controller.yml" > "${SERVERS_DIR}/controllers/holder.log" 2>&1 &
holder=$!
for _ in $(seq 200); do
    emulator control arrived | grep -q '"/nexus/oauth2/token": 1[,}]' && break
    sleep 0.05
done
pids=()
for n in $(seq 2 "${K}"); do controller "waiter-${n}" -e only=nuvy -e tokensmith_timeout=2 & pids+=($!); done
sleep 0.5
kill -KILL -- "-${holder}"
for pid in "${pids[@]}"; do wait "${pid}"; done
sleep 3.5  # the killed holder's request completes at the server (it was held up 3 s)
emulator expect '{"<=nuvy.token": 2}'
# and the holder's request did reach the server before it died (else this tested nothing)
emulator control arrived | grep -q '"/nexus/oauth2/token": 2[,}]'

# 4. Everything the store holds, every key and value, has no secret, token, ticket, passCode or identity.
redis_cli --scan > "${SERVERS_DIR}/keys.txt"
test -s "${SERVERS_DIR}/keys.txt"
: > "${SERVERS_DIR}/store.txt"
while read -r key; do
    echo "${key}" >> "${SERVERS_DIR}/store.txt"
    redis_cli --no-raw get "${key}" >> "${SERVERS_DIR}/store.txt"
done < "${SERVERS_DIR}/keys.txt"
no_secrets "${SERVERS_DIR}/store.txt" "${TOKENSMITH_CACHE_KEY}" "${REDIS_PASSWORD}" "${ACL_PASSWORD}" tokensmith-app \
    admin "${EMULATOR_URL}" nexla-api oauth2 nxrm access_token nameCode pass_code

# 4b. Every fault at every byte of the store exchange (a fixed sample here; make sweep runs every offset): a lookup
#     whose store connection is closed, reset or stalled anywhere still serves a token, with at most the one
#     documented warning, within the store's budget; the store holds the whole entry or none.
PYTHONPATH="${TOKENSMITH_ROOT}" "${SERVERS_PYTHON}" store_sweep.py "${INTEGRATION_CONFIG}"

# 5. The store stops mid-run: every play still succeeds, and each says so once. The store is the target's own
#    (the session's serves the targets after this one).
OWN_PORT="$(free_ports 1)"
own_redis "${OWN_PORT}"
REDIS_PORT="${OWN_PORT}" acl_user
export TOKENSMITH_CACHE_URL="rediss://tokensmith:${ACL_PASSWORD}@127.0.0.1:${OWN_PORT}/0"
rm -rf "${SERVERS_DIR}/controllers"
pids=()
for n in $(seq "${K}"); do
    controller "stopped-${n}" -e only=nuvy -e "continue_when=${SERVERS_DIR}/store-stopped" & pids+=($!)
done
for _ in $(seq 400); do
    [ "$(grep -l 'Wait for the test to stop the store' "${SERVERS_DIR}"/controllers/*.log 2>/dev/null | wc -l)" -ge "${K}" ] && break
    sleep 0.1
done
stop_own_redis
touch "${SERVERS_DIR}/store-stopped"
for pid in "${pids[@]}"; do wait "${pid}"; done
for n in $(seq "${K}"); do
    log="${SERVERS_DIR}/controllers/stopped-${n}.log"
    # Ansible folds long warnings onto several lines: count them as one paragraph each
    test "$(tr '\n' ' ' < "${log}" | tr -s ' ' | grep -o 'tokensmith shared token cache unavailable' | wc -l)" -eq 1 \
        || { grep -v '^ok:' "${log}" | tail -n 30 >&2; exit 1; }
    grep -q 'failed=0' "${log}"
done
cat "${SERVERS_DIR}"/controllers/*.log > "${SERVERS_DIR}/all.log"
no_secrets "${SERVERS_DIR}/all.log" "${REDIS_PASSWORD}" "${ACL_PASSWORD}" "${TOKENSMITH_CACHE_KEY}"

echo "shared cache: all checks passed"
