# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Providers as they really behave, and answers a hostile network gives, over real sockets to the emulator."""

import base64
import time

import pytest
import requests

from ansible_collections.tokensmith.auth.plugins.module_utils import _http, _nexla, _nexus, _nuvy
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import HttpStatusError, Redactor, TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient
from ansible_collections.tokensmith.auth.plugins.module_utils._options import MAX_LIFETIME, Options
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token, parse_time
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

SECRET = CREDENTIALS['test_nuvy_client_secret']
KEY = CREDENTIALS['test_nexla_service_key']
CLIENT_ID = CREDENTIALS['test_nuvy_client_id']
USERNAME = CREDENTIALS['test_nexus_username']
PASSWORD = CREDENTIALS['test_nexus_password']

NUVY_TOKEN = '/nexus/oauth2/token'


def client(emulator, provider, warnings=None, sleeps=None, **options):
    values = dict(ca_path=emulator.ca, retries=0)
    values.update(options)
    sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    return HttpClient(Options(values), provider, Redactor(), (warnings if warnings is not None else []).append,
                      sleep=sleep)


def options(emulator, provider, **extra):
    values = {
        'nexla': dict(api_url=emulator.url + '/nexla-api', service_key=KEY, state='present', min_ttl=300),
        'nuvy': dict(token_url=emulator.url + NUVY_TOKEN, client_id=CLIENT_ID, client_secret=SECRET,
                     scope=[], auth_method='auto', state='present', min_ttl=60),
        'nexus': dict(url=emulator.url + '/nxrm/3.70.1', username=USERNAME, password=PASSWORD, api_version='auto',
                      state='present'),
    }[provider]
    values.update(ca_path=emulator.ca, retries=0, register_fact=True)
    values.update(extra)
    return Options(values)


def run(emulator, provider, check_mode=False, warnings=None, **extra):
    opts = options(emulator, provider, **extra)
    module = {'nexla': _nexla, 'nuvy': _nuvy, 'nexus': _nexus}[provider]
    return module.PROVIDER.run(opts, client(emulator, provider, warnings, **extra), check_mode)


# --- answers of the wrong type or range --------------------------------------------------------------

@pytest.mark.parametrize('raw', ['{"access_token": "tok-1234", "expires_in": 1e400}',
                                 '{"access_token": "tok-1234", "expires_in": 1000000000000}'])
def test_absurd_lifetimes_are_clamped_not_a_crash(emulator, raw):
    emulator.fault(NUVY_TOKEN, raw=raw)
    before = time.time()
    result = run(emulator, 'nuvy')
    assert result['access_token'] == 'tok-1234' and result['expires_in'] <= MAX_LIFETIME
    assert parse_time(result['expires_at']) <= before + MAX_LIFETIME + 5


@pytest.mark.parametrize('provider, path, body, words', [
    ('nexus', '/nxrm/3.70.1/service/rest/wonderland/authenticate', {'t': 12345},
     "nexus ticket request: the answer's field t is a number, not a string"),
    ('nexla', '/nexla-api/token', {'access_token': {'a': 1}, 'expires_in': 3600},
     "nexla login: the answer's field access_token is an object, not a string"),
    ('nexla', '/nexla-api/token', {'access_token': 'tok-1234', 'user': 'robot'},
     "nexla login: the answer's field user is a string, not an object"),
    ('nexla', '/nexla-api/token', {'access_token': 'tok-1234', 'user': {'email': 7}},
     "the answer's field user.email is a number, not a string"),
    ('nuvy', NUVY_TOKEN, {'access_token': 'tok-1234', 'expires_in': 'soon'},
     "nuvy token request: the answer's field expires_in is a string, not a number of seconds"),
    ('nuvy', NUVY_TOKEN, {'access_token': 'tok\r\nX-Injected: 1'}, 'access_token holds a control character'),
])
def test_wrong_fields_are_one_clear_error_naming_provider_step_and_field(emulator, provider, path, body, words):
    emulator.fault(path, body=body)
    with pytest.raises(TokenError) as err:
        run(emulator, provider, api_version='3.24') if provider == 'nexus' else run(emulator, provider)
    assert words in str(err.value), str(err.value)
    assert 'X-Injected' not in str(err.value)


@pytest.mark.parametrize('body, words', [
    ({'nameCode': 'ab', 'passCode': 5}, 'passCode is a number'),
    ({'nameCode': 'ab', 'passCode': 'cd', 'isExpired': 'no'}, 'isExpired is a string, not true or false'),
    ({'nameCode': 'ab', 'passCode': 'cd', 'expires': 'when pigs fly'}, 'expires is a string, not an ISO 8601 time'),
    ({'nameCode': 'ab'}, 'without a passCode'),
])
def test_nexus_token_fields_are_checked(emulator, body, words):
    emulator.fault('/nxrm/3.70.1/service/rest/internal/current-user/user-token', body=body)
    with pytest.raises(TokenError) as err:
        run(emulator, 'nexus', api_version='3.24')
    assert str(err.value).startswith('nexus token request: ') and words in str(err.value)


