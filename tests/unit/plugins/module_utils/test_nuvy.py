# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Nuvy client credentials against the emulator: encoding, both auth methods, the error table, reuse, revocation."""

import base64
import time
from urllib.parse import parse_qs, unquote_plus

import pytest

from ansible_collections.tokensmith.auth.plugins.module_utils import _nuvy
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import Redactor, TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient
from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
from ansible_collections.tokensmith.auth.plugins.module_utils._token import format_time
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

SECRET = CREDENTIALS['test_nuvy_client_secret']
CLIENT_ID = CREDENTIALS['test_nuvy_client_id']


def run(emulator, check_mode=False, warnings=None, **options):
    values = dict(token_url=emulator.url + '/nexus/oauth2/token', client_id=CLIENT_ID, client_secret=SECRET,
                  ca_path=emulator.ca, scope=[], auth_method='client_secret_basic', state='present', min_ttl=60,
                  register_fact=True, retries=0)
    values.update(options)
    opts = Options(values)
    return _nuvy.PROVIDER.run(opts, HttpClient(opts, 'nuvy', Redactor(), (warnings if warnings is not None else []).append),
                              check_mode)


@pytest.mark.parametrize('secret', ['+', '%', ':', '/', '&', '=', ' ', '~', '!', 'a+b%20c:d/e&f=g h~i!j', u'\u00e9t\u00e9'])
def test_basic_encoding_per_rfc6749_2_3_1(secret):
    header = _nuvy.basic_credentials(u'id:\u00fc', secret)
    raw_id, _colon, raw_secret = base64.b64decode(header[6:]).decode('ascii').partition(':')
    assert raw_id == 'id%3A%C3%BC'
    assert unquote_plus(raw_secret) == secret and ':' not in raw_secret and ' ' not in raw_secret
    if secret == ' ':
        assert raw_secret == '+'


@pytest.mark.parametrize('method', ['client_secret_basic', 'client_secret_post'])
def test_both_auth_methods_with_a_reserved_character_secret(emulator, method):
    result = run(emulator, auth_method=method)
    assert result['source'] == 'issued' and result['changed'] is False
    assert result['token_type'] == 'Bearer' and result['scope'] == 'pipelines.read'
    assert result['ansible_facts']['nuvy_token']['access_token'] == result['access_token']
    sent = emulator.last('nuvy.token')
    form = parse_qs(sent['body'])
    if method == 'client_secret_basic':
        assert 'Authorization' in sent['headers'] and 'client_secret' not in form
    else:
        assert 'Authorization' not in sent['headers'] and form['client_secret'] == [SECRET]
    assert form['grant_type'] == ['client_credentials'] and 'scope' not in form


def test_scope_sent_space_separated(emulator):
    result = run(emulator, scope=['pipelines.read', 'pipelines.write'])
    assert parse_qs(emulator.last('nuvy.token')['body'])['scope'] == ['pipelines.read pipelines.write']
    assert result['scope'] == 'pipelines.read pipelines.write'


def test_expiry_from_expires_in_and_default(emulator):
    before = time.time()
    result = run(emulator)
    assert 3598 <= result['expires_in'] <= 3600
    emulator.config(nuvy_omit_expires_in=True, nuvy_lifetime=10)
    result = run(emulator)
    assert result['expires_in'] >= 3598  # documented default, not the JWT and not the server's hidden 10 s
    assert result['expires_at'] >= format_time(before + 3599)


@pytest.mark.parametrize('options, status, code, words', [
    (dict(scope=['pipelines.read', 'admin']), 400, 'invalid_scope',
     ['(pipelines.read admin)', 'remove it from scope, or grant it to the App Client']),
    (dict(client_secret='wrong'), 401, 'invalid_client', ['rejected', 'client_secret_post']),
    (dict(client_id='nobody'), 401, 'invalid_client', ['App Client nobody']),
    (dict(client_id=CREDENTIALS['test_nuvy_disabled_client_id'],
          client_secret=CREDENTIALS['test_nuvy_disabled_client_secret']), 501, 'unsupported_grant_type',
     ['not enabled for App Client ' + CREDENTIALS['test_nuvy_disabled_client_id']]),
])
def test_error_table(emulator, options, status, code, words):
    with pytest.raises(TokenError) as err:
        run(emulator, **options)
    message = str(err.value)
    assert message.startswith('nuvy token request: HTTP %d' % status) and code in message
    for word in words:
        assert word in message
    assert SECRET not in message and 'wrong' not in message


def test_error_table_request_rows(emulator):
    emulator.fault('/nexus/oauth2/token', body='echo')  # a 400 invalid_request that reflects our credentials
    with pytest.raises(TokenError) as err:
        run(emulator)
    assert 'invalid_request' in str(err.value) and 'malformed' in str(err.value)
    assert base64.b64encode(b'tokensmith-app:').decode()[:12] not in str(err.value)
    emulator.post('faults', [])
    emulator.fault('/nexus/oauth2/token', status=400, body=None)
    with pytest.raises(TokenError):
        run(emulator)


def test_gateway_html_error(emulator):
    emulator.fault('/nexus/oauth2/token', status=502, body='html')
    with pytest.raises(TokenError) as err:
        run(emulator)
    assert 'HTTP 502' in str(err.value) and 'non-JSON body' in str(err.value)


def test_missing_credentials_are_named(emulator, monkeypatch):
    with pytest.raises(TokenError) as err:
        run(emulator, client_secret=None)
    assert 'client_secret is required' in str(err.value) and 'NUVY_CLIENT_SECRET' in str(err.value)
    assert emulator.counters() == {}


def test_reuse_makes_no_request(emulator):
    first = run(emulator)
    again = run(emulator, token=first)
    assert again['source'] == 'reused' and again['access_token'] == first['access_token']
    assert emulator.count('nuvy.token') == 1


def test_reuse_under_min_ttl_issues_a_new_token(emulator):
    emulator.config(nuvy_lifetime=100)
    first = run(emulator)
    again = run(emulator, token=first, min_ttl=200)
    assert again['source'] == 'issued' and again['access_token'] != first['access_token']


def test_bare_token_has_unknown_expiry_so_a_new_one_is_issued(emulator):
    assert run(emulator, token='abc.def.ghi')['source'] == 'issued'


def test_check_mode_still_issues(emulator):
    assert run(emulator, check_mode=True)['access_token']


def test_revocation(emulator):
    token = run(emulator)
    url = emulator.url + '/nexus/oauth2/revoke'
    assert run(emulator, state='absent', token=token, revocation_url=url, check_mode=True)['revoked'] is False
    assert emulator.count('nuvy.revoke') == 0
    result = run(emulator, state='absent', token=token, revocation_url=url)
    assert result == dict(changed=True, revoked=True, msg='Token revoked')
    assert token['access_token'] not in emulator.emulator.state.nuvy_tokens


def test_absent_without_revocation_url_says_nothing_was_revoked(emulator):
    warnings = []
    result = run(emulator, state='absent', token='abc', warnings=warnings)
    assert result['changed'] is False and result['revoked'] is False
    assert 'Nuvy documents no token revocation' in warnings[0]


def test_absent_without_token(emulator):
    with pytest.raises(TokenError, match='needs the token'):
        run(emulator, state='absent')
