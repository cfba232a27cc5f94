#!/usr/bin/env bash
# The module targets' tasks at -vvvv, each run into its own file: no form of any secret in it, and none of the
# tokens, tickets and passCodes the emulator issued during that run. The whole output of a process is the point,
# so this is a shell target; the tasks themselves live in the module targets (tasks/*.yml).
set -eu
source ../setup_servers/servers.sh
set -x
export ANSIBLE_ROLES_PATH=..  # the targets, as ansible-test sets it for role targets

# at_vvvv TARGET TASKS_FILE [ansible-playbook arguments]: the log is ${SERVERS_DIR}/TARGET.log
at_vvvv() {
    emulator reset > /dev/null
    play tasks_at_vvvv.yml -e "leak_target=$1" -e "leak_tasks=$2" "${@:3}" -vvvv > "${SERVERS_DIR}/$1.log" 2>&1 \
        || { tail -n 60 "${SERVERS_DIR}/$1.log"; exit 1; }
    grep -q "$1 RAN" "${SERVERS_DIR}/$1.log"
}

# The key and the account's API keys; the sessions themselves are returned on purpose (tasks are no_log).
at_vvvv nexla_token lifecycle.yml
assert_no_secrets "${SERVERS_DIR}/nexla_token.log" c3ZjLWtleS10b2tlbnNtaXRoLWRlbW8tN2Y0MmQ5 \
    nexla-user-api-key-5d1f0c8b9a nexla-org-api-key-e3b71a2c44 $(issued_values)

# The password, and every ticket and passCode the emulator handed out (one generation: they all share the code).
at_vvvv nexus_user_token generations.yml -e '{"instances": [{"path": "3.70.1", "generation": "3.24"}]}'
mapfile -t issued < <(issued_values)
assert_no_secrets "${SERVERS_DIR}/nexus_user_token.log" admin123 "${issued[@]}"

# Everything a user might run, failing and warning tasks without no_log too: no form of the client secret.
at_vvvv nuvy_oauth_token leak.yml
grep -q 'LEAK CHECK RAN' "${SERVERS_DIR}/nuvy_oauth_token.log"
assert_no_secrets "${SERVERS_DIR}/nuvy_oauth_token.log" 'Qz+7%/:&= ~!s3cr3t' $(issued_values) \
    "tokensmith-app:Qz%2B7%25%2F%3A%26%3D+~%21s3cr3t"
