# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared HTTP client, over real sockets to the emulator."""

import base64
import os
import time

import pytest

from ansible_collections.tokensmith.auth.plugins.module_utils import _http
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import HttpStatusError, Redactor, TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient, retry_after_seconds
from ansible_collections.tokensmith.auth.plugins.module_utils._nuvy import basic_credentials
from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

SECRET = CREDENTIALS['test_nuvy_client_secret']
CLIENT_ID = CREDENTIALS['test_nuvy_client_id']

PROTECTED = '/nexus/api/v1/status'
TOKEN = '/nexus/oauth2/token'


def client(emulator, warnings=None, sleeps=None, secrets=(), **options):
    values = dict(ca_path=emulator.ca, retries=3, timeout=5)
    values.update(options)
    sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    return HttpClient(Options(values), 'nuvy', Redactor(secrets), (warnings if warnings is not None else []).append,
                      sleep=sleep)


def token_request(attempt=0):
    return dict(headers={'Authorization': basic_credentials(CLIENT_ID, SECRET),
                         'Content-Type': 'application/x-www-form-urlencoded'},
                data={'grant_type': 'client_credentials'})


def test_success_and_user_agent(emulator):
    data, sent_at = client(emulator).json('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert data['access_token'] and abs(sent_at - time.time()) < 5
    assert emulator.last('nuvy.token')['headers']['User-Agent'].startswith('tokensmith.auth/0.1.0')


@pytest.mark.parametrize('status', [502, 503, 504, 429])
def test_retries_transient_statuses_and_warns(emulator, status):
    emulator.fault(TOKEN, status=status, count=2)
    warnings, sleeps = [], []
    response, _sent_at = client(emulator, warnings, sleeps).request(
        'token request', 'POST', emulator.url + TOKEN, **token_request())
    assert response.status_code == 200
    assert emulator.count('nuvy.token') == 1  # the two faulted attempts never reached the handler
    assert len(sleeps) == 2 and all(0 < s <= _http.BACKOFF_CAP for s in sleeps)
    assert len(warnings) == 2 and 'retry 1 of 3' in warnings[0] and 'HTTP %d' % status in warnings[0]
    assert SECRET not in ' '.join(warnings)


def test_retry_after_seconds_is_honoured_for_real(emulator):
    emulator.fault(TOKEN, status=503, retry_after=1)
    started = time.time()
    HttpClient(Options(dict(ca_path=emulator.ca, retries=2)), 'nuvy').request(
        'token request', 'POST', emulator.url + TOKEN, **token_request())
    assert time.time() - started >= 1.0


def test_retry_after_beyond_budget_fails_at_once(emulator):
    emulator.fault(TOKEN, status=429, retry_after=3600)
    sleeps = []
    with pytest.raises(HttpStatusError) as err:
        client(emulator, sleeps=sleeps).request('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert sleeps == [] and '3600 s' in str(err.value) and 'HTTP 429' in str(err.value)


def test_retry_after_http_date():
    now = 1_800_000_000
    assert retry_after_seconds('Fri, 15 Jan 2027 08:00:10 GMT', now=now) == 10  # now is 08:00:00 that day
    assert retry_after_seconds('120') == 120
    assert retry_after_seconds('garbage') is None
    moment = time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(time.time() + 30))
    assert 28 <= retry_after_seconds(moment) <= 31
    past = time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(time.time() - 30))
    assert retry_after_seconds(past) == 0


