# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every YAML example users read, as a playbook per document, pointed at the emulator:

    python examples.py build COLLECTION CONFIG OUT_DIR   # OUT_DIR/<document>.yml, OUT_DIR/hosts, OUT_DIR/env.sh,
                                                         # OUT_DIR/vault.json; prints the count per document

The documents: README.md, docs/docsite/rst/*.rst, each role's README.md, each module's and the lookup's EXAMPLES
(roles' meta/argument_specs.yml may hold no example: one there is an error, as nothing would run it). An example is a
top-level item of a YAML block - a play, or a task (a block's tasks make one play on localhost, in order, so they may
build on each other as a reader would run them).

The one documented way examples meet the emulator (CONFIG: the integration configuration):

- the provider URLs and CA paths the docs use are replaced in the text by the emulator's (SUBSTITUTIONS);
- the identities the docs use (``my-app-client``, ``deployer``) by the test credentials' (IDENTITIES);
- the variables the docs read secrets from (``vault_nexla_service_key``...) are given as extra vars (vault.json), and
  the environment variables they rely on (``NUVY_CLIENT_ID``...) are set (env.sh), with ``TOKENSMITH_CA_PATH`` and
  ``SSL_CERT_FILE`` naming the emulator's CA and ``HOME`` a scratch directory;
- an example that cannot run says why, in a comment line right above it: ``# not run by the example tests: REASON``.
  A marker without a reason is an error.
"""

import ast
import glob
import json
import os
import re
import shlex
import sys

import yaml

MARKER = '# not run by the example tests:'
DOCS_NEXUS = 'https://nexus.example.com'


def substitutions(config):
    url = config['emulator_url']
    return [
        ('https://dataops.nexla.io/nexla-api', url + '/nexla-api'),
        ('https://nexla.internal.example.com/nexla-api', url + '/nexla-api'),
        ('https://prd.api.nuvy.ai', url),
        ('https://qa.api.nuvy.ai', url),
        ('https://auth.example.com', url),
        (DOCS_NEXUS, url + '/nxrm/3.70.1'),
        ('https://repo.example.com/nexus', url + '/nxrm/2.14.5/nexus'),
        ('/etc/pki/corp-ca.pem', config['emulator_ca']),
        ('/etc/pki/internal-ca.pem', config['emulator_ca']),
    ]


def identities(config):
    return [(re.compile(r'\bmy-app-client\b'), config['test_nuvy_client_id']),
            (re.compile(r'\bdeployer\b'), config['test_nexus_username'])]


def vault(config):
    return dict(vault_nexla_service_key=config['test_nexla_service_key'],
                vault_nuvy_client_secret=config['test_nuvy_client_secret'],
                vault_nexus_password=config['test_nexus_password'],
                vault_nexus_admin_password=config['test_nexus_password'])


def environment(config, home):
    url = config['emulator_url']
    return dict(NEXLA_SERVICE_KEY=config['test_nexla_service_key'], NEXLA_API_URL=url + '/nexla-api',
                NUVY_CLIENT_ID=config['test_nuvy_client_id'], NUVY_CLIENT_SECRET=config['test_nuvy_client_secret'],
                NUVY_TOKEN_URL=url + '/nexus/oauth2/token', NEXUS_URL=url + '/nxrm/3.70.1',
                NEXUS_USERNAME=config['test_nexus_username'], NEXUS_PASSWORD=config['test_nexus_password'],
                TOKENSMITH_CA_PATH=config['emulator_ca'], SSL_CERT_FILE=config['emulator_ca'], HOME=home)


# The hosts the examples' plays name, each the controller itself.
GROUPS = ('pipelines', 'build_agents', 'app')


def markdown_blocks(text):
    return re.findall(r'^```yaml\n(.*?)^```', text, re.S | re.M)


def rst_blocks(text):
    blocks = []
    for match in re.finditer(r'^( *)\.\. code-block:: yaml\n\n((?:\1   .*\n|\n)+)', text, re.M):
        indent = len(match.group(1)) + 3
        blocks.append('\n'.join(line[indent:] for line in match.group(2).split('\n')))
    return blocks


def python_examples(path):
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and [target.id for target in node.targets] == ['EXAMPLES']:
            return [node.value.value]
    return []


def documents(collection):
    """(name, [YAML block]) for every document users read, in a stable order."""
    found = []
    for path in ['README.md'] + sorted(glob.glob(os.path.join(collection, 'roles', '*', 'README.md'))):
        path = os.path.relpath(os.path.join(collection, path), collection)
        with open(os.path.join(collection, path)) as handle:
            found.append((path, markdown_blocks(handle.read())))
    for path in sorted(glob.glob(os.path.join(collection, 'docs', 'docsite', 'rst', '*.rst'))):
        with open(path) as handle:
            found.append((os.path.relpath(path, collection), rst_blocks(handle.read())))
    for pattern in ('plugins/modules/*.py', 'plugins/lookup/*.py'):
        for path in sorted(glob.glob(os.path.join(collection, pattern))):
            found.append((os.path.relpath(path, collection), python_examples(path)))
    return found


def items(block):
    """The block's top-level items as (text, reason): reason is None for one to run, else the marker's reason."""
    result, current, comments = [], None, []
    for line in block.split('\n'):
        if line.startswith('- '):
            if current is not None:
                result.append(current)
            reason = None
            for comment in comments:
                if comment.startswith(MARKER):
                    reason = comment[len(MARKER):].strip()
                    if not reason:
                        raise SystemExit('an example marked "%s" says no reason' % MARKER)
            current, comments = [line, reason], []
        elif line.startswith('#'):
            comments.append(line)
        elif current is not None:
            current[0] += '\n' + line
        elif line.strip():
            raise SystemExit('a YAML example that is not a list of plays or tasks (mark it: %s REASON):\n%s'
                             % (MARKER, block[:300]))
    if current is not None:
        result.append(current)
    return [tuple(item) for item in result]


def adapt(text, config):
    for old, new in substitutions(config):
        text = text.replace(old, new)
    for pattern, new in identities(config):
        text = pattern.sub(new, text)
    return text


def plays(name, blocks, config):
    """The playbook of one document, and (run, not run with their reasons)."""
    playbook, run, skipped = [], 0, []
    for index, block in enumerate(blocks, 1):
        tasks = []
        for text, reason in items(block):
            if reason:
                skipped.append(reason)
                continue
            item = yaml.safe_load(adapt(text, config))[0]
            run += 1
            if 'hosts' in item:
                playbook.append(item)
            else:
                tasks.append(item)
        if tasks:
            playbook.append(dict(name='%s, example block %d' % (name, index), hosts='localhost', gather_facts=False,
                                 tasks=tasks))
    return playbook, run, skipped


def argument_specs_examples(collection):
    """An example written in a role's argument_specs would never be run: refuse it."""
    for path in sorted(glob.glob(os.path.join(collection, 'roles', '*', 'meta', 'argument_specs.yml'))):
        with open(path) as handle:
            if '{{' in handle.read():
                raise SystemExit('%s holds a templated example: put examples in the role README, where they are run'
                                 % os.path.relpath(path, collection))


def build(collection, config_path, out):
    with open(config_path) as handle:
        config = yaml.safe_load(handle)
    argument_specs_examples(collection)
    os.makedirs(os.path.join(out, 'home'), exist_ok=True)
    total = 0
    for name, blocks in documents(collection):
        playbook, run, skipped = plays(name, blocks, config)
        total += run
        print('%s: %d example(s) run%s' % (name, run, ''.join('; not run: %s' % reason for reason in skipped)))
        if playbook:
            with open(os.path.join(out, name.replace('/', '__') + '.yml'), 'w') as handle:
                yaml.safe_dump(playbook, handle, sort_keys=False, width=200)
    with open(os.path.join(out, 'hosts'), 'w') as handle:
        for group in GROUPS:
            handle.write('[%s]\n%s-host ansible_connection=local ansible_python_interpreter=%s\n'
                         % (group, group.replace('_', '-'), sys.executable))
    with open(os.path.join(out, 'vault.json'), 'w') as handle:
        json.dump(vault(config), handle)
    with open(os.path.join(out, 'env.sh'), 'w') as handle:
        for key, value in sorted(environment(config, os.path.join(out, 'home')).items()):
            handle.write('export %s=%s\n' % (key, shlex.quote(value)))
    print('%d examples in all' % total)


if __name__ == '__main__':
    if sys.argv[1:2] != ['build'] or len(sys.argv) != 5:
        sys.exit(__doc__)
    build(*sys.argv[2:])
