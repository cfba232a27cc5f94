#!/usr/bin/env bash
# The modules on managed nodes over real SSH (Debian's OpenSSH server on 127.0.0.1, a login user that is not
# root, sudo for become), on target Pythons 3.8 and the newest here, one without requests; pipelining off and
# on; check mode; -vvvv, the log file and the targets' temporary directories grepped for every secret.
# tests/harness/nodes.py prepares the users and Pythons (as root only); this script starts and stops sshd, whose
# processes and log files are the point of a shell target.
set -eu
source ../setup_tokensmith/files/servers.sh

NODES="${TOKENSMITH_ROOT}/nodes"
OPENSSH="${TOKENSMITH_ROOT}/debs/openssh"
LOGIN_USER=tokensmith-node
if [ ! -s "${NODES}/become_password" ]; then
    echo 'managed_nodes: needs root (tests/harness/nodes.py adds the target users, as CI does): skipped'
    exit 0
fi
set -x

# sshd: its own config, host key and port; the client key and known_hosts on the controller's side only.
SSH_DIR="$(mktemp -d /tmp/tokensmith-sshd.XXXXXX)"  # readable by the login user: sshd reads its keys as that user
chmod 755 "${SSH_DIR}"
# The modules' temporary files, for the login user and under become alike, where this script can read them.
NODE_TMP="$(mktemp -d /tmp/tokensmith-node-tmp.XXXXXX)"
chown "${LOGIN_USER}:" "${NODE_TMP}"
SSHD_PID=""
stop_sshd() {
    if [ -n "${SSHD_PID}" ]; then
        kill "${SSHD_PID}" 2>/dev/null || true
        wait "${SSHD_PID}" 2>/dev/null || true
    fi
    rm -rf "${SSH_DIR}" "${NODE_TMP}"
    stop_servers
}
trap stop_sshd EXIT
ssh-keygen -q -t ed25519 -N '' -C sshd -f "${SSH_DIR}/host_key"
ssh-keygen -q -t ed25519 -N '' -C controller -f "${SERVERS_DIR}/client_key"
cp "${SERVERS_DIR}/client_key.pub" "${SSH_DIR}/authorized_keys"
chmod 644 "${SSH_DIR}/authorized_keys"
SSH_PORT="$(free_ports 1)"
cat > "${SSH_DIR}/sshd_config" <<CONFIG
ListenAddress 127.0.0.1:${SSH_PORT}
HostKey ${SSH_DIR}/host_key
PidFile none
AuthorizedKeysFile ${SSH_DIR}/authorized_keys
AllowUsers ${LOGIN_USER}
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxSessions 50
MaxStartups 50
Subsystem sftp ${OPENSSH}/usr/lib/openssh/sftp-server
CONFIG
echo "[127.0.0.1]:${SSH_PORT} $(cat "${SSH_DIR}/host_key.pub")" > "${SERVERS_DIR}/known_hosts"
mkdir -p /run/sshd && chmod 755 /run/sshd  # the privilege separation directory, built into sshd
env LD_LIBRARY_PATH="${OPENSSH}/usr/lib/x86_64-linux-gnu:${OPENSSH}/usr/lib/aarch64-linux-gnu" \
    "${OPENSSH}/usr/sbin/sshd" -D -e -f "${SSH_DIR}/sshd_config" > "${SERVERS_DIR}/sshd.log" 2>&1 &
SSHD_PID=$!
for _ in $(seq 100); do
    grep -q 'Server listening' "${SERVERS_DIR}/sshd.log" && break
    sleep 0.05
done
grep -q 'Server listening' "${SERVERS_DIR}/sshd.log" || { cat "${SERVERS_DIR}/sshd.log"; exit 1; }

BECOME_PASSWORD="$(cat "${NODES}/become_password")"
cat > "${SERVERS_DIR}/nodes.ini" <<INVENTORY
[nodes]
node38 ansible_python_interpreter=${NODES}/bin/py38
newest ansible_python_interpreter=${NODES}/bin/newest

[bare]
node38_bare ansible_python_interpreter=${NODES}/bin/py38_bare

[all:vars]
ansible_connection=ssh
ansible_host=127.0.0.1
ansible_port=${SSH_PORT}
ansible_user=${LOGIN_USER}
ansible_ssh_private_key_file=${SERVERS_DIR}/client_key
ansible_remote_tmp=${NODE_TMP}
ansible_ssh_common_args='-o UserKnownHostsFile=${SERVERS_DIR}/known_hosts -o StrictHostKeyChecking=yes'
INVENTORY
# The become password reaches Ansible as a variable from a file, as a vault would hand it over.
printf 'ansible_become_password: "%s"\n' "${BECOME_PASSWORD}" > "${SERVERS_DIR}/become.yml"

nodes_play() {
    play -i "${SERVERS_DIR}/nodes.ini" -e "@${SERVERS_DIR}/become.yml" "$@"
}
# Every secret (the become password too), every token the emulator handed out, nowhere in the file (and the run
# really ran).
assert_clean() {  # assert_clean LOG MARKER
    grep -q "$2" "$1" || { tail -n 80 "$1"; exit 1; }
    no_secrets "$1" "${BECOME_PASSWORD}"
}

# Pipelining off (modules copied over sftp into the temporary directory) and on (modules on stdin); check mode
# once plainly and once with --diff.
for run in 'False' 'True --diff'; do
    read -r pipelining diff <<< "${run}"
    export ANSIBLE_PIPELINING="${pipelining}" ANSIBLE_LOG_PATH="${SERVERS_DIR}/ansible-${pipelining}.log"
    nodes_play -vvvv nodes.yml > "${SERVERS_DIR}/nodes-${pipelining}.log" 2>&1 || { tail -n 80 "${SERVERS_DIR}/nodes-${pipelining}.log"; exit 1; }
    assert_clean "${SERVERS_DIR}/nodes-${pipelining}.log" 'MANAGED NODES RAN'
    assert_clean "${ANSIBLE_LOG_PATH}" 'MANAGED NODES RAN'
    nodes_play -vvvv --check ${diff} check.yml > "${SERVERS_DIR}/check-${pipelining}.log" 2>&1 \
        || { tail -n 80 "${SERVERS_DIR}/check-${pipelining}.log"; exit 1; }
    assert_clean "${SERVERS_DIR}/check-${pipelining}.log" 'CHECK MODE ON NODES RAN'
done
unset ANSIBLE_LOG_PATH

# What the runs left where modules ran (Ansible removes its own files; nothing there may hold a secret).
find "/home/${LOGIN_USER}" "${NODE_TMP}" -type f -size -2M -print0 | xargs -0 -r cat > "${SERVERS_DIR}/left-on-targets.txt"
echo 'MANAGED NODES RAN' >> "${SERVERS_DIR}/left-on-targets.txt"
assert_clean "${SERVERS_DIR}/left-on-targets.txt" 'MANAGED NODES RAN'
