#!/usr/bin/env bash
# A hostile or broken server (trickled answers, 50 MB pages, a gzip bomb, deep nesting, huge fields, absurd
# Retry-After) and a careless or malicious neighbour where credentials_file writes. Every answer ends in one clear
# line, no process of the run grows past the ceiling; no file is handed to the wrong user; no secret in the output.
# The resident set of every process of a run, and a run with forks for other users, are the point: a shell target.
set -eu
source ../setup_tokensmith/files/servers.sh
set -x

# The largest resident set of any process of the run: ansible-playbook, its workers (the lookup) and the modules.
CEILING_MB=300
"${SERVERS_PYTHON}" peak_rss.py "${CEILING_MB}" "${SERVERS_DIR}/answers.log" \
    ansible-playbook -i "${CONFIG_INVENTORY}" -e "out=${SERVERS_DIR}/out" answers.yml
no_secrets "${SERVERS_DIR}/answers.log"

[ "$(id -u)" = 0 ] || {
    echo 'files.yml needs root (it stands in for become): skipped'; exit 0; }
play -i files_inventory.ini -f 10 files.yml > "${SERVERS_DIR}/files.log" 2>&1 || { tail -n 60 "${SERVERS_DIR}/files.log"; exit 1; }
grep -q 'FILES PLAY RAN' "${SERVERS_DIR}/files.log"
no_secrets "${SERVERS_DIR}/files.log" Pass-Code-77 cm9vdDpyb290LXNlY3JldA== root-secret
