# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX credential types the collection ships: accepted by AWX's rules, and feeding exactly what the faces read."""

import re

import pytest

from ansible_collections.tokensmith.auth.plugins.lookup import token
from ansible_collections.tokensmith.auth.plugins.module_utils import _nexla, _nexus, _nuvy
from ansible_collections.tokensmith.auth.tests.awx.credential_types import build_safe_env, inject_env, shipped, validate

import yaml

TYPES = shipped()
# What each credential type feeds: environment variable -> (module argument spec, option).
FEEDS = {
    'nexla.yml': {'NEXLA_SERVICE_KEY': (_nexla, 'service_key'), 'NEXLA_API_URL': (_nexla, 'api_url')},
    'nuvy.yml': {'NUVY_CLIENT_ID': (_nuvy, 'client_id'), 'NUVY_CLIENT_SECRET': (_nuvy, 'client_secret'),
                 'NUVY_TOKEN_URL': (_nuvy, 'token_url')},
    'nexus.yml': {'NEXUS_URL': (_nexus, 'url'), 'NEXUS_USERNAME': (_nexus, 'username'),
                  'NEXUS_PASSWORD': (_nexus, 'password')},
    'token_cache.yml': {'TOKENSMITH_CACHE_URL': (None, 'cache_url'), 'TOKENSMITH_CACHE_KEY': (None, 'cache_key'),
                        'TOKENSMITH_CACHE_PASSWORD': (None, 'cache_password'),
                        'TOKENSMITH_CACHE_SENTINEL_PASSWORD': (None, 'cache_sentinel_password'),
                        'TOKENSMITH_CACHE_CLUSTER': (None, 'cache_cluster')},
}
SECRET_OPTIONS = {'service_key', 'client_secret', 'password', 'cache_url', 'cache_key', 'cache_password',
                  'cache_sentinel_password'}
LOOKUP_OPTIONS = yaml.safe_load(token.DOCUMENTATION)['options']


def test_one_type_per_provider_and_one_for_the_shared_cache():
    assert sorted(TYPES) == sorted(FEEDS)


@pytest.mark.parametrize('name', sorted(TYPES))
def test_awx_would_accept_it(name):
    assert validate(TYPES[name]) == []


@pytest.mark.parametrize('name', sorted(TYPES))
def test_it_feeds_exactly_the_variables_the_modules_and_the_lookup_read(name):
    env = TYPES[name]['injectors']['env']
    assert sorted(env) == sorted(FEEDS[name])
    fields = dict((field['id'], field) for field in TYPES[name]['inputs']['fields'])
    for variable, (provider, option) in FEEDS[name].items():
        assert re.match(r'^\{\{ *%s *\}\}$' % option, env[variable]), 'the field of the same name feeds %s' % variable
        assert fields[option].get('secret', False) is (option in SECRET_OPTIONS)
        if provider is not None:
            fallback = provider.ARGSPEC[option]['fallback']
            assert variable in fallback[1], '%s does not fall back to %s' % (option, variable)
        documented = LOOKUP_OPTIONS.get(option) or {}
        fragment_env = [entry['name'] for entry in documented.get('env', [])]
        if documented:
            assert variable in fragment_env


def test_the_rules_catch_what_awx_refuses():
    bad = dict(TYPES['nexla.yml'])
    bad['injectors'] = {'env': {'ANSIBLE_CONFIG': '{{ service_key }}', 'PATH': '/x', 'NEXLA_SERVICE_KEY': '{{ nope }}'}}
    bad['inputs'] = dict(bad['inputs'], fields=bad['inputs']['fields'] + [{'id': 'service_key', 'label': 'again'},
                                                                          {'id': 'flag', 'label': 'f', 'type': 'boolean',
                                                                           'secret': True}])
    errors = ' '.join(validate(bad))
    for words in ('ANSIBLE_CONFIG is not allowed', 'PATH is not allowed', 'undefined field', 'must be unique',
                  'secret not allowed for boolean'):
        assert words in errors


def test_awx_injects_the_secret_in_the_job_environment_and_keeps_only_a_mask():
    env, safe_env = inject_env(TYPES['nuvy.yml'], dict(client_id='app', client_secret='s3cr3t+/=', token_url=''))
    assert env == dict(NUVY_CLIENT_ID='app', NUVY_CLIENT_SECRET='s3cr3t+/=', NUVY_TOKEN_URL='')
    assert safe_env['NUVY_CLIENT_SECRET'] == '**********'


@pytest.mark.parametrize('name', sorted(TYPES))
def test_the_job_environment_awx_stores_hides_every_secret_by_its_variable_name(name):
    """AWX keeps the job's environment (job_env) with values hidden by the variables' names, not their types."""
    fields = TYPES[name]['inputs']['fields']
    values = dict((field['id'], 'value-of-%s-1234' % field['id']) for field in fields)
    env, _safe = inject_env(TYPES[name], values)
    stored = build_safe_env(env)
    for field in fields:
        if field.get('secret'):
            assert values[field['id']] not in str(stored), '%s would show in job_env' % field['id']
