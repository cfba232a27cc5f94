#!/usr/bin/env bash
# The roles where a process is the point: build-tool files merged idempotently over two runs, check mode as a user
# runs it (--check --diff), consecutive runs through the cache, a fleet's argument checks counted in the output,
# nothing in a persistent fact cache (a process's configuration), and the whole demo at -vvvv grepped for every
# secret and every token the emulator handed out.
# (The 401 recovered mid-play is a role target, request_renewal.)
set -eu
source ../setup_tokensmith/files/servers.sh
set -x

export ANSIBLE_CACHE_PLUGIN=jsonfile ANSIBLE_CACHE_PLUGIN_CONNECTION="${SERVERS_DIR}/facts"
export DEMO_DIR="${SERVERS_DIR}/demo"

mkdir -p "${SERVERS_DIR}/out"
play writers.yml -e first_run=true
play writers.yml -e first_run=false | tee "${SERVERS_DIR}/second.log"
grep -E 'localhost +: ok=[0-9]+ +changed=0 ' "${SERVERS_DIR}/second.log"

# Check mode (and diff mode with it): every module and role, every NXRM generation, nothing changed anywhere.
play check_mode.yml --check --diff > "${SERVERS_DIR}/check.log" 2>&1 || { tail -n 80 "${SERVERS_DIR}/check.log"; exit 1; }
grep -q 'CHECK MODE RAN' "${SERVERS_DIR}/check.log"

# Runs of a play with the three roles: through the cache, one token request per provider in all (4 runs here;
# make bench counts 10); with the module (role_cache=false), one per run. A user token that already exists: a
# ticket to read it, so at most 2 tickets per run.
for runs in "true 4 1 2" "false 2 2 4"; do
    read -r use_cache count per_provider tickets <<< "${runs}"
    emulator reset_counters > /dev/null
    for _ in $(seq "${count}"); do
        play runs.yml -e "use_cache=${use_cache}" > "${SERVERS_DIR}/runs.log" 2>&1 || { tail -n 40 "${SERVERS_DIR}/runs.log"; exit 1; }
    done
    emulator expect "{\"nexla.token\": ${per_provider}, \"nuvy.token\": ${per_provider}, \"<=nexus.ticket\": ${tickets}}"
done

# The nexla and nuvy roles with run_once, as the guide shows them for a large fleet, over 20 hosts: the facts on
# every host (fleet.yml), one token request per provider, and Ansible's argument check once per role and play - the
# result lines under its task, which without run_once come once per host. A wrong value is refused by that one check,
# for one host, before any request.
fleet_inventory 20
fleet_checks() {
    awk '/^TASK \[/ { check = /Validating arguments against arg spec/ }
         check && /^(ok|fatal|skipping|failed): \[/ { n++ }
         END { print n + 0 }' "$1"
}
emulator reset_counters > /dev/null
play -i "${SERVERS_DIR}/fleet.ini" -f 20 fleet.yml > "${SERVERS_DIR}/fleet.log" 2>&1 \
    || { tail -n 40 "${SERVERS_DIR}/fleet.log"; exit 1; }
emulator expect '{"nexla.token": 1, "nuvy.token": 1}'
[ "$(fleet_checks "${SERVERS_DIR}/fleet.log")" -eq 4 ]  # 2 roles x 2 plays
emulator reset_counters > /dev/null
if play -i "${SERVERS_DIR}/fleet.ini" -f 20 fleet.yml -e nuvy_min_ttl=soon \
        -e tokensmith_cache_dir="${SERVERS_DIR}/cold" > "${SERVERS_DIR}/fleet-wrong.log" 2>&1; then
    echo "a wrong nuvy_min_ttl was accepted" >&2; exit 1
fi
[ "$(fleet_checks "${SERVERS_DIR}/fleet-wrong.log")" -eq 2 ]  # nexla's passed, nuvy's refused, once each
[ "$(grep -c '^fatal: ' "${SERVERS_DIR}/fleet-wrong.log")" -eq 1 ]
grep '^fatal: ' "${SERVERS_DIR}/fleet-wrong.log" | grep -q "Validation of arguments failed:.*nuvy_min_ttl"
emulator expect '{"nexla.token": 1, "nuvy.token": 0}'  # nexla's, from a cold cache; none for nuvy

# The whole demo, -vvvv, everything captured (examples/emulator.yml's variables are in the configuration).
play "${COLLECTION}/examples/demo.yml" -e "tokensmith_cache_dir=${DEMO_DIR}/cache" -vvvv > "${SERVERS_DIR}/demo.log" 2>&1
grep -q 'repository answered 200' "${SERVERS_DIR}/demo.log"
no_secrets "${SERVERS_DIR}/demo.log"
# The persistent fact cache never saw a token either.
cat "${SERVERS_DIR}"/facts/* > "${SERVERS_DIR}/facts.txt" 2>/dev/null || true
no_secrets "${SERVERS_DIR}/facts.txt"

# Control: the same cache does store what a module returns as ansible_facts, and the same check finds it.
play fact_cache_control.yml
cat "${SERVERS_DIR}"/facts/* > "${SERVERS_DIR}/facts.txt"
if no_secrets "${SERVERS_DIR}/facts.txt"; then
    echo "control failed: a module fact should have reached the jsonfile cache and been found" >&2
    exit 1
fi
echo "control: a module-registered token is found in the jsonfile cache; the roles' tokens never were"
