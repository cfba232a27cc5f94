#!/usr/bin/env bash
# The token lookup at fleet scale, where forks and consecutive runs are the point: 100 local hosts, forks 20, each
# provider's lookup referenced three times per host. Exactly one token request per provider, none on a second run,
# one again at the end of the lifetime; the cache on disk holds nothing in clear.
set -eu
source ../setup_tokensmith/files/servers.sh
set -x

fleet_inventory 100

fleet() {
    play -i "${SERVERS_DIR}/fleet.ini" -f 20 -e "cache_dir=${SERVERS_DIR}/cache" "$@"
}

fleet setup.yml
fleet fleet.yml -e '{"expected": {"nuvy.token": 1, "nexla.token": 1, "nexla.refresh": 0, "nexus.token": 1}}'
fleet fleet.yml -e '{"expected": {"nuvy.token": 0, "nexla.token": 0, "nexla.refresh": 0, "nexus.token": 0}}'
# Every cached token as if at its end: a min_ttl beyond their lifetime, instead of waiting for it. One request
# each; the Nexla session is refreshed, not re-issued; and what comes back (no longer than before) is held, not
# asked for again by every host.
fleet fleet.yml -e tokensmith_min_ttl=100000 \
    -e '{"expected": {"nuvy.token": 1, "nexla.token": 0, "nexla.refresh": 1, "nexus.token": 1}}'

# The cache on disk: a 0700 directory of 0600 files, a key and one entry per provider, nothing in clear (no test
# secret, no issued token, ticket or passCode, no field name).
cache="${SERVERS_DIR}/cache"
[ "$(stat -c %a "${cache}")" = 700 ]
[ -f "${cache}/key" ] && [ "$(find "${cache}" -name '*.bin' | wc -l)" -eq 3 ]
for file in "${cache}"/*; do
    [ "$(stat -c %a "${file}")" = 600 ] || { echo "${file} is not 0600" >&2; exit 1; }
    no_secrets "${file}" Bearer access_token nameCode pass_code
done
