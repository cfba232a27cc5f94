#!/usr/bin/env bash
# The collection where its users run it: AWX / Automation Controller.
# 1. The registration playbook hands AWX's credential_type module every shipped type untouched (a stand-in
#    for awx.awx records it; the records must pass AWX's rules and equal the files).
# 2. The demo the way AWX runs a job: ansible-runner on a private data directory whose env/envvars are the
#    credential types' injectors rendered with sandboxed Jinja as AWX does - the only place the secrets are.
#    Every artifact of a good run and of failing ones holds no secret and no issued token, ticket or passCode.
# 3. A job container starts with an empty cache; a cache_dir on a persistent volume carries the tokens across jobs.
set -eu
source ../setup_servers/servers.sh
set -x

AWX_HELPERS="${COLLECTION}/tests/awx"
export TOKENSMITH_AWX_RECORD="${SERVERS_DIR}/credential_types.jsonl"
ANSIBLE_COLLECTIONS_PATH="$(pwd)/files:${ANSIBLE_COLLECTIONS_PATH}" ansible-playbook tokensmith.auth.awx_credential_types
"${SERVERS_PYTHON}" - "${COLLECTION}" "${TOKENSMITH_AWX_RECORD}" <<'PYTHON'
import json, sys
sys.path.insert(0, sys.argv[1] + '/tests/awx')
from credential_types import shipped
records = dict((record['name'], record) for record in map(json.loads, open(sys.argv[2])))
for name, definition in shipped().items():
    got = records.pop(definition['name'])
    for key in ('description', 'kind', 'inputs', 'injectors'):
        assert got[key] == definition[key], (name, key, got[key])
assert not records, records
print('registration playbook: every credential type handed over as written')
PYTHON

# A private data directory as AWX prepares one: the project, the inventory, extra vars without a secret, and
# env/envvars from the credentials (Nexla, Nuvy, Nexus) - the emulator's test values.
job() {  # job NAME [nuvy client secret] [emulator URL]
    local pdd="${SERVERS_DIR}/jobs/$1"
    mkdir -p "${pdd}/project" "${pdd}/inventory" "${pdd}/env"
    cp "${COLLECTION}/examples/demo.yml" "${pdd}/project/"
    printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' "${SERVERS_PYTHON}" > "${pdd}/inventory/hosts"
    "${SERVERS_PYTHON}" - "${COLLECTION}" "${pdd}" "${2:-Qz+7%/:&= ~!s3cr3t}" "${3:-${EMULATOR_URL}}" "${EMULATOR_CA}" \
        "${CACHE_DIR:-${pdd}/home/.cache/tokensmith}" <<'PYTHON'
import json, os, sys, yaml
collection, pdd, nuvy_secret, url, ca, cache_dir = sys.argv[1:7]
sys.path.insert(0, collection + '/tests/awx')
from credential_types import shipped, inject_env
types = shipped()
inputs = {
    'nexla.yml': dict(service_key='c3ZjLWtleS10b2tlbnNtaXRoLWRlbW8tN2Y0MmQ5', api_url=url + '/nexla-api'),
    'nuvy.yml': dict(client_id='tokensmith-app', client_secret=nuvy_secret, token_url=url + '/nexus/oauth2/token'),
    'nexus.yml': dict(url=url + '/nxrm/3.70.1', username='admin', password='admin123'),
}
envvars = {}
for name, values in inputs.items():
    envvars.update(inject_env(types[name], values)[0])
envvars['HOME'] = pdd + '/home'  # a fresh job container's home
# The demo's emulator settings, but what the credentials give (URLs and secrets) is left to them.
fed = set(name.lower() for name in envvars) | {'nexla_service_key', 'nuvy_client_id', 'nuvy_client_secret',
                                               'nexus_username', 'nexus_password', 'nexla_api_url', 'nuvy_token_url'}
fed |= set('tokensmith_' + name for name in fed)  # the lookup's own variables for the same options
extravars = dict((k, v) for k, v in yaml.safe_load(open(collection + '/examples/emulator.yml')).items() if k not in fed)
extravars.update(emulator_url=url, emulator_ca=ca, demo_output_dir=pdd + '/out', tokensmith_cache_dir=cache_dir,
                 tokensmith_retries=int(os.environ.get('RETRIES', 3)))
os.makedirs(pdd + '/home', exist_ok=True)
json.dump(envvars, open(pdd + '/env/envvars', 'w'))
json.dump(extravars, open(pdd + '/env/extravars', 'w'))
json.dump(dict(fact_cache_type='jsonfile'), open(pdd + '/env/settings', 'w'))
open(pdd + '/env/cmdline', 'w').write(os.environ.get('VERBOSITY', ''))  # AWX's "3 (Debug)" is -vvv
assert not set(json.dumps(extravars).split('"')) & {'admin123', nuvy_secret}, 'a secret in the extra vars'
PYTHON
    ansible-runner run "${pdd}" -p demo.yml --ident job > "${SERVERS_DIR}/jobs/$1.out" 2>&1
}

# Everything a job left under artifacts/: no secret, no token, ticket or passCode the emulator issued.
# ansible-runner's own record of how it started the job (artifacts/*/command) holds the job's input environment,
# env/envvars included, as every runner job's does; AWX keeps of it only the safe copy (job_env). So of that file
# the check reads the argv and what AWX would keep, and of every other artifact all of it.
check_artifacts() {
    "${SERVERS_PYTHON}" - "${COLLECTION}" "${SERVERS_DIR}/jobs/$1/artifacts" > "${SERVERS_DIR}/jobs/$1.artifacts" <<'PYTHON'
import json, os, sys
sys.path.insert(0, sys.argv[1] + '/tests/awx')
from credential_types import build_safe_env
for directory, _dirs, files in os.walk(sys.argv[2]):
    for name in files:
        path = os.path.join(directory, name)
        text = open(path, encoding='utf-8', errors='replace').read()
        if name == 'command':
            started = json.loads(text)
            text = json.dumps(dict(command=started['command'], cwd=started['cwd'], env=build_safe_env(started['env'])))
        sys.stdout.write(text + '\n')
PYTHON
    test -s "${SERVERS_DIR}/jobs/$1.artifacts"
    ls "${SERVERS_DIR}/jobs/$1/artifacts/job/job_events" | wc -l
    mapfile -t issued < <(issued_values)
    assert_no_secrets "${SERVERS_DIR}/jobs/$1.artifacts" c3ZjLWtleS10b2tlbnNtaXRoLWRlbW8tN2Y0MmQ5 'Qz+7%/:&= ~!s3cr3t' \
        admin123 wrong-Secret-99 nexla-user-api-key-5d1f0c8b9a nexla-org-api-key-e3b71a2c44 "${issued[@]}"
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
counts() {
    local each
    each="$(emulator counters nexla.token nexla.refresh nuvy.token nexus.token)"
    echo $(( ${each// /+} ))
}
before=$(counts)
CACHE_DIR="${SERVERS_DIR}/jobs/ok/home/.cache/tokensmith" job volume
after=$(counts)
echo "token requests of a job whose cache_dir is the first job's (a persistent volume): $(( after - before ))"
test $(( after - before )) -eq 0
