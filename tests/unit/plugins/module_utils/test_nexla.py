# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Nexla sessions against the emulator: login, reuse, refresh, re-login, logout, errors."""

import time

import pytest

from ansible_collections.tokensmith.auth.plugins.module_utils import _nexla
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import Redactor, TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient
from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
from ansible_collections.tokensmith.auth.tests.emulator import NEXLA_KEYS
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

KEY = CREDENTIALS['test_nexla_service_key']
API_KEYS = (CREDENTIALS['test_nexla_user_api_key'], CREDENTIALS['test_nexla_org_api_key'])


def run(emulator, check_mode=False, **options):
    values = dict(api_url=emulator.url + '/nexla-api', service_key=KEY, ca_path=emulator.ca, state='present',
                  min_ttl=300, register_fact=True, retries=0)
    values.update(options)
    opts = Options(values)
    return _nexla.PROVIDER.run(opts, HttpClient(opts, 'nexla', Redactor()), check_mode)


def protected(emulator, token):
    import requests
    return requests.get(emulator.url + '/nexla-api/data_sources', verify=emulator.ca, timeout=5,
                        headers={'Authorization': 'Bearer ' + token, 'Accept': _nexla.ACCEPT}).status_code


def test_login_sends_the_key_verbatim_and_returns_no_api_key(emulator):
    assert KEY in NEXLA_KEYS
    result = run(emulator)
    sent = emulator.last('nexla.token')
    assert sent['headers']['Authorization'] == 'Basic ' + KEY
    assert sent['headers']['Accept'] == 'application/vnd.nexla.api.v1+json'
    assert sent['headers']['Content-Length'] == '0' and sent['body'] == ''
    assert result['source'] == 'issued' and result['changed'] is False
    assert result['user'] == dict(id=42, email='pipelines@example.com', full_name='Pipeline Robot')
    assert result['org'] == dict(id=7, name='Example Data Org')
    for api_key in API_KEYS:
        assert api_key not in str(result)
    assert protected(emulator, result['access_token']) == 200


def test_reuse_makes_no_request(emulator):
    first = run(emulator)
    again = run(emulator, token=first)
    assert again['source'] == 'reused' and again['access_token'] == first['access_token']
    assert again['user'] == first['user']
    assert emulator.counters() == {'nexla.token': 1}


def test_refresh_under_min_ttl(emulator):
    emulator.config(nexla_lifetime=200)
    first = run(emulator)
    again = run(emulator, token=first)  # 200 s left < min_ttl 300
    assert again['source'] == 'refreshed' and emulator.count('nexla.refresh') == 1
    assert emulator.last('nexla.refresh')['headers']['Authorization'] == 'Bearer ' + first['access_token']
    assert again['expires_at'] >= first['expires_at'] and again['user'] == first['user']


def test_bare_token_is_refreshed(emulator):
    first = run(emulator)
    again = run(emulator, token=first['access_token'], service_key=None)
    assert again['source'] == 'refreshed' and again['user']['id'] == 42


def test_refresh_refused_logs_in_again(emulator):
    first = run(emulator)
    emulator.post('invalidate', {'provider': 'nexla'})
    again = run(emulator, token=first, state='refreshed')
    assert again['source'] == 'issued' and emulator.count('nexla.token') == 2
    assert protected(emulator, again['access_token']) == 200


def test_refresh_refused_without_key_says_what_to_do(emulator):
    first = run(emulator)
    emulator.post('invalidate', {'provider': 'nexla'})
    with pytest.raises(TokenError) as err:
        run(emulator, token=first, state='refreshed', service_key=None)
    assert 'HTTP 401' in str(err.value) and 'expired or was logged out' in str(err.value)
    assert first['access_token'] not in str(err.value)


def test_bad_key(emulator):
    with pytest.raises(TokenError) as err:
        run(emulator, service_key='not-the-key-0000')
    message = str(err.value)
    assert message.startswith('nexla login: HTTP 401') and 'another Nexla environment' in message
    assert 'not-the-key-0000' not in message


@pytest.mark.parametrize('path', ['', '/api', '/nexla-api/v2'])
def test_a_wrong_api_path_names_the_likely_fix(emulator, path):
    # The emulator answers 404 where there is no Nexla API, as the hosted service does.
    with pytest.raises(TokenError) as err:
        run(emulator, api_url=emulator.url + path)
    message = str(err.value)
    assert message.startswith('nexla login: HTTP 404') and 'No Nexla API at %s' % (emulator.url + path) in message
    assert 'ends in /nexla-api' in message and KEY not in message


def test_no_key_no_token(emulator):
    with pytest.raises(TokenError, match='no service_key'):
        run(emulator, service_key=None)


def test_200_without_access_token(emulator):
    emulator.fault('/nexla-api/token', body={'message': 'ok'})
    with pytest.raises(TokenError) as err:
        run(emulator)
    assert 'without an access_token' in str(err.value)


def test_non_json_body(emulator):
    emulator.fault('/nexla-api/token', body='truncated')
    with pytest.raises(TokenError) as err:
        run(emulator)
    assert str(err.value).startswith('nexla login: the server answered HTTP 200 with a body that is not a JSON object')


def test_logout_then_protected_answers_401_and_second_logout_is_unchanged(emulator):
    first = run(emulator)
    assert run(emulator, state='absent', token=first, check_mode=True)['changed'] is True
    assert emulator.count('nexla.logout') == 0
    assert run(emulator, state='absent', token=first)['changed'] is True
    assert protected(emulator, first['access_token']) == 401
    assert run(emulator, state='absent', token=first)['changed'] is False


def test_vendor_accept_header_is_required(emulator):
    import requests
    response = requests.post(emulator.url + '/nexla-api/token', verify=emulator.ca, timeout=5,
                             headers={'Authorization': 'Basic ' + KEY})
    assert response.status_code == 406


def test_long_play_never_sees_a_401(emulator):
    emulator.config(nexla_lifetime=3)
    token, calls = None, 0
    deadline = time.time() + 4
    while time.time() < deadline:
        token = run(emulator, token=token, min_ttl=1)
        assert protected(emulator, token['access_token']) == 200
        calls += 1
        time.sleep(0.2)
    assert emulator.count('nexla.token') == 1 and emulator.count('nexla.refresh') < calls / 2
