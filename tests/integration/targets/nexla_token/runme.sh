#!/usr/bin/env bash
# nexla_token against the project emulator: the whole session life cycle, a long play, and the leak check.
set -eu
source ../setup_servers/servers.sh
set -x


play lifecycle.yml
play long_play.yml
play lifecycle.yml -vvvv > "${SERVERS_DIR}/vvvv.log" 2>&1
# The key and the account's API keys; the sessions themselves are returned on purpose (tasks are no_log).
assert_no_secrets "${SERVERS_DIR}/vvvv.log" c3ZjLWtleS10b2tlbnNtaXRoLWRlbW8tN2Y0MmQ5 \
    nexla-user-api-key-5d1f0c8b9a nexla-org-api-key-e3b71a2c44 $(issued_values)