# --- the retry budget ----------------------------------------------------------------------------------

def test_retries_stop_when_the_wait_budget_is_spent(emulator):
    emulator.fault(NUVY_TOKEN, status=503, count=100)
    sleeps = []
    http = client(emulator, 'nuvy', sleeps=sleeps, retries=40)
    with pytest.raises(HttpStatusError) as err:
        http.request('token request', 'POST', emulator.url + NUVY_TOKEN)
    sent = 100 - emulator.emulator.state.faults[0]['count']
    assert sent == len(sleeps) + 1 < 41
    assert all(pause > 0 for pause in sleeps) and sum(sleeps) <= _http.MAX_TOTAL_WAIT + 1e-6
    assert 'the 60 s this collection waits in all' in str(err.value)


# --- Nexla: a retired refresh endpoint -------------------------------------------------------------------

@pytest.mark.parametrize('status', [403, 404, 405, 410])
def test_a_refused_refresh_logs_in_with_the_key_in_one_request(emulator, status):
    first = run(emulator, 'nexla')
    emulator.config(nexla_refresh_status=status)
    again = run(emulator, 'nexla', token=first, state='refreshed')
    assert again['source'] == 'issued' and again['refresh_refused'] == status
    assert emulator.count('nexla.refresh') == 1 and emulator.count('nexla.token') == 2
    assert 'refresh_refused' not in first


def test_a_refused_refresh_without_a_key_says_what_to_do(emulator):
    first = run(emulator, 'nexla')
    emulator.config(nexla_refresh_status=405)
    with pytest.raises(TokenError) as err:
        run(emulator, 'nexla', token=first['access_token'], service_key=None)
    assert 'HTTP 405' in str(err.value) and 'no service_key is set to log in again' in str(err.value)


def test_a_server_error_on_refresh_is_not_taken_for_a_retired_route(emulator):
    first = run(emulator, 'nexla')
    emulator.fault('/nexla-api/token/refresh', status=500)
    with pytest.raises(HttpStatusError) as err:
        run(emulator, 'nexla', token=first, state='refreshed')
    assert err.value.status == 500 and emulator.count('nexla.token') == 1


# --- Nuvy: RFC or raw Basic ------------------------------------------------------------------------------

def test_auto_on_an_rfc_server_costs_one_request(emulator):
    result = run(emulator, 'nuvy')
    assert result['auth_method'] == 'client_secret_basic' and emulator.count('nuvy.token') == 1


def test_auto_on_a_raw_server_retries_once_with_the_raw_form(emulator):
    emulator.config(nuvy_basic='raw')
    result = run(emulator, 'nuvy')
    assert result['auth_method'] == 'client_secret_basic_raw' and emulator.count('nuvy.token') == 2
    sent = emulator.last('nuvy.token')['headers']['Authorization']
    assert base64.b64decode(sent[6:]).decode() == 'tokensmith-app:' + SECRET


def test_a_remembered_method_goes_first(emulator):
    emulator.config(nuvy_basic='raw', nuvy_lifetime=30)
    first = run(emulator, 'nuvy')
    again = run(emulator, 'nuvy', token=first)  # 30 s left < min_ttl 60: a new token, raw form first
    assert again['source'] == 'issued' and again['auth_method'] == 'client_secret_basic_raw'
    assert emulator.count('nuvy.token') == 3


def test_auto_never_retries_when_the_two_forms_are_the_same(emulator):
    emulator.config(nuvy_basic='raw')
    with pytest.raises(HttpStatusError):
        run(emulator, 'nuvy', client_secret='wrong-but-plain')
    assert emulator.count('nuvy.token') == 1


def test_auto_never_retries_other_errors(emulator):
    with pytest.raises(HttpStatusError) as err:
        run(emulator, 'nuvy', scope=['admin'])
    assert err.value.code == 'invalid_scope' and emulator.count('nuvy.token') == 1


@pytest.mark.parametrize('method, server, works', [
    ('client_secret_basic', 'raw', False), ('client_secret_basic_raw', 'raw', True),
    ('client_secret_basic_raw', 'rfc', False), ('client_secret_post', 'raw', True)])
def test_explicit_methods_send_exactly_their_form(emulator, method, server, works):
    emulator.config(nuvy_basic=server)
    if works:
        assert run(emulator, 'nuvy', auth_method=method)['auth_method'] == method
    else:
        with pytest.raises(HttpStatusError, match='invalid_client'):
            run(emulator, 'nuvy', auth_method=method)
    assert emulator.count('nuvy.token') == 1


def test_raw_basic_cannot_carry_a_colon_in_the_client_id(emulator):
    with pytest.raises(TokenError, match='client_id holds a colon'):
        run(emulator, 'nuvy', client_id='a:b', auth_method='client_secret_basic_raw')
    assert emulator.counters() == {}


# --- Nexus: expired user tokens, offsets, bodiless errors ------------------------------------------------

