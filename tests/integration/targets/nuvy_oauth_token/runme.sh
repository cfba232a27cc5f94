#!/usr/bin/env bash
# nuvy_oauth_token against the project emulator and a real OAuth 2.0 server (oidc-provider), then the leak check.
set -eu
WANT_OIDC=1
source ../setup_servers/servers.sh
set -x


play emulator.yml
play oidc.yml

# Everything at -vvvv, into a file: no form of the secret anywhere, and none of the tokens the emulator issued.
play leak.yml -vvvv > "${SERVERS_DIR}/vvvv.log" 2>&1
grep -q 'LEAK CHECK RAN' "${SERVERS_DIR}/vvvv.log"
assert_no_secrets "${SERVERS_DIR}/vvvv.log" 'Qz+7%/:&= ~!s3cr3t' $(issued_values) \
    "tokensmith-app:Qz%2B7%25%2F%3A%26%3D+~%21s3cr3t"
