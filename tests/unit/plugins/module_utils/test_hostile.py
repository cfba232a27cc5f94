# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A hostile or broken server, over real sockets: every answer ends in one clear line, in time and in bounded
memory; the error line costs the same for a 10 KB and a 1 MB page, and no form of a secret survives in it."""

import io
import json
import time
import tracemalloc
import types
import zlib

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.tokensmith.auth.plugins.module_utils import _http
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import (
    LINE_LENGTH, SCAN_LENGTH, HttpStatusError, Redactor, TokenError, excerpt)
from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient, Reply
from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
from ansible_collections.tokensmith.auth.tests.unit.plugins.module_utils.test_http import token_request
from ansible_collections.tokensmith.auth.tests.unit.plugins.module_utils.test_properties import forms, secrets
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

SECRET = CREDENTIALS['test_nuvy_client_secret']

TOKEN = '/nexus/oauth2/token'
MiB = 1024 * 1024


def fetch(emulator, sleeps=None, **options):
    values = dict(ca_path=emulator.ca, retries=0, timeout=10)
    values.update(options)
    client = HttpClient(Options(values), 'nuvy', Redactor([SECRET]),
                        sleep=(sleeps.append if sleeps is not None else lambda seconds: None))
    return client.json('token request', 'POST', emulator.url + TOKEN, **token_request())


def failure(emulator, **options):
    with pytest.raises(TokenError) as err:
        fetch(emulator, **options)
    line = str(err.value)
    assert '\n' not in line and 'unexpected' not in line and len(line) <= 600, line
    return line


def bounded_failure(emulator):
    """failure(), with what Python allocated meanwhile under a ceiling: a 50 MB (or 1 GiB inflated) body read whole
    would take that much at least."""
    tracemalloc.start()
    try:
        line = failure(emulator)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * _http.ANSWER_LIMIT, peak
    return line


@pytest.mark.parametrize('trickle_headers', [False, True])
def test_a_trickling_answer_ends_at_the_timeout(emulator, trickle_headers):
    # 89 bytes at 0.4 s each take 36 s; each byte comes well within the per-read timeout, so only a deadline
    # for the whole attempt ends it.
    emulator.fault(TOKEN, hostile=True, text=json.dumps({'access_token': 'a' * 40, 'expires_in': 3600,
                                                         'token_type': 'Bearer'}), trickle=0.4,
                   trickle_headers=trickle_headers)
    line = failure(emulator, timeout=2)
    assert 'the whole answer did not arrive within timeout (2 s)' in line and 'after 1 attempt(s)' in line


def test_a_trickle_is_retried_and_each_attempt_has_its_own_deadline(emulator):
    emulator.fault(TOKEN, hostile=True, text='{}', trickle=0.5, trickle_headers=True, count=1)
    data, _sent_at = fetch(emulator, timeout=1.5, retries=1)
    assert data['access_token'] and emulator.count('nuvy.token') == 1


@pytest.mark.parametrize('status', [200, 500])
def test_a_huge_body_is_read_only_to_the_limit(emulator, status):
    emulator.fault(TOKEN, hostile=True, status=status, size=50 * MiB, filler='word ', content_type='text/plain')
    line = bounded_failure(emulator)
    if status == 200:
        assert 'larger than 4 MiB' in line and 'stopped reading' in line
    else:
        assert 'HTTP 500' in line and 'non-JSON body: "word word' in line


def test_a_large_content_length_is_refused_unread(emulator):
    emulator.fault(TOKEN, hostile=True, size=50 * MiB, headers={'Content-Length': str(50 * MiB)})
    assert 'larger than 4 MiB' in failure(emulator)


@pytest.mark.parametrize('status', [200, 503])
def test_a_gzip_bomb_is_inflated_only_to_the_limit(emulator, status):
    emulator.fault(TOKEN, hostile=True, status=status, size=2 ** 30, filler='\0', gzip=True, content_type='text/plain')
    line = bounded_failure(emulator)
    assert ('larger than 4 MiB' in line) if status == 200 else ('HTTP 503' in line)


def test_a_real_gzip_answer_still_works(emulator):
    emulator.fault(TOKEN, hostile=True, gzip=True, text=json.dumps({'access_token': 't' * 2 * MiB, 'expires_in': 60}))
    data, _sent_at = fetch(emulator)
    assert len(data['access_token']) == 2 * MiB  # a 2 MB token works, compressed or not


def test_deep_nesting_is_a_clear_line(emulator):
    emulator.fault(TOKEN, hostile=True, nest=100000)
    assert 'not a JSON object' in failure(emulator)
    emulator.fault(TOKEN, hostile=True, status=400, nest=100000)
    assert 'HTTP 400' in failure(emulator)


@pytest.mark.parametrize('fault', [
    dict(status=400, text=json.dumps({'error': 'invalid_request', 'error_description': 'd' * 200000})),
    dict(status=400, text=json.dumps({'error': 'e' * 200000})),
    dict(status=418, reason='r' * 60000, text=''),
    dict(status=302, headers={'Location': 'https://user:pw@' + 'l' * 60000}, text=''),
    dict(status=200, content_type='c' * 60000, text='<html>not json</html>'),
    dict(status=500, content_type='text/html', text='<' * 100000),
    dict(status=500, content_type='text/plain', text='a://' * 30000),
])
def test_every_provider_string_is_cut(emulator, fault):
    emulator.fault(TOKEN, hostile=True, **fault)
    failure(emulator)


@pytest.mark.parametrize('value, expected', [('9' * 400, 'beyond the 60 s'), (u'\u00b2', None), ('0', None)])
def test_hostile_retry_after_values(emulator, value, expected):
    emulator.fault(TOKEN, status=503, retry_after=value, count=20)
    sleeps = []
    if expected:
        assert expected in failure(emulator, sleeps=sleeps, retries=20)
        assert sleeps == []
        return
    with pytest.raises(HttpStatusError):
        fetch(emulator, sleeps, retries=20)
    # The server's delay is a floor under the backoff, never a way around it: the wait budget ends the retries
    # long before the 20 the user allowed, and no wait is zero.
    assert sleeps[0] >= _http.BACKOFF_BASE / 2 and min(sleeps) > 0 and len(sleeps) < 12
    assert sum(sleeps) <= _http.MAX_TOTAL_WAIT + 1e-6


def test_retry_after_reads_only_ascii_digits_and_stays_finite():
    assert _http.retry_after_seconds(u'\u00b2') is None and _http.retry_after_seconds(u'\u0663') is None
    assert _http.retry_after_seconds('9' * 400) == _http.retry_after_seconds('9' * 13) < float('inf')
    assert _http.retry_after_seconds('x' * 10000) is None


# --- the error line: linear in the body, and no secret survives it --------------------------------------------

def _reply(status, body, content_type='text/html'):
    answer = requests.models.Response()
    answer.status_code, answer.reason = status, 'Whatever'
    answer.headers['Content-Type'] = content_type
    return Reply(answer, body.encode('utf-8'))


def _line_cost(body, repeat=3):
    client = HttpClient(Options({}), 'nuvy', Redactor([SECRET]))
    best = None
    for _round in range(repeat):
        started = time.perf_counter()
        str(client._status_error(_reply(500, body), 'token request'))
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best


@pytest.mark.parametrize('unit', ['x', '<', 'a://', '0123456789abcdef', 'https://u:p@h/ ', '<b>'])
def test_the_error_line_costs_no_more_for_1_mb_than_for_10_kb(unit):
    small, large = (unit * (size // len(unit)) for size in (10 * 1024, 1024 * 1024))
    # Linear would be 100 times, quadratic 10,000 times; a bounded prefix is about 1.
    assert _line_cost(large) < 20 * _line_cost(small) + 0.05


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secret=secrets, filler=st.sampled_from(['x', ' ', '<', '\n', 'a://', '<p>']),
       position=st.integers(0, 40000), size=st.integers(0, 1024 * 1024))
def test_no_form_of_a_secret_survives_in_a_long_body(secret, filler, position, size):
    for form in forms(secret):
        body = (filler * (size // len(filler) + 1))[:size]
        position = min(position, len(body))
        body = body[:position] + form + body[position:]
        redactor = Redactor([secret])
        line = excerpt(body, redactor, tags=True)
        assert not [leak for leak in forms(secret) if leak in line], (position, size)


def test_a_secret_cut_at_the_window_edge_does_not_survive():
    secret = 'Edge-Secret-0123456789'
    redactor = Redactor([secret])
    for offset in range(-len(secret), len(secret)):
        body = ' ' * (SCAN_LENGTH + offset) + secret + ' ' * 10
        line = excerpt(body, redactor)
        assert not any(secret[:cut] in line for cut in range(4, len(secret) + 1)), offset


def test_a_long_line_is_bounded():
    err = TokenError('x' * 100000, 'nuvy', 'token request', 'hint')
    assert len(str(err)) == LINE_LENGTH


class _Raw:
    def __init__(self, data):
        self.stream = io.BytesIO(data)

    def read(self, size, decode_content=False):
        assert decode_content is False  # read_body inflates by itself, within its limit
        return self.stream.read(size)


@pytest.mark.parametrize('size', [1, 65535, 65536, 65537, 3 * 65536, 2 * MiB + 7])
@pytest.mark.parametrize('encoding, wbits', [('gzip', 31), ('deflate', 15), ('deflate', -15), ('', None)])
def test_read_body_gives_back_every_byte_of_an_honest_answer(size, encoding, wbits):
    body = (b'0123456789abcdef' * (size // 16 + 1))[:size]
    data = body
    if wbits is not None:
        compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
        data = compressor.compress(body) + compressor.flush()
    response = types.SimpleNamespace(raw=_Raw(data), headers={'Content-Encoding': encoding})
    assert _http.read_body(response, _http.ANSWER_LIMIT) == (body, False)


def test_an_encoding_no_inflater_here_reads_is_one_clear_line(emulator):
    emulator.fault(TOKEN, hostile=True, headers={'Content-Encoding': 'br'}, text='not really brotli')
    assert 'an encoding this collection does not read (br)' in failure(emulator)