def protected(emulator, result, instance='3.70.1'):
    return requests.get(emulator.url + '/nxrm/%s/repository/protected/' % instance, verify=emulator.ca, timeout=5,
                        auth=(result['name_code'], result['pass_code'])).status_code


@pytest.mark.parametrize('shown_as', ['flag', 'gone'])
@pytest.mark.parametrize('conflict', [False, True])
def test_an_expired_token_is_replaced_by_a_fresh_one(emulator, shown_as, conflict):
    emulator.config(nexus_token_lifetime=1, nexus_expired=shown_as, nexus_post_conflict=conflict)
    first = run(emulator, 'nexus')
    assert first['source'] == 'created'
    emulator.post('clock', {'advance': 5})
    emulator.config(nexus_token_lifetime=3600)
    before = emulator.count('nexus.token')
    again = run(emulator, 'nexus')
    assert again['changed'] is True and again['source'] == 'renewed' and again['pass_code'] != first['pass_code']
    # a read, then POST (a 409 first, then DELETE and POST, when the server wants the old one gone)
    assert emulator.count('nexus.token') - before == (4 if conflict else 2)
    assert protected(emulator, again) == 200 and protected(emulator, first) == 401
    third = run(emulator, 'nexus')
    assert third['changed'] is False and third['source'] == 'read' and third['pass_code'] == again['pass_code']


def test_check_mode_reports_an_expired_token_without_touching_it(emulator):
    emulator.config(nexus_token_lifetime=1)
    run(emulator, 'nexus')
    emulator.post('clock', {'advance': 5})
    result = run(emulator, 'nexus', check_mode=True)
    assert result['changed'] is True and 'in place of the expired one' in result['msg']
    assert emulator.count('nexus.token') == 3  # read, create, and the check-mode read


def test_the_lookup_flow_renews_an_expired_token(emulator):
    emulator.config(nexus_token_lifetime=1)
    opts = options(emulator, 'nexus')
    first, outcome = _nexus.PROVIDER.obtain(opts, client(emulator, 'nexus'))
    assert outcome == {'source': 'created'}
    emulator.post('clock', {'advance': 5})
    again, outcome = _nexus.PROVIDER.obtain(opts, client(emulator, 'nexus'), first)
    assert outcome == {'source': 'renewed'} and again.access_token != first.access_token


def test_dates_with_a_local_offset_are_read_as_the_same_moment(emulator):
    emulator.config(nexus_token_lifetime=7200, nexus_utc_offset='+01:00')
    result = run(emulator, 'nexus')
    body = emulator.emulator.state.nexus_tokens[('3.70.1', 'admin')]
    assert parse_time(result['expires']) == pytest.approx(body['created'] + 7200, abs=1)
    assert result['expires'].endswith('Z') and parse_time(result['created']) == pytest.approx(body['created'], abs=1)
    token, _expired = _nexus.token_from({'nameCode': 'a', 'passCode': 'b', 'expires': '2020-04-23T21:49:40.112+01:00'},
                                        client(emulator, 'nexus'), _nexus.GENERATIONS['3.24'])
    assert token.extra['expires'] == '2020-04-23T20:49:40Z'


def test_a_bodiless_username_mismatch_still_gets_its_hint(emulator):
    flow = _nexus.NexusFlow(options(emulator, 'nexus'), client(emulator, 'nexus'))
    flow.payload = dict(flow.payload, u=base64.b64encode(b'someone-else').decode())
    with pytest.raises(HttpStatusError) as err:
        flow.detect()
    assert err.value.status == 400 and err.value.excerpt == 'empty body'
    assert 'another user in the Basic credentials' in str(err.value)


# --- the second wall: whatever reaches the wire is checked, and never shown ------------------------------

def test_a_header_with_a_control_character_never_reaches_requests(emulator):
    with pytest.raises(TokenError) as err:
        client(emulator, 'nexla').request('login', 'POST', emulator.url + '/nexla-api/token',
                                          headers={'Authorization': 'Basic leaky-key-1234\n'})
    assert 'Authorization header would carry a control character' in str(err.value)
    assert 'leaky-key-1234' not in str(err.value) and emulator.counters() == {}


def test_the_redactor_knows_escaped_forms():
    secret = 'svc-key-AbC==\n'
    redactor = Redactor([secret])
    for text in ('%r' % secret, 'header value: %r' % ('Basic ' + secret), '{"key": "svc-key-AbC==\\n"}',
                 str([secret]), repr(secret.encode())):
        assert 'svc-key-AbC' not in redactor(text), text


def test_a_secret_with_inner_whitespace_is_redacted_before_the_message_is_folded():
    err = TokenError('server said: pass  word\there!', 'nuvy', 'token request')
    err.redactor = Redactor(['pass  word\there'])
    assert str(err) == 'nuvy token request: server said: ********!'


def test_token_lifetime_of_infinity_in_a_handed_back_token_is_refused_clearly():
    with pytest.raises(TokenError, match='unreadable expires_at'):
        Token.from_input({'access_token': 'a', 'expires_at': '33715-01-01T00:00:00Z'})
