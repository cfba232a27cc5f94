# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX credential plugins (extensions/awx/credential_plugins) from their source: what AWX reads of them, their
backends against the emulator over HTTPS, and what their failures show. The wheel, installed into AWX-like
virtualenvs, is the awx_credential_plugins integration target's."""

import ast
import os
import re
import subprocess
import sys
import time
import traceback

import pytest

from ansible_collections.tokensmith.auth.plugins.module_utils import _nexus, _nuvy
from ansible_collections.tokensmith.auth.tests.awx.credential_types import INPUTS_SCHEMA, ROOT
from ansible_collections.tokensmith.auth.tests.emulator.cli import control_at
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

PACKAGE = os.path.join(ROOT, 'extensions', 'awx', 'credential_plugins')
sys.path.insert(0, os.path.join(PACKAGE, 'src'))

import tokensmith_awx  # noqa: E402  pylint: disable=wrong-import-position,import-error
from tokensmith_awx import _backend  # noqa: E402  pylint: disable=wrong-import-position,import-error

PLUGINS = {'nexla': tokensmith_awx.nexla, 'nuvy': tokensmith_awx.nuvy, 'nexus': tokensmith_awx.nexus}
MODULE_UTILS = os.path.join(ROOT, 'plugins', 'module_utils')


def inputs(emulator, provider, **more):
    """Every input of the plugin for ``provider`` that reaches the emulator, as AWX passes stored values."""
    ca_cert = ''
    if emulator.ca:
        with open(emulator.ca) as handle:
            ca_cert = handle.read()
    given = {
        'nexla': dict(url=emulator.url + '/nexla-api', service_key=CREDENTIALS['test_nexla_service_key']),
        'nuvy': dict(url=emulator.url + '/nexus/oauth2/token', client_id=CREDENTIALS['test_nuvy_client_id'],
                     client_secret=CREDENTIALS['test_nuvy_client_secret']),
        'nexus': dict(url=emulator.url + '/nxrm/3.70.1', username=CREDENTIALS['test_nexus_username'],
                      password=CREDENTIALS['test_nexus_password'], output='pass_code'),
    }[provider]
    given['ca_cert'] = ca_cert
    given.update(more)
    return given


def issued(emulator):
    return control_at(emulator.url, emulator.ca, 'issued')


def shown(err):
    """Everything AWX keeps of a failure: the text, and the whole formatted traceback, chained exceptions included."""
    return str(err) + ''.join(traceback.format_exception(type(err), err, err.__traceback__))


def test_importing_the_package_imports_neither_requests_nor_the_provider_code():
    probe = ('import sys, tokensmith_awx; print(sorted(name for name in sys.modules '
             'if name.split(".")[0] in ("requests", "urllib3", "ansible_collections", "ansible")))')
    out = subprocess.check_output([sys.executable, '-c', probe], env=dict(os.environ, PYTHONPATH=os.path.join(PACKAGE, 'src')))
    assert out.decode().strip() == '[]'


@pytest.mark.parametrize('provider', sorted(PLUGINS))
def test_what_awx_reads_is_well_formed(provider):
    plugin = PLUGINS[provider]
    field_schema = INPUTS_SCHEMA['properties']['fields']['items']
    ids = []
    for field in plugin.inputs['fields'] + plugin.inputs['metadata']:
        assert set(field) <= set(field_schema['properties']) and field['type'] in ('string', 'boolean')
        assert re.match(field_schema['properties']['id']['pattern'], field['id']) and field['label']
        # exactly the type, as AWX checks it (True is not a string, and not 1)
        assert field.get('default', '').__class__ is {'string': str, 'boolean': bool}[field['type']] or 'default' not in field
        ids.append(field['id'])
    assert len(ids) == len(set(ids)) and set(plugin.inputs['required']) <= set(ids)
    assert 'output' in plugin.inputs['required'] and plugin.inputs['metadata'][0]['choices']
    assert set(ids) >= {'url', 'ca_cert', 'allow_plain_http', 'output'}
    secrets = set(field['id'] for field in plugin.inputs['fields'] if field.get('secret'))
    assert secrets == {'nexla': {'service_key'}, 'nuvy': {'client_secret'}, 'nexus': {'password'}}[provider]


def test_the_three_names_differ_and_the_choices_are_the_collections():
    assert len(set(plugin.name for plugin in PLUGINS.values())) == 3
    choices = dict((field['id'], field.get('choices')) for field in tokensmith_awx.nuvy.inputs['fields'])
    assert choices['auth_method'] == _nuvy.ARGSPEC['auth_method']['choices']
    choices = dict((field['id'], field.get('choices')) for field in tokensmith_awx.nexus.inputs['fields'])
    assert sorted(choices['api_version']) == sorted(_nexus.ARGSPEC['api_version']['choices'])


