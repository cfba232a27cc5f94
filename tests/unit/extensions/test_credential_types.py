# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX credential types the collection ships: accepted by AWX's rules, feeding exactly what the faces read, and
injected by AWX's own code (awx-plugins.interfaces) into a job whose stored environment shows no secret."""

import os
import re

import pytest

from ansible_collections.tokensmith.auth.plugins.lookup import token
from ansible_collections.tokensmith.auth.plugins.module_utils import _errors, _http, _nexla, _nexus, _nuvy
from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
from ansible_collections.tokensmith.auth.tests.awx.credential_types import (
    ROOT, host_path, job_environment, shipped, validate)

import yaml

TYPES = shipped()
# What each type that holds a long-lived secret feeds: environment variable -> (module argument spec, option).
FEEDS = {
    'nexla.yml': {'NEXLA_SERVICE_KEY': (_nexla, 'service_key'), 'NEXLA_API_URL': (_nexla, 'api_url')},
    'nuvy.yml': {'NUVY_CLIENT_ID': (_nuvy, 'client_id'), 'NUVY_CLIENT_SECRET': (_nuvy, 'client_secret'),
                 'NUVY_TOKEN_URL': (_nuvy, 'token_url')},
    'nexus.yml': {'NEXUS_URL': (_nexus, 'url'), 'NEXUS_USERNAME': (_nexus, 'username'),
                  'NEXUS_PASSWORD': (_nexus, 'password')},
    'token_cache.yml': {'TOKENSMITH_CACHE_URL': (None, 'cache_url'), 'TOKENSMITH_CACHE_KEY': (None, 'cache_key'),
                        'TOKENSMITH_CACHE_PASSWORD': (None, 'cache_password'),
                        'TOKENSMITH_CACHE_SENTINEL_PASSWORD': (None, 'cache_sentinel_password'),
                        'TOKENSMITH_CACHE_CLUSTER': (None, 'cache_cluster'),
                        'TOKENSMITH_CACHE_CA_PATH': (None, 'cache_ca_path')},
}
# The token-only types the credential plugins fill: the role whose variables each gives the job.
TOKEN_ONLY = {'nexla_token.yml': 'nexla', 'nuvy_token.yml': 'nuvy', 'nexus_user_token.yml': 'nexus'}
SECRET_OPTIONS = {'service_key', 'client_secret', 'password', 'cache_url', 'cache_key', 'cache_password',
                  'cache_sentinel_password'}
URL_FIELDS = {'nexla.yml': 'api_url', 'nuvy.yml': 'token_url', 'nexus.yml': 'url', 'nexla_token.yml': 'api_url'}
LOOKUP_OPTIONS = yaml.safe_load(token.DOCUMENTATION)['options']
PEM = '-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n'


def sample(name):
    """A value for every field of a type: URLs for URL fields, PEM for the CA, choices' first, text otherwise."""
    values = {}
    for field in TYPES[name]['inputs']['fields']:
        field_id = field['id']
        if field.get('choices'):
            values[field_id] = field['choices'][0]
        elif field_id == 'cache_ca':
            values[field_id] = PEM
        elif field_id in ('api_url', 'token_url', 'url'):
            values[field_id] = 'https://provider.example/%s' % field_id
        else:
            values[field_id] = 'value-of-%s-1234' % field_id
    return values


def test_one_type_per_provider_one_token_only_type_per_provider_and_one_for_the_shared_cache():
    assert sorted(TYPES) == sorted(list(FEEDS) + list(TOKEN_ONLY))


@pytest.mark.parametrize('name', sorted(TYPES))
def test_awx_would_accept_it(name):
    assert validate(TYPES[name]) == []


@pytest.mark.parametrize('name', sorted(FEEDS))
def test_it_feeds_exactly_the_variables_the_modules_and_the_lookup_read(name, tmp_path):
    values = sample(name)
    env, _stored, args = job_environment(TYPES[name], values, str(tmp_path))
    assert sorted(env) == sorted(FEEDS[name]) and args == []
    fields = dict((field['id'], field) for field in TYPES[name]['inputs']['fields'])
    for variable, (provider, option) in FEEDS[name].items():
        if option == 'cache_ca_path':  # a file AWX writes from the PEM field
            with open(host_path(env[variable], str(tmp_path))) as handle:
                assert handle.read() == PEM
        else:
            assert env[variable] == values[option], 'the field %s feeds %s' % (option, variable)
            assert fields[option].get('secret', False) is (option in SECRET_OPTIONS)
        if provider is not None:
            assert variable in provider.ARGSPEC[option]['fallback'][1], '%s does not fall back to %s' % (option, variable)
        documented = LOOKUP_OPTIONS.get(option) or {}
        if documented:
            assert variable in [entry['name'] for entry in documented.get('env', [])]


