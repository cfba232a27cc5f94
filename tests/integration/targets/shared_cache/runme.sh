#!/usr/bin/env bash
# The shared cache on a real Redis server (TLS, an ACL user): K=5 controllers - separate ansible-playbook
# processes with their own HOME and local cache, 20 hosts each, each token used 3 times per host - make exactly
# one token request per credential; a second wave makes none; a Nexla session near its end is refreshed once;
# the lock holder killed mid-fetch costs at most one extra request; the store stopped mid-run costs one warning
# per play, never a failure; the store holds no secret, token or identity in any form.
set -eu
WANT_REDIS=1
source ../setup_servers/servers.sh
set -x

K=5
export SERVERS_DIR
# The controllers use an ACL user limited as docs/guide.md advises: the collection's keys, the commands it uses.
ACL_PASSWORD="Acl-Pa55-$(date +%s%N | tail -c 7)"
# This server was just started, so its script cache is empty: the lock's release needs SCRIPT LOAD (+script|load).
redis_cli ACL SETUSER tokensmith on ">${ACL_PASSWORD}" '~tokensmith:*' +get +set +del +eval +evalsha +script\|load \
    | grep -q OK
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

control config '{"nexus_token_lifetime": null}' > /dev/null
HOME="${SERVERS_DIR}" play setup.yml

# 1. K controllers miss at once: one request per credential. 2. A second wave of new controllers: none.
control reset_counters > /dev/null
wave first
expect_counts '{"nuvy.token": 1, "nexla.token": 1, "nexus.token": 1}'
if grep -h 'WARNING' "${SERVERS_DIR}"/controllers/*.log; then exit 1; fi
# Every lock was released, not left to expire (a release refused by the ACL leaves them for timeout + 5 s).
locks="$(redis_cli --scan --pattern 'tokensmith:*:lock' | wc -l)"
[ "${locks}" -eq 0 ] || { echo "${locks} lock(s) left in the store after the wave" >&2; exit 1; }
control reset_counters > /dev/null
wave second
expect_counts '{"nuvy.token": 0, "nexla.token": 0, "nexus.token": 0, "nexus.ticket": 0}'

# A Nexla session near its end (every entry read as at its end: a min_ttl beyond the lifetime) is refreshed once,
# by the controller that holds the lock, not by every controller.
control reset_counters > /dev/null
rm -rf "${SERVERS_DIR}/controllers"
pids=()
for n in $(seq "${K}"); do controller "near-end-${n}" -e only=nexla -e tokensmith_min_ttl=100000 & pids+=($!); done
for pid in "${pids[@]}"; do wait "${pid}"; done
expect_counts '{"nexla.refresh": 1, "nexla.token": 0}'

# Valkey's client (valkey-py) in place of redis-py, against the same server: an entry stored, locked and read back;
# with the script cache emptied first (as after a restart or a failover), the lock is released at once, not left
# to expire: the documented ACL lets the client load the release script.
redis_cli script flush | grep -q OK
PYTHONPATH="${TOKENSMITH_ROOT}" "${SERVERS_PYTHON}" - "${EMULATOR_CA}" <<'PYTHON'
import os, sys, time
sys.modules['redis'] = None  # as on a controller that has only valkey
from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
from ansible_collections.tokensmith.auth.plugins.plugin_utils import _shared_cache
assert _shared_cache._client_library().__name__ == 'valkey'
cache = _shared_cache.SharedCache.open(Options(dict(cache_url=os.environ['TOKENSMITH_CACHE_URL'], ca_path=sys.argv[1],
                                                    cache_key=os.environ['TOKENSMITH_CACHE_KEY'])), print, None)
with cache.entry(['valkey-check'], 'a-secret') as entry:
    entry.store({'token': 'sealed'}, time.time() + 60)
assert cache.client.get(entry.key + ':lock') is None, 'the lock was not released (is +script|load in the ACL?)'
assert cache.peek(['valkey-check'], 'a-secret') == {'token': 'sealed'}
print('valkey-py: stored, locked and read back through the shared cache')
PYTHON

# 3. The lock holder is killed while its token request is held up at the server: the others still succeed,
#    with at most one extra request (the lock expires 7 s after it was taken: timeout 2 s + 5 s).
redis_cli flushall > /dev/null
control reset_counters > /dev/null
control faults '{"path": "/nexus/oauth2/token", "delay": 3}' > /dev/null
rm -rf "${SERVERS_DIR}/controllers"
mkdir -p "${SERVERS_DIR}/controllers/holder"
HOME="${SERVERS_DIR}/controllers/holder" setsid bash -c "$(declare -f play); play -i '${SERVERS_DIR}/fleet.ini' \
    -e only=nuvy -e tokensmith_timeout=2 controller.yml" > "${SERVERS_DIR}/controllers/holder.log" 2>&1 &
holder=$!
for _ in $(seq 200); do
    control arrived | grep -q '"/nexus/oauth2/token": 1' && break
    sleep 0.05
done
pids=()
for n in $(seq 2 "${K}"); do controller "waiter-${n}" -e only=nuvy -e tokensmith_timeout=2 & pids+=($!); done
sleep 0.5
kill -KILL -- "-${holder}"
for pid in "${pids[@]}"; do wait "${pid}"; done
sleep 3.5  # the killed holder's request completes at the server (it was held up 3 s)
expect_counts '{"<=nuvy.token": 2}'
# and the holder's request did reach the server before it died (else this tested nothing)
"${SERVERS_PYTHON}" -c 'import json, sys; sys.exit(0 if json.loads(sys.argv[1]).get("/nexus/oauth2/token") == 2 else 1)' \
    "$(control arrived)"

# 4. Everything the store holds, every key and value, has no secret, token, ticket, passCode or identity.
redis_cli --scan > "${SERVERS_DIR}/keys.txt"
test -s "${SERVERS_DIR}/keys.txt"
: > "${SERVERS_DIR}/store.txt"
while read -r key; do
    echo "${key}" >> "${SERVERS_DIR}/store.txt"
    redis_cli --no-raw get "${key}" >> "${SERVERS_DIR}/store.txt"
done < "${SERVERS_DIR}/keys.txt"
mapfile -t issued < <(issued_values)
assert_no_secrets "${SERVERS_DIR}/store.txt" c3ZjLWtleS10b2tlbnNtaXRoLWRlbW8tN2Y0MmQ5 'Qz+7%/:&= ~!s3cr3t' admin123 \
    "${TOKENSMITH_CACHE_KEY}" "${REDIS_PASSWORD}" "${ACL_PASSWORD}" tokensmith-app admin "${EMULATOR_URL}" nexla-api oauth2 nxrm \
    access_token nameCode pass_code "${issued[@]}"

# 5. The store stops mid-run: every play still succeeds, and each says so once.
redis_cli flushall > /dev/null
rm -rf "${SERVERS_DIR}/controllers"
pids=()
for n in $(seq "${K}"); do
    controller "stopped-${n}" -e only=nuvy -e "continue_when=${SERVERS_DIR}/store-stopped" & pids+=($!)
done
for _ in $(seq 400); do
    [ "$(grep -l 'Wait for the test to stop the store' "${SERVERS_DIR}"/controllers/*.log 2>/dev/null | wc -l)" -ge "${K}" ] && break
    sleep 0.1
done
stop_redis
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
assert_no_secrets "${SERVERS_DIR}/all.log" "${REDIS_PASSWORD}" "${ACL_PASSWORD}" "${TOKENSMITH_CACHE_KEY}" 'Qz+7%/:&= ~!s3cr3t'

echo "shared cache: all checks passed"
