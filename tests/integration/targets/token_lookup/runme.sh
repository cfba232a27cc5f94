#!/usr/bin/env bash
# The token lookup at fleet scale: 100 local hosts, forks 20, each provider's lookup referenced three times
# per host. Exactly one token request per provider, none on a second run, one again at the end of the lifetime.
set -eu
source ../setup_servers/servers.sh
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

# The cache on disk: 0700 directory, 0600 files, no token or secret in clear.
"${SERVERS_PYTHON}" - "${SERVERS_DIR}/cache" <<'PYTHON'
import os, stat, sys
directory = sys.argv[1]
assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700, oct(os.stat(directory).st_mode)
names = os.listdir(directory)
assert len([n for n in names if n.endswith('.bin')]) == 3, names
assert 'key' in names, names
for name in names:
    path = os.path.join(directory, name)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, (name, oct(os.stat(path).st_mode))
    blob = open(path, 'rb').read()
    for clear in (b'admin123', b'Qz+7', b'c3ZjLWtleS10', b'Bearer', b'access_token', b'nameCode', b'pass_code'):
        assert clear not in blob, (name, clear)
print('cache: %d files, all 0600 in a 0700 directory, nothing in clear' % len(names))
PYTHON
