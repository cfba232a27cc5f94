# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Careless input to the modules: refused before any request, in one clear line, never echoing a secret."""

import base64
import json
from urllib.parse import quote, quote_plus

import pytest

from ansible_collections.tokensmith.auth.plugins.modules import nexla_token, nexus_user_token, nuvy_oauth_token
from ansible_collections.tokensmith.auth.tests.unit.plugins.modules.runner import run_module
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

SECRET = CREDENTIALS['test_nuvy_client_secret']
KEY = CREDENTIALS['test_nexla_service_key']
CLIENT_ID = CREDENTIALS['test_nuvy_client_id']
USERNAME = CREDENTIALS['test_nexus_username']
PASSWORD = CREDENTIALS['test_nexus_password']


def args(emulator, provider, **extra):
    values = {
        'nexla': dict(api_url=emulator.url + '/nexla-api', service_key=KEY),
        'nuvy': dict(token_url=emulator.url + '/nexus/oauth2/token', client_id=CLIENT_ID, client_secret=SECRET),
        'nexus': dict(url=emulator.url + '/nxrm/3.70.1', username=USERNAME, password=PASSWORD),
    }[provider]
    values.update(ca_path=emulator.ca, retries=0)
    values.update(extra)
    return values


MAINS = {'nexla': nexla_token.main, 'nuvy': nuvy_oauth_token.main, 'nexus': nexus_user_token.main}
SECRET_OPTION = {'nexla': 'service_key', 'nuvy': 'client_secret', 'nexus': 'password'}


def forms(secret):
    """How a secret may be printed: as is, trimmed, escaped (repr, JSON), URL-encoded, base64."""
    found = {secret, secret.strip(), repr(secret)[1:-1], json.dumps(secret)[1:-1], quote(secret, safe=''),
             quote_plus(secret, safe=''), base64.b64encode(secret.encode()).decode()}
    return [form for form in found if len(form) >= 4]


def assert_absent(raw, secret):
    leaked = [form for form in forms(secret) if form in raw]
    assert not leaked, 'leaked: %r' % leaked


@pytest.mark.parametrize('provider', sorted(MAINS))
@pytest.mark.parametrize('stray', ['\n', '\r\n', '\t', '\x00', '\x1b[0m'])
def test_a_secret_with_a_control_character_is_refused_by_name(emulator, capsys, provider, stray):
    real = args(emulator, provider)[SECRET_OPTION[provider]]
    secret = real + stray if stray.startswith(('\n', '\r')) else real[:4] + stray + real[4:]
    result, raw = run_module(MAINS[provider], args(emulator, provider, **{SECRET_OPTION[provider]: secret}), capsys)
    assert result['failed'] is True and SECRET_OPTION[provider] in result['msg'] and '| trim' in result['msg']
    assert ('trailing newline' in result['msg']) is stray.startswith(('\n', '\r'))
    assert '\n' not in result['msg'] and 'Traceback' not in raw
    assert_absent(raw, secret)
    assert emulator.counters() == {}


def test_a_service_key_outside_printable_ascii_is_refused_before_any_request(emulator, capsys):
    result, raw = run_module(nexla_token.main, args(emulator, 'nexla', service_key=u'cl\u00e9-\u20ac-' + KEY), capsys)
    assert result['failed'] is True and 'service_key' in result['msg'] and 'printable ASCII' in result['msg']
    assert 'UnicodeEncodeError' not in raw and 'unexpected' not in result['msg']
    assert_absent(raw, u'cl\u00e9-\u20ac-' + KEY)
    assert emulator.counters() == {}


@pytest.mark.parametrize('provider, option, path', [
    ('nexla', 'api_url', '/nexla-api'), ('nuvy', 'token_url', '/nexus/oauth2/token'),
    ('nuvy', 'revocation_url', '/nexus/oauth2/revoke'), ('nexus', 'url', '/nxrm/3.70.1')])
def test_credentials_in_a_url_are_refused_and_masked_in_invocation(emulator, capsys, provider, option, path):
    url = emulator.url.replace('https://', 'https://deployer:Url-Pa55word@') + path
    extra = {option: url}
    if option == 'revocation_url':
        extra.update(state='absent', token='some-token-1234')
    result, raw = run_module(MAINS[provider], args(emulator, provider, **extra), capsys)
    assert result['failed'] is True and option in result['msg'] and 'user:password@' in result['msg']
    assert 'Url-Pa55word' not in raw and 'deployer:' not in raw
    assert emulator.counters() == {}


@pytest.mark.parametrize('option, value, words', [
    ('timeout', -1, 'timeout must be greater than 0 and at most 3600, not -1'),
    ('timeout', 0, 'timeout must be greater than 0'),
    ('timeout', 1e9, 'at most 3600'),
    ('retries', -1, 'retries must be at least 0 and at most 100, not -1'),
    ('min_ttl', -7200, 'min_ttl must be at least 0'),
])
def test_out_of_range_numbers_are_refused(emulator, capsys, option, value, words):
    result, raw = run_module(nuvy_oauth_token.main, args(emulator, 'nuvy', **{option: value}), capsys)
    assert result['failed'] is True and words in result['msg'], result['msg']
    assert 'unexpected' not in result['msg'] and 'Traceback' not in raw
    assert emulator.counters() == {}


@pytest.mark.parametrize('value', [['SEKRIT-part-one', 'SEKRIT-part-two'], {'SEKRIT-key-one': 'SEKRIT-value-one'}])
@pytest.mark.parametrize('provider', sorted(MAINS))
def test_a_secret_given_as_a_list_or_mapping_is_refused_not_stringified(emulator, capsys, provider, value):
    result, raw = run_module(MAINS[provider], args(emulator, provider, **{SECRET_OPTION[provider]: value}), capsys)
    assert result['failed'] is True
    assert result['msg'].startswith('%s must be a string, not a ' % SECRET_OPTION[provider])
    assert 'SEKRIT' not in raw
    assert emulator.counters() == {}


def test_a_reused_token_with_a_newline_is_refused_without_showing_it(emulator, capsys):
    first = run_module(nexla_token.main, args(emulator, 'nexla'), capsys)[0]
    token = dict(first, access_token=first['access_token'] + '\n')  # the registered result, as the docs hand it back
    result, raw = run_module(nexla_token.main, args(emulator, 'nexla', token=token, state='refreshed'), capsys)
    assert result['failed'] is True and 'access token holds a trailing newline' in result['msg']
    assert raw.count(first['access_token']) == 0 and emulator.count('nexla.refresh') == 0
