# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every fault at every byte, in its bounded form: each step of each flow, through a proxy that closes, resets or
stalls the connection after exactly N bytes (TLS end to end), ends in success - after a retry - or one clear line
within the bound, and a step that changed state at the server leaves the user a working token. A fixed sample of
offsets covers the handshake and the answer of every step with every kind of fault in both directions; make sweep
runs them all (tests/benchmarks/fault_sweep.py)."""

import pytest
import requests

from ansible_collections.tokensmith.auth.plugins.module_utils import _http
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import Redactor, TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient
from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
from ansible_collections.tokensmith.auth.plugins.module_utils._providers import load
from ansible_collections.tokensmith.auth.plugins.modules import nuvy_oauth_token
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS
from ansible_collections.tokensmith.auth.tests.emulator.faults import KINDS, FaultProxy, tally
from ansible_collections.tokensmith.auth.tests.emulator.sweep import Runner, exchanges, sample_plan
from ansible_collections.tokensmith.auth.tests.unit.plugins.modules.runner import run_module

NUVY = dict(client_id=CREDENTIALS['test_nuvy_client_id'], client_secret=CREDENTIALS['test_nuvy_client_secret'])


def base(emulator):
    def protected_nexus(name, password):
        return requests.get(emulator.url + '/nxrm/3.70.1/repository/protected/', auth=(name, password),
                            verify=emulator.ca, timeout=10).status_code == 200

    def protected_nexla(token):
        return requests.get(emulator.url + '/nexla-api/data_sources', verify=emulator.ca, timeout=10,
                            headers={'Authorization': 'Bearer ' + token,
                                     'Accept': 'application/vnd.nexla.api.v1+json'}).status_code == 200
    return dict(url=emulator.url, ca=emulator.ca, invalidate=lambda name: emulator.post('invalidate', {'provider': name}),
                protected_nexus=protected_nexus, protected_nexla=protected_nexla)


@pytest.fixture
def runner(emulator, monkeypatch):
    monkeypatch.setattr(_http, 'BACKOFF_BASE', _http.BACKOFF_BASE)  # restored after the Runner's change
    sweep = Runner(base(emulator))
    yield sweep
    sweep.close()


@pytest.mark.parametrize('name', [exchange.name for exchange in exchanges()])
def test_every_fault_ends_in_success_or_one_clear_line(runner, emulator, name):
    exchange = next(exchange for exchange in exchanges() if exchange.name == name)
    recorded = runner.record(exchange)
    faults = list(runner.faults(exchange, recorded, sample_plan))
    outcomes = [runner.replay(exchange, fault) for fault in faults]
    counts, _longest = tally(outcomes)
    assert [outcome for outcome in outcomes if outcome.verdict == 'bad'] == [], counts
    # the sample reached every kind of fault, both directions, the handshake and the answer
    assert set(fault['kind'] for fault in faults) == set(KINDS)
    assert set(fault['where'] for fault in faults if fault['direction'] == 'down') >= {'handshake', 'application'}


def _plain_client(plain_emulator, url, **options):
    values = dict(token_url=url + '/nexus/oauth2/token', allow_plain_http=True, timeout=5, retries=0, scope=[],
                  auth_method='client_secret_post', use_proxy=False, **NUVY)
    values.update(options)
    opts = Options(values)
    return lambda: load('nuvy').run(opts, HttpClient(opts, 'nuvy', Redactor()))


def test_a_body_cut_mid_transfer_is_a_transport_fault_retried_not_a_crash(plain_emulator):
    # Over plain http the offsets are the answer's own bytes: cut 24 bytes into the body the headers announce.
    upstream = ('127.0.0.1', int(plain_emulator.url.rsplit(':', 1)[1]))
    with FaultProxy(upstream) as proxy:
        _plain_client(plain_emulator, 'http://127.0.0.1:%d' % proxy.port)()
        answer = bytes(proxy.connections[0]['down'])
    head = answer.index(b'\r\n\r\n') + 4
    fault = dict(connection=0, direction='down', offset=head + 24, kind='close')
    with FaultProxy(upstream, fault) as proxy:
        with pytest.raises(TokenError) as err:
            _plain_client(plain_emulator, 'http://127.0.0.1:%d' % proxy.port)()
    message = str(err.value)
    assert 'unexpected error' not in message and 'please report it' not in message
    assert message.startswith('nuvy token request: could not get an answer from 127.0.0.1:%d after 1 attempt(s)'
                              % proxy.port)
    assert 'the connection closed after 24 of the' in message or 'broke after 24 bytes' in message
    with FaultProxy(upstream, fault) as proxy:  # with a retry, it heals
        assert _plain_client(plain_emulator, 'http://127.0.0.1:%d' % proxy.port, retries=1)()['access_token']


def test_the_module_says_it_in_one_line_too(plain_emulator, capsys):
    upstream = ('127.0.0.1', int(plain_emulator.url.rsplit(':', 1)[1]))
    fault = dict(connection=0, direction='down', offset=200, kind='reset')
    with FaultProxy(upstream, fault) as proxy:
        result, raw = run_module(nuvy_oauth_token.main, dict(
            token_url='http://127.0.0.1:%d/nexus/oauth2/token' % proxy.port, allow_plain_http=True, retries=0,
            **NUVY), capsys)
    assert result['failed'] and 'could not get an answer from' in result['msg'] and '\n' not in result['msg']
    assert 'unexpected error' not in raw and CREDENTIALS['test_nuvy_client_secret'] not in raw


@pytest.mark.parametrize('kind', ['close', 'reset'])
def test_a_tls_handshake_broken_off_is_retried_and_not_blamed_on_certificates(emulator, kind):
    upstream = ('127.0.0.1', int(emulator.url.rsplit(':', 1)[1]))
    values = dict(token_url=None, ca_path=emulator.ca, timeout=5, scope=[], auth_method='auto', use_proxy=False, **NUVY)
    for offset in (5, 60):  # inside the server's hello
        fault = dict(connection=0, direction='down', offset=offset, kind=kind)
        with FaultProxy(upstream, fault) as proxy:
            opts = Options(dict(values, token_url='https://127.0.0.1:%d/nexus/oauth2/token' % proxy.port, retries=1))
            assert load('nuvy').run(opts, HttpClient(opts, 'nuvy', Redactor()))['access_token']
        with FaultProxy(upstream, fault) as proxy:
            opts = Options(dict(values, token_url='https://127.0.0.1:%d/nexus/oauth2/token' % proxy.port, retries=0))
            with pytest.raises(TokenError) as err:
                load('nuvy').run(opts, HttpClient(opts, 'nuvy', Redactor()))
        message = str(err.value)
        assert 'could not get an answer from' in message and 'ca_path' not in message
        assert ('the TLS handshake broke off' if kind == 'close' else 'Connection reset by peer') in message


def test_a_certificate_problem_still_points_at_ca_path(emulator):
    opts = Options(dict(token_url=emulator.url + '/nexus/oauth2/token', timeout=5, retries=2, scope=[],
                        auth_method='auto', use_proxy=False, **NUVY))  # no ca_path: the emulator's CA is unknown
    with pytest.raises(TokenError) as err:
        load('nuvy').run(opts, HttpClient(opts, 'nuvy', Redactor()))
    assert 'TLS handshake with' in str(err.value) and 'set ca_path' in str(err.value)
    assert emulator.count('nuvy.token') == 0
