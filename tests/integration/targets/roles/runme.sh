#!/usr/bin/env bash
# The roles: build-tool files merged idempotently, a 401 mid-play recovered, nothing in a persistent fact
# cache, and the whole demo at -vvvv grepped for every secret and every token the emulator handed out.
set -eu
source ../setup_servers/servers.sh
set -x

export ANSIBLE_CACHE_PLUGIN=jsonfile ANSIBLE_CACHE_PLUGIN_CONNECTION="${SERVERS_DIR}/facts"
export DEMO_DIR="${SERVERS_DIR}/demo"
export EMULATOR_URL EMULATOR_CA


mkdir -p "${SERVERS_DIR}/out"
play writers.yml -e first_run=true
play writers.yml -e first_run=false | tee "${SERVERS_DIR}/second.log"
grep -E 'localhost +: ok=[0-9]+ +changed=0 ' "${SERVERS_DIR}/second.log"

play request_401.yml

# Check mode (and diff mode with it): every module and role, every NXRM generation, nothing changed anywhere.
play check_mode.yml --check --diff > "${SERVERS_DIR}/check.log" 2>&1 || { tail -n 80 "${SERVERS_DIR}/check.log"; exit 1; }
grep -q 'CHECK MODE RAN' "${SERVERS_DIR}/check.log"

# Runs of a play with the three roles: through the cache, one token request per provider in all (4 runs here;
# make bench counts 10); with the module (role_cache=false), one per run.
counters() {
    emulator counters nexla.token nuvy.token nexus.ticket
}
for runs in "true 4" "false 2"; do
    read -r use_cache count <<< "${runs}"
    before=$(counters)
    for _ in $(seq "${count}"); do play runs.yml -e "use_cache=${use_cache}" > "${SERVERS_DIR}/runs.log" 2>&1 || { tail -n 40 "${SERVERS_DIR}/runs.log"; exit 1; }; done
    after=$(counters)
    "${SERVERS_PYTHON}" - "${use_cache}" "${count}" "${before}" "${after}" <<'PYTHON'
import sys
use_cache, runs, before, after = sys.argv[1] == 'true', int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
made = [int(a) - int(b) for a, b in zip(after, before)]
print('%d runs, cache %s: nexla logins, nuvy tokens, nexus tickets: %s' % (runs, use_cache, made))
assert made[:2] == [1 if use_cache else runs] * 2, made
assert made[2] <= (2 if use_cache else 2 * runs), made  # a user token that already exists: a ticket to read it
PYTHON
done

# The whole demo, -vvvv, everything captured.
COLLECTION_EXAMPLES="${COLLECTION}/examples"
play -e "@${COLLECTION_EXAMPLES}/emulator.yml" "${COLLECTION_EXAMPLES}/demo.yml" -vvvv > "${SERVERS_DIR}/demo.log" 2>&1
grep -q 'repository answered 200' "${SERVERS_DIR}/demo.log"
mapfile -t issued < <(issued_values)
secrets=(c3ZjLWtleS10b2tlbnNtaXRoLWRlbW8tN2Y0MmQ5 'Qz+7%/:&= ~!s3cr3t' admin123
         nexla-user-api-key-5d1f0c8b9a nexla-org-api-key-e3b71a2c44 "${issued[@]}")
echo "checking ${#secrets[@]} values (${#issued[@]} issued by the emulator)"
assert_no_secrets "${SERVERS_DIR}/demo.log" "${secrets[@]}"
# The persistent fact cache never saw a token either.
cat "${SERVERS_DIR}"/facts/* > "${SERVERS_DIR}/facts.txt" 2>/dev/null || true
assert_no_secrets "${SERVERS_DIR}/facts.txt" "${secrets[@]}"

# Control: the same cache does store what a module returns as ansible_facts, and the same check finds it.
play fact_cache_control.yml
issued_values | tail -n 1 > "${SERVERS_DIR}/control_token.txt"
cat "${SERVERS_DIR}"/facts/* > "${SERVERS_DIR}/facts.txt"
if assert_no_secrets "${SERVERS_DIR}/facts.txt" "$(cat "${SERVERS_DIR}/control_token.txt")"; then
    echo "control failed: a module fact should have reached the jsonfile cache and been found" >&2
    exit 1
fi
echo "control: a module-registered token is found in the jsonfile cache; the roles' tokens never were"
