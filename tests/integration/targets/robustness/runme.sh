#!/usr/bin/env bash
# Providers as they really behave (retired Nexla refresh, raw-Basic OAuth, expired NXRM 3 tokens), and a careless
# user at -vvvv with a log file: every bad input refused clearly, no secret in any form in the output or the log.
set -eu
source ../setup_servers/servers.sh
set -x

play providers.yml
ANSIBLE_LOG_PATH="${SERVERS_DIR}/ansible.log" play careless.yml -vvvv > "${SERVERS_DIR}/vvvv.log" 2>&1 \
    || { tail -n 60 "${SERVERS_DIR}/vvvv.log"; exit 1; }
grep -q 'CARELESS PLAY RAN' "${SERVERS_DIR}/vvvv.log"
secrets=(c3ZjLWtleS10b2tlbnNtaXRoLWRlbW8tN2Y0MmQ5 'c3ZjLWtleS10b2tlbnNtaXRoLWRlbW8tN2Y0MmQ5\n' 'Qz+7%/:&= ~!s3cr3t'
         Url-Pa55word-9 'deployer:Url-Pa55word-9' List-Secret-42)
for output in vvvv.log ansible.log; do
    assert_no_secrets "${SERVERS_DIR}/${output}" "${secrets[@]}"
done
