# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The awx target's jobs, as AWX prepares and keeps them (test-only; never shipped):

    python job.py registered RECORD                  # the registration playbook handed AWX every shipped type as written
    python job.py prepare PDD CONFIG [NUVY_SECRET] [URL]    # a private data directory as AWX prepares one
    python job.py artifacts ARTIFACTS                # everything a job left, as AWX would keep it, to stdout

CONFIG is the integration configuration (the emulator's address, the test credentials and the variables that point
the demo at it). Environment: CACHE_DIR (the job's cache directory), RETRIES (the lookup's), VERBOSITY (AWX's
verbosity as ansible-playbook options).
"""

import json
import os
import sys

import yaml

from credential_types import build_safe_env, job_environment, shipped  # pylint: disable=import-error  # beside this file

# What the credentials give: left out of the extra vars (the job gets them from its environment only).
FED_BY_CREDENTIALS = ('nexla_service_key', 'nuvy_client_id', 'nuvy_client_secret', 'nexus_username', 'nexus_password',
                      'nexla_api_url', 'nuvy_token_url', 'nexus_url')


def registered(record):
    records = dict((entry['name'], entry) for entry in map(json.loads, open(record)))
    for name, definition in shipped().items():
        got = records.pop(definition['name'])
        for key in ('description', 'kind', 'inputs', 'injectors'):
            assert got[key] == definition[key], (name, key, got[key])
    assert not records, records
    print('registration playbook: every credential type handed over as written')


def prepare(pdd, config_path, nuvy_secret=None, url=None):
    """The project (the demo), an inventory, extra vars without a secret, and env/envvars from the credentials
    (Nexla, Nuvy, Nexus) rendered as AWX renders them."""
    with open(config_path) as handle:
        config = yaml.safe_load(handle)
    collection = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    url = url or config['emulator_url']
    nuvy_secret = nuvy_secret or config['test_nuvy_client_secret']
    for directory in ('project', 'inventory', 'env', 'home'):
        os.makedirs(os.path.join(pdd, directory), exist_ok=True)
    with open(os.path.join(collection, 'examples', 'demo.yml')) as source, \
            open(os.path.join(pdd, 'project', 'demo.yml'), 'w') as target:
        target.write(source.read())
    with open(os.path.join(pdd, 'inventory', 'hosts'), 'w') as hosts:
        hosts.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    types = shipped()
    inputs = {
        'nexla.yml': dict(service_key=config['test_nexla_service_key'], api_url=url + '/nexla-api'),
        'nuvy.yml': dict(client_id=config['test_nuvy_client_id'], client_secret=nuvy_secret,
                         token_url=url + '/nexus/oauth2/token'),
        'nexus.yml': dict(url=url + '/nxrm/3.70.1', username=config['test_nexus_username'],
                          password=config['test_nexus_password']),
    }
    envvars, credentials_env = {}, {}
    for name, values in inputs.items():
        env, stored, _args = job_environment(types[name], values, pdd)
        envvars.update(env)
        credentials_env.update(stored)
    with open(os.path.join(pdd, 'job_env.json'), 'w') as handle:  # the credentials' part of what AWX stores (job_env)
        json.dump(credentials_env, handle)
    envvars['HOME'] = os.path.join(pdd, 'home')  # a fresh job container's home
    # The demo's emulator settings, but what the credentials give (URLs and secrets) is left to them, and so are the
    # lookup's own variables for the same options; no test credential or other server either.
    fed = set(name.lower() for name in envvars) | set(FED_BY_CREDENTIALS)
    fed |= set('tokensmith_' + name for name in fed)
    extravars = dict((name, value) for name, value in config.items()
                     if name not in fed and not name.startswith(('test_', 'redis_', 'awx_')))
    extravars.update(emulator_url=url, demo_output_dir=os.path.join(pdd, 'out'),
                     tokensmith_cache_dir=os.environ.get('CACHE_DIR') or os.path.join(pdd, 'home', '.cache', 'tokensmith'),
                     tokensmith_retries=int(os.environ.get('RETRIES', 3)))
    with open(os.path.join(pdd, 'env', 'envvars'), 'w') as handle:
        json.dump(envvars, handle)
    with open(os.path.join(pdd, 'env', 'extravars'), 'w') as handle:
        json.dump(extravars, handle)
    with open(os.path.join(pdd, 'env', 'settings'), 'w') as handle:
        json.dump(dict(fact_cache_type='jsonfile'), handle)
    with open(os.path.join(pdd, 'env', 'cmdline'), 'w') as handle:
        handle.write(os.environ.get('VERBOSITY', ''))  # AWX's "3 (Debug)" is -vvv
    words = set(json.dumps(extravars).split('"'))
    assert not words & {config['test_nexus_password'], nuvy_secret}, 'a secret in the extra vars'


def artifacts(directory):
    """Everything a job left under artifacts/. ansible-runner's own record of how it started the job
    (artifacts/*/command) holds the job's input environment, env/envvars included, as every runner job's does; AWX
    keeps of it only the safe copy (job_env: the rest of the environment hidden by its variables' names, the
    credentials' own safe copy over it). So of that file, the argv and what AWX would keep; of every other artifact,
    all of it."""
    with open(os.path.join(os.path.dirname(os.path.abspath(directory)), 'job_env.json')) as handle:
        credentials_env = json.load(handle)
    for root, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            with open(path, encoding='utf-8', errors='replace') as handle:
                text = handle.read()
            if name == 'command':
                started = json.loads(text)
                job_env = build_safe_env(dict((name, value) for name, value in started['env'].items()
                                              if name not in credentials_env))
                job_env.update(credentials_env)
                text = json.dumps(dict(command=started['command'], cwd=started['cwd'], env=job_env))
            sys.stdout.write(text + '\n')


def main(argv):
    action, arguments = argv[0], argv[1:]
    {'registered': registered, 'prepare': prepare, 'artifacts': artifacts}[action](*arguments)


if __name__ == '__main__':
    main(sys.argv[1:])