@pytest.mark.parametrize('name', sorted(TYPES))
def test_the_job_environment_awx_stores_shows_no_secret(name, tmp_path):
    """AWX stores the job's environment (job_env) as the rest of it hidden by the variables' names, and over it the
    credential's own safe copy, where only a field marked secret is hidden: tested with AWX's own code."""
    values = sample(name)
    base = dict(HOME='/runner', PROXY_PASSWORD='hidden-by-name-1234')
    _env, stored, args = job_environment(TYPES[name], values, str(tmp_path), base_env=base)
    shown = yaml.safe_dump(stored) + ' '.join(args)
    for field in TYPES[name]['inputs']['fields']:
        if field.get('secret'):
            assert values[field['id']] not in shown, '%s would show in job_env' % field['id']
    assert 'hidden-by-name-1234' not in shown


def test_awx_injects_the_secret_in_the_job_environment_and_keeps_only_a_mask(tmp_path):
    env, stored, _args = job_environment(TYPES['nuvy.yml'], dict(client_id='app', client_secret='s3cr3t+/=', token_url=''),
                                         str(tmp_path))
    assert env == dict(NUVY_CLIENT_ID='app', NUVY_CLIENT_SECRET='s3cr3t+/=', NUVY_TOKEN_URL='')
    assert stored['NUVY_CLIENT_SECRET'] == '**********' and stored['NUVY_CLIENT_ID'] == 'app'


@pytest.mark.parametrize('name', sorted(URL_FIELDS))
def test_a_url_field_with_credentials_reaches_the_job_as_a_refusal_not_in_clear(name, tmp_path):
    field = URL_FIELDS[name]
    values = dict(sample(name), **{field: 'https://deploy:Pa55-in-url@provider.example/x'})
    env, stored, _args = job_environment(TYPES[name], values, str(tmp_path))
    variable = [variable for variable, (_p, option) in FEEDS.get(name, {'NEXLA_API_URL': (None, 'api_url')}).items()
                if option == field][0]
    assert 'Pa55-in-url' not in yaml.safe_dump(env) + yaml.safe_dump(stored)
    client = _http.HttpClient(Options({}), 'test')
    with pytest.raises(_errors.TokenError, match='field holds credentials before the host.*remove them'):
        client.check_url(env[variable])
    # and a URL whose path holds an @ is passed as it is
    values[field] = 'https://provider.example/team@x'
    assert job_environment(TYPES[name], values, str(tmp_path))[0][variable] == values[field]


def test_a_blank_cache_ca_sets_no_path(tmp_path):
    values = dict(sample('token_cache.yml'))
    del values['cache_ca']
    env = job_environment(TYPES['token_cache.yml'], values, str(tmp_path))[0]
    assert env['TOKENSMITH_CACHE_CA_PATH'] == ''


def _role_facts(role):
    """The variables a role's tasks set for the plays after it."""
    with open(os.path.join(ROOT, 'roles', role, 'tasks', 'main.yml')) as handle:
        tasks = yaml.safe_load(handle)
    return set(name for task in tasks for name in (task.get('ansible.builtin.set_fact') or {})
               if not name.startswith('__'))


@pytest.mark.parametrize('name', sorted(TOKEN_ONLY))
def test_a_token_only_type_gives_the_job_what_the_role_gives_a_play_and_stores_nothing(name, tmp_path):
    values = sample(name)
    env, stored, args = job_environment(TYPES[name], values, str(tmp_path))
    assert args[0] == '-e' and args[1].startswith('@/runner/env/')
    with open(host_path(args[1][1:], str(tmp_path))) as handle:
        extra_vars = yaml.safe_load(handle)
    assert set(extra_vars) <= _role_facts(TOKEN_ONLY[name]), 'variables the %s role does not set' % TOKEN_ONLY[name]
    given = yaml.safe_dump(extra_vars)
    for field in TYPES[name]['inputs']['fields']:
        if field.get('secret'):
            assert values[field['id']] in given
            assert values[field['id']] not in yaml.safe_dump(stored) + yaml.safe_dump(env)
    if name == 'nexus_user_token.yml':
        assert extra_vars['nexus_user_token'] == dict(name_code=values['name_code'], pass_code=values['pass_code'])
    else:
        provider = TOKEN_ONLY[name]
        assert extra_vars['%s_token' % provider]['access_token'] == values['access_token']
        assert extra_vars['%s_auth_headers' % provider]['Authorization'] == 'Bearer ' + values['access_token']


def test_the_rules_catch_what_awx_refuses():
    bad = dict(TYPES['nexla.yml'])
    bad['injectors'] = {'env': {'ANSIBLE_CONFIG': '{{ service_key }}', 'PATH': '/x', 'NEXLA_SERVICE_KEY': '{{ nope }}',
                                'NEXLA_API_URL': '{{ tower.filename }}'}}
    bad['inputs'] = dict(bad['inputs'], fields=bad['inputs']['fields'] + [{'id': 'service_key', 'label': 'again'},
                                                                          {'id': 'flag', 'label': 'f', 'type': 'boolean',
                                                                           'secret': True}])
    errors = ' '.join(validate(bad))
    for words in ('ANSIBLE_CONFIG is not allowed', 'PATH is not allowed', 'undefined field', 'must be unique',
                  'secret not allowed for boolean'):
        assert words in errors
    assert re.search(r'NEXLA_API_URL uses an undefined field', errors)
