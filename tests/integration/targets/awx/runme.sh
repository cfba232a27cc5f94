#!/usr/bin/env bash
# The collection where its users run it: AWX / Automation Controller.
# 1. The registration playbook hands AWX's credential_type module every shipped type untouched (a stand-in
#    for awx.awx records it; the records must pass AWX's rules and equal the files).
# 2. The demo the way AWX runs a job: ansible-runner on a private data directory whose env/envvars are the
#    credential types' injectors rendered with sandboxed Jinja as AWX does - the only place the secrets are.
#    Every artifact of a good run and of failing ones holds no secret and no issued token, ticket or passCode.
# 3. A job container starts with an empty cache; a cache_dir on a persistent volume carries the tokens across jobs.
set -eu
source ../setup_tokensmith/files/servers.sh
set -x

AWX_HELPERS="${COLLECTION}/tests/awx"
export TOKENSMITH_AWX_RECORD="${SERVERS_DIR}/credential_types.jsonl"
ANSIBLE_COLLECTIONS_PATH="$(pwd)/files:${ANSIBLE_COLLECTIONS_PATH}" ansible-playbook tokensmith.auth.awx_credential_types
"${SERVERS_PYTHON}" "${AWX_HELPERS}/job.py" registered "${TOKENSMITH_AWX_RECORD}"

# job NAME [nuvy client secret] [emulator URL]: a private data directory as AWX prepares one (the project, the
# inventory, extra vars without a secret, env/envvars from the credentials), run as AWX runs a job.
job() {
    local pdd="${SERVERS_DIR}/jobs/$1"
    "${SERVERS_PYTHON}" "${AWX_HELPERS}/job.py" prepare "${pdd}" "${INTEGRATION_CONFIG}" "${2:-}" "${3:-}"
    ansible-runner run "${pdd}" -p demo.yml --ident job > "${SERVERS_DIR}/jobs/$1.out" 2>&1
}

# Everything a job left under artifacts/, as AWX keeps it: no secret, no token, ticket or passCode.
check_artifacts() {
    "${SERVERS_PYTHON}" "${AWX_HELPERS}/job.py" artifacts "${SERVERS_DIR}/jobs/$1/artifacts" > "${SERVERS_DIR}/jobs/$1.artifacts"
    test -s "${SERVERS_DIR}/jobs/$1.artifacts"
    ls "${SERVERS_DIR}/jobs/$1/artifacts/job/job_events" | wc -l
    no_secrets "${SERVERS_DIR}/jobs/$1.artifacts" wrong-Secret-99
}

VERBOSITY=-vvvv job ok || { tail -n 40 "${SERVERS_DIR}/jobs/ok.out" "${SERVERS_DIR}/jobs/ok/artifacts/job/stdout"; exit 1; }
grep -q successful "${SERVERS_DIR}/jobs/ok/artifacts/job/status"
grep -q 'repository answered 200' "${SERVERS_DIR}/jobs/ok/artifacts/job/stdout"
check_artifacts ok

if job wrong-secret wrong-Secret-99; then exit 1; fi
grep -q failed "${SERVERS_DIR}/jobs/wrong-secret/artifacts/job/status"
grep -q 'invalid_client' "${SERVERS_DIR}/jobs/wrong-secret/artifacts/job/stdout"
check_artifacts wrong-secret

if RETRIES=0 job server-down '' https://127.0.0.1:9; then exit 1; fi
grep -q failed "${SERVERS_DIR}/jobs/server-down/artifacts/job/status"
check_artifacts server-down

# 3. Token requests per job: a job container starts with an empty cache (the good job above: one per credential);
#    a cache_dir on a persistent volume carries the tokens to the next job. make bench has the figures over more jobs.
emulator reset_counters > /dev/null
CACHE_DIR="${SERVERS_DIR}/jobs/ok/home/.cache/tokensmith" job volume
emulator expect '{"nexla.token": 0, "nexla.refresh": 0, "nuvy.token": 0, "nexus.token": 0}'
