#!/usr/bin/env bash
# nexus_user_token against the emulator in each API generation, the error cases, and the leak check.
set -eu
source ../setup_servers/servers.sh
set -x


play generations.yml
play errors.yml
play generations.yml -e '{"instances": [{"path": "3.70.1", "generation": "3.24"}]}' -vvvv > "${SERVERS_DIR}/vvvv.log" 2>&1
# The password, and every ticket and passCode the emulator handed out.
mapfile -t issued < <(issued_values)
assert_no_secrets "${SERVERS_DIR}/vvvv.log" admin123 "${issued[@]}"
