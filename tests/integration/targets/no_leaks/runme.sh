#!/usr/bin/env bash
# The whole output of a process at -vvvv (and Ansible's log file) is the point, so this is a shell target: the module
# targets' tasks, each run into its own file, and a careless user's play (every task failing without no_log) with a
# log file. No form of any test secret, nor any token, ticket or passCode the emulator issued during the run, in any.
set -eu
source ../setup_tokensmith/files/servers.sh
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
no_secrets "${SERVERS_DIR}/nexla_token.log"

# The password, and every ticket and passCode the emulator handed out (one generation: they all share the code).
at_vvvv nexus_user_token generations.yml -e '{"instances": [{"path": "3.70.1", "generation": "3.24"}]}'
no_secrets "${SERVERS_DIR}/nexus_user_token.log"

# Everything a user might run, failing and warning tasks without no_log too: no form of the client secret, nor of
# the Basic credentials it travels in (leaks.py knows those forms).
at_vvvv nuvy_oauth_token leak.yml
grep -q 'LEAK CHECK RAN' "${SERVERS_DIR}/nuvy_oauth_token.log"
no_secrets "${SERVERS_DIR}/nuvy_oauth_token.log"

# A careless user: every bad input refused clearly, before any request, in stdout and in the log file alike.
ANSIBLE_LOG_PATH="${SERVERS_DIR}/ansible.log" play careless.yml -vvvv > "${SERVERS_DIR}/careless.log" 2>&1 \
    || { tail -n 60 "${SERVERS_DIR}/careless.log"; exit 1; }
grep -q 'CARELESS PLAY RAN' "${SERVERS_DIR}/careless.log"
for output in careless.log ansible.log; do
    no_secrets "${SERVERS_DIR}/${output}" Url-Pa55word-9 'deployer:Url-Pa55word-9' List-Secret-42
done