def test_the_wheel_carries_every_module_utils_file_the_flows_import():
    """setup.py copies FLOW_FILES from plugins/module_utils: a new import there must be added, or this fails."""
    with open(os.path.join(PACKAGE, 'setup.py')) as handle:
        tree = ast.parse(handle.read())
    flow_files = [ast.literal_eval(node.value) for node in tree.body
                  if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') == 'FLOW_FILES'][0]
    needed, todo = set(), ['_providers.py', '_nexla.py', '_nuvy.py', '_nexus.py', '_http.py']
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        with open(os.path.join(MODULE_UTILS, name)) as handle:
            todo += ['%s.py' % module for module in
                     re.findall(r'ansible_collections\.tokensmith\.auth\.plugins\.module_utils\.?(\w*)', handle.read())
                     if module]
    needed |= set('%s.py' % declared.module for declared in __import__(
        'ansible_collections.tokensmith.auth.plugins.module_utils._providers', fromlist=['PROVIDERS']).PROVIDERS.values())
    assert needed <= set(flow_files), 'add %s to FLOW_FILES in setup.py' % sorted(needed - set(flow_files))


# Token requests per call; on NXRM 3.24+ a user without a token costs a read that finds none and the creation.
@pytest.mark.parametrize('provider,counter,requests', [('nexla', 'nexla.token', 1), ('nuvy', 'nuvy.token', 1),
                                                       ('nexus', 'nexus.token', 2)])
def test_a_backend_returns_the_token_the_provider_issued_with_one_request(emulator, provider, counter, requests):
    value = PLUGINS[provider].backend(**inputs(emulator, provider, description='AWX passes more than it defines'))
    assert emulator.count(counter) == requests
    assert value in issued(emulator)


def test_two_linked_nexus_fields_get_one_pair(emulator):
    name_code = tokensmith_awx.nexus.backend(**inputs(emulator, 'nexus', output='name_code'))
    pass_code = tokensmith_awx.nexus.backend(**inputs(emulator, 'nexus', output='pass_code'))
    assert tokensmith_awx.nexus.backend(**inputs(emulator, 'nexus', output='name_code')) == name_code
    assert pass_code in issued(emulator) and name_code != pass_code
    assert emulator.count('nexus.token') == 2 + 1 + 1  # created by the first call, read by the others


@pytest.mark.parametrize('provider,secret', [('nexla', 'service_key'), ('nuvy', 'client_secret'), ('nexus', 'password')])
def test_a_wrong_secret_says_credentials_rejected_and_shows_no_secret(emulator, provider, secret):
    wrong = 'Wrong-Secret-%s-2718' % provider
    with pytest.raises(_backend.CredentialsRejected) as caught:
        PLUGINS[provider].backend(**inputs(emulator, provider, **{secret: wrong}))
    text = shown(caught.value)
    assert wrong not in text and 'During handling' not in text and 'direct cause' not in text
    for value in list(CREDENTIALS.values()) + issued(emulator):
        if len(value) >= 8 and value not in (CREDENTIALS['test_nuvy_client_id'], CREDENTIALS['test_nexus_username']):
            assert value not in text


def test_failures_are_named_by_their_cause(emulator, plain_emulator):
    cases = [
        (dict(url='https://user:pw@127.0.0.1:9/x'), _backend.InvalidInput, 'must not carry credentials'),
        (dict(url=plain_emulator.url + '/nexus/oauth2/token', ca_cert=''), _backend.InvalidInput,
         'refusing to send credentials over plain http'),
        (dict(ca_cert='not a certificate'), _backend.InvalidInput, 'ca_cert holds no PEM certificate'),
        (dict(ca_cert=''), _backend.CertificateNotTrusted, 'set ca_cert to its CA bundle'),
        (dict(client_secret=''), _backend.InvalidInput, 'client_secret is required'),
        (dict(url='https://127.0.0.1:9/nexus/oauth2/token'), _backend.ProviderUnreachable, 'could not get an answer'),
        (dict(url=emulator.url + '/nowhere'), _backend.ProviderError, 'HTTP 404'),
    ]
    for more, kind, words in cases:
        with pytest.raises(kind, match=re.escape(words)) as caught:
            tokensmith_awx.nuvy.backend(**inputs(emulator, 'nuvy', **more))
        assert 'timeout/retries' not in str(caught.value) and 'ca_path' not in str(caught.value)
    assert tokensmith_awx.nuvy.backend(**inputs(plain_emulator, 'nuvy', ca_cert='', allow_plain_http=True))
    with pytest.raises(_backend.InvalidInput, match='output must be one of name_code, pass_code'):
        tokensmith_awx.nexus.backend(**inputs(emulator, 'nexus', output=''))


def test_a_blank_ca_cert_trusts_the_bundle_the_job_environment_names(emulator, monkeypatch):
    monkeypatch.setenv('SSL_CERT_FILE', emulator.ca)
    assert tokensmith_awx.nuvy.backend(**inputs(emulator, 'nuvy', ca_cert=''))


def test_the_ca_file_lives_only_during_the_call(emulator, monkeypatch):
    made = []
    real = _backend._ca_path

    def spy(ca_cert, directory):
        path = real(ca_cert, directory)
        made.append((path, os.stat(path).st_mode & 0o777))
        return path
    monkeypatch.setattr(_backend, '_ca_path', spy)
    tokensmith_awx.nexla.backend(**inputs(emulator, 'nexla'))
    assert made[0][1] == 0o600 and not os.path.exists(made[0][0])


def test_a_call_ends_within_the_bound_whatever_the_provider_does(monkeypatch):
    monkeypatch.setattr(tokensmith_awx, 'TOTAL_SECONDS', 0.5)
    monkeypatch.setattr(_backend, '_run', lambda *args: time.sleep(30))
    started = time.monotonic()
    with pytest.raises(_backend.ProviderTimedOut, match='no token within 0 s'):
        tokensmith_awx.nexla.backend(service_key='x' * 20, output='token')
    assert time.monotonic() - started < 25  # the worker is abandoned, not waited for


def test_an_unforeseen_failure_shows_its_type_only(monkeypatch):
    def boom(*args):
        raise RuntimeError('Leaky-Detail-31415')
    monkeypatch.setattr(_backend, '_run', boom)
    with pytest.raises(_backend.UnexpectedFailure, match='unexpected RuntimeError') as caught:
        tokensmith_awx.nexla.backend(service_key='x' * 20, output='token')
    assert 'Leaky-Detail-31415' not in shown(caught.value)