@pytest.mark.parametrize('status', [400, 401, 403, 404])
def test_never_retries_other_client_errors(emulator, status):
    emulator.fault(TOKEN, status=status, count=5)
    sleeps = []
    with pytest.raises(HttpStatusError) as err:
        client(emulator, sleeps=sleeps).request('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert err.value.status == status and sleeps == []
    assert emulator.emulator.state.faults[0]['count'] == 4  # exactly one request was sent


def test_fresh_request_for_every_attempt(emulator):
    emulator.fault(TOKEN, status=503, count=2)
    built = []

    def build(attempt):
        built.append(attempt)
        return token_request()
    client(emulator).request('token request', 'POST', emulator.url + TOKEN, build=build)
    assert built == [0, 1, 2]


def test_connection_reset_is_retried(emulator):
    emulator.fault(TOKEN, reset=True)
    warnings = []
    response, _sent_at = client(emulator, warnings).request('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert response.status_code == 200 and 'retry 1 of 3' in warnings[0]


def test_retries_exhausted(emulator):
    emulator.fault(TOKEN, status=503, count=10)
    with pytest.raises(HttpStatusError) as err:
        client(emulator, retries=1).request('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert err.value.status == 503 and emulator.emulator.state.faults[0]['count'] == 8


def test_unreachable_host_is_one_clear_line():
    with pytest.raises(TokenError) as err:
        HttpClient(Options(dict(retries=1, timeout=2)), 'nuvy', sleep=lambda s: None).request(
            'token request', 'POST', 'https://127.0.0.1:9/token')
    message = str(err.value)
    assert 'could not get an answer from 127.0.0.1:9 after 2 attempt(s)' in message
    assert 'Connection refused' in message and '\n' not in message and 'object at 0x' not in message


def test_default_trust_store_rejects_the_test_ca(emulator, monkeypatch):
    monkeypatch.delenv('REQUESTS_CA_BUNDLE', raising=False)
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    with pytest.raises(TokenError) as err:
        client(emulator, ca_path=None).request('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert 'TLS handshake' in str(err.value) and 'ca_path' in str(err.value)


def test_requests_ca_bundle_does_not_override_explicit_ca_path(emulator, monkeypatch, tmp_path):
    bogus = tmp_path / 'other.pem'
    bogus.write_text(open(emulator.ca).read().replace('A', 'A'))  # a valid bundle, but not the one we pass
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/nonexistent/bundle.pem')
    response, _sent_at = client(emulator).request('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert response.status_code == 200


def test_validate_certs_false_works_and_warns(emulator):
    warnings = []
    response, _sent_at = client(emulator, warnings, ca_path=None, validate_certs=False).request(
        'token request', 'POST', emulator.url + TOKEN, **token_request())
    assert response.status_code == 200
    assert any('TLS certificate verification is disabled' in w for w in warnings)


def test_plain_http_is_refused_before_anything_is_sent(plain_emulator):
    with pytest.raises(TokenError) as err:
        client(plain_emulator).request('token request', 'POST', plain_emulator.url + TOKEN, **token_request())
    assert 'refusing to send credentials over plain http://' in str(err.value)
    assert 'allow_plain_http' in str(err.value)
    assert plain_emulator.counters() == {}


def test_plain_http_opt_in_warns(plain_emulator):
    warnings = []
    response, _sent_at = client(plain_emulator, warnings, allow_plain_http=True).request(
        'token request', 'POST', plain_emulator.url + TOKEN, **token_request())
    assert response.status_code == 200
    assert any('unencrypted' in w for w in warnings)


def test_redirects_are_not_followed(emulator):
    emulator.fault(TOKEN, status=302)
    with pytest.raises(HttpStatusError) as err:
        client(emulator).request('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert err.value.status == 302


def test_error_names_provider_step_status_and_code(emulator):
    with pytest.raises(HttpStatusError) as err:
        client(emulator).request('token request', 'POST', emulator.url + TOKEN,
                                 headers={'Content-Type': 'text/plain'}, data='x')
    assert str(err.value).startswith('nuvy token request: HTTP 400 Bad Request: invalid_request: "Content-Type')


def test_secrets_are_redacted_from_a_reflecting_server(emulator):
    emulator.fault(TOKEN, body='echo')
    form = dict(grant_type='client_credentials', client_id=CLIENT_ID, client_secret=SECRET)
    with pytest.raises(HttpStatusError) as err:
        client(emulator, secrets=[SECRET]).request('token request', 'POST', emulator.url + TOKEN,
                                                   headers={'Authorization': basic_credentials('x', SECRET)}, data=form)
    message = str(err.value)
    assert 'got' in message  # the reflected text is there...
    encoded = base64.b64encode(('x:' + SECRET).encode()).decode()
    for form_of_secret in (SECRET, 'Qz%2B7%25%2F%3A%26%3D+~%21s3cr3t', 'Qz%2B7%25%2F%3A%26%3D%20~%21s3cr3t'):
        assert form_of_secret not in message  # ...but no form of the secret
    assert encoded != message and '********' in message


def test_non_json_error_body_gives_a_short_excerpt(emulator):
    emulator.fault(TOKEN, body='html', status=502)
    with pytest.raises(HttpStatusError) as err:
        client(emulator, retries=0).request('token request', 'POST', emulator.url + TOKEN, **token_request())
    message = str(err.value)
    assert 'non-JSON body: "Bad Gateway 502 Bad Gateway The proxy could not reach' in message
    assert '<' not in message and '\n' not in message


def test_truncated_json_success_body(emulator):
    emulator.fault(TOKEN, body='truncated')
    with pytest.raises(TokenError) as err:
        client(emulator).json('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert 'not a JSON object' in str(err.value) and 'tru' in str(err.value)


def test_header_values_become_plain_str():
    class Tagged(str):
        pass
    headers = _http.plain_headers({Tagged('X-A'): Tagged('v'), 'X-B': 5, 'X-C': None})
    assert headers == {'X-A': 'v', 'X-B': '5'}
    assert all(k.__class__ is str and v.__class__ is str for k, v in headers.items())


def test_url_userinfo_never_reaches_a_message():
    with pytest.raises(TokenError) as err:
        HttpClient(Options({}), 'nuvy').check_url('http://alice:hunter22@example.com/token')
    assert 'hunter22' not in str(err.value) and 'alice' not in str(err.value)


def test_not_a_url():
    with pytest.raises(TokenError) as err:
        HttpClient(Options({}), 'nuvy').check_url('example.com/token')
    assert 'is not an http(s) URL' in str(err.value)


def test_client_certificate_for_mutual_tls(mtls_emulator):
    state_dir = mtls_emulator.emulator.state_dir
    with pytest.raises(TokenError) as err:
        client(mtls_emulator, retries=0).request('token request', 'POST', mtls_emulator.url + TOKEN, **token_request())
    assert 'client_cert' in str(err.value)  # the server wants a certificate we did not send
    for cert, key in ((os.path.join(state_dir, 'client.pem'), os.path.join(state_dir, 'client.key')),
                      (os.path.join(state_dir, 'client-combined.pem'), None)):
        response, _sent_at = client(mtls_emulator, client_cert=cert, client_key=key).request(
            'token request', 'POST', mtls_emulator.url + TOKEN, **token_request())
        assert response.status_code == 200


def test_missing_tls_files_are_named_before_anything_is_sent(emulator):
    with pytest.raises(TokenError) as err:
        client(emulator, client_cert='/nonexistent/client.pem').request('token request', 'POST', emulator.url + TOKEN)
    assert 'client_cert /nonexistent/client.pem is not a readable file' in str(err.value)
    assert emulator.counters() == {}


def test_proxy_from_the_environment_and_use_proxy_false(emulator, monkeypatch):
    monkeypatch.setenv('https_proxy', 'http://127.0.0.1:9')  # nothing listens there
    monkeypatch.delenv('no_proxy', raising=False)
    monkeypatch.delenv('NO_PROXY', raising=False)
    with pytest.raises(TokenError) as err:
        client(emulator, retries=0).request('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert 'ProxyError' in str(err.value) or 'proxy' in str(err.value).lower()
    response, _sent_at = client(emulator, use_proxy=False).request(
        'token request', 'POST', emulator.url + TOKEN, **token_request())
    assert response.status_code == 200
    monkeypatch.setenv('no_proxy', '127.0.0.1')
    response, _sent_at = client(emulator).request('token request', 'POST', emulator.url + TOKEN, **token_request())
    assert response.status_code == 200  # no_proxy is honoured
