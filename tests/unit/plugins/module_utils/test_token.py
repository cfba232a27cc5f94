# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one token model: lifetime arithmetic and the reuse rule."""

import pytest

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient
from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
from ansible_collections.tokensmith.auth.plugins.module_utils._answer import Answer, token_from_answer
from ansible_collections.tokensmith.auth.plugins.module_utils._options import MAX_LIFETIME, check_text, check_verbatim
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token, format_time, parse_time

SENT = 1_800_000_000  # 2027-01-15T08:00:00Z


def from_response(data, sent_at, default_expires_in, requested_scope=None, extra=None):
    answer = Answer(data, HttpClient(Options({}), 'nuvy'), 'token request')
    return token_from_answer(answer, sent_at, default_expires_in, requested_scope, extra)


def test_expiry_counts_from_when_the_request_was_sent():
    token = from_response({'access_token': 'a', 'expires_in': 3600, 'token_type': 'bearer'}, SENT, 99)
    assert token.expires_at == SENT + 3600
    fields = token.to_dict(now=SENT + 10)
    assert fields == dict(access_token='a', token_type='Bearer', expires_in=3590,
                          expires_at='2027-01-15T09:00:00Z', scope=None)


def test_default_lifetime_when_the_server_omits_it():
    assert from_response({'access_token': 'a'}, SENT, 3600).expires_at == SENT + 3600
    assert from_response({'access_token': 'a', 'expires_in': None}, SENT, 60).expires_at == SENT + 60
    assert from_response({'access_token': 'a', 'expires_in': '120'}, SENT, 60).expires_at == SENT + 120


@pytest.mark.parametrize('expires_in, words', [
    ('junk', 'expires_in is a string, not a number of seconds'), (True, 'is a boolean'), ({'s': 1}, 'is an object'),
    (-5, 'not a number of seconds from 0 up'), (float('nan'), 'from 0 up'), ('-inf', 'from 0 up')])
def test_a_wrong_lifetime_is_a_clear_error(expires_in, words):
    with pytest.raises(TokenError) as err:
        from_response({'access_token': 'a', 'expires_in': expires_in}, SENT, 60)
    assert str(err.value).startswith('nuvy token request: the answer') and words in str(err.value)


@pytest.mark.parametrize('expires_in', [1e400, 1000000000000, '1e400', 10 ** 30])
def test_an_absurd_lifetime_is_clamped_to_the_longest_any_token_lives_here(expires_in):
    token = from_response({'access_token': 'a', 'expires_in': expires_in}, SENT, 60)
    assert token.expires_at == SENT + MAX_LIFETIME
    assert token.to_dict(now=SENT)['expires_at'] == format_time(SENT + MAX_LIFETIME)


@pytest.mark.parametrize('data, words', [
    ({'access_token': {'a': 1}}, 'access_token is an object, not a string'),
    ({'access_token': 12345}, 'access_token is a number, not a string'),
    ({'access_token': 'abc\ndef'}, 'access_token holds a control character'),
    ({'access_token': 'a', 'token_type': ['Bearer']}, 'token_type is a list'),
    ({'access_token': 'a', 'scope': 7}, 'scope is a number'),
])
def test_wrong_fields_are_named(data, words):
    with pytest.raises(TokenError) as err:
        from_response(data, SENT, 60)
    assert words in str(err.value) and 'abc' not in str(err.value)


def test_a_scope_list_is_joined():
    assert from_response({'access_token': 'a', 'scope': ['x', 'y']}, SENT, 60).scope == 'x y'


def test_requested_scope_when_the_server_omits_it():
    assert from_response({'access_token': 'a'}, SENT, 1, ['x', 'y']).scope == 'x y'
    assert from_response({'access_token': 'a', 'scope': 'x'}, SENT, 1, ['x', 'y']).scope == 'x'


@pytest.mark.parametrize('remaining, min_ttl, valid', [
    (3600, 60, True), (60, 60, True), (59.9, 60, False), (0, 0, True), (-1, 0, False)])
def test_reuse_rule(remaining, min_ttl, valid):
    token = Token('a', expires_at=SENT + remaining)
    assert token.is_valid(min_ttl, now=SENT) is valid


def test_unknown_expiry_is_never_valid():
    assert Token('a').is_valid(0) is False
    assert Token('a').to_dict()['expires_in'] is None


def test_round_trip_through_a_result():
    issued = from_response({'access_token': 'a', 'expires_in': 600, 'scope': 's'}, SENT, 1, extra={'user': {'id': 1}})
    again = Token.from_input(dict(issued.to_dict(now=SENT), source='issued'))
    assert (again.access_token, again.expires_at, again.scope, again.extra) == ('a', SENT + 600, 's', {'user': {'id': 1}})


def test_bare_string_and_empty_input():
    assert Token.from_input('  abc \n').access_token == 'abc'
    assert Token.from_input(None) is None and Token.from_input('') is None


def test_bad_token_dicts_are_clear():
    with pytest.raises(TokenError, match='without access_token'):
        Token.from_input({'expires_at': '2027-01-15T09:00:00Z'})
    with pytest.raises(TokenError, match='unreadable expires_at'):
        Token.from_input({'access_token': 'a', 'expires_at': 'tomorrow'})


def test_no_access_token_in_answer():
    with pytest.raises(TokenError, match='without an access_token'):
        from_response({'token_type': 'Bearer'}, SENT, 1)


@pytest.mark.parametrize('text', ['2027-01-15T08:00:00Z', '2027-01-15T08:00:00+00:00', '2027-01-15 08:00:00',
                                  '2027-01-15T08:00:00.000Z', '2027-01-15T09:00:00.000+01:00',
                                  '2027-01-15T03:30:00-0430', '2027-01-15T08:00:00.000000000Z'])
def test_time_formats(text):
    assert parse_time(text) == SENT
    assert format_time(SENT) == '2027-01-15T08:00:00Z'


def test_sonatype_fixture_date_with_a_local_offset():
    assert parse_time('2020-04-23T21:49:40.112+01:00') == parse_time('2020-04-23T20:49:40.112Z')


@pytest.mark.parametrize('text', ['tomorrow', '2027-13-01T00:00:00Z', '2027-01-15T08:00:00+1', ''])
def test_unreadable_times(text):
    with pytest.raises(ValueError):
        parse_time(text)


def test_a_bare_token_with_a_newline_inside_is_refused_by_name():
    with pytest.raises(TokenError) as err:
        Token.from_input({'access_token': 'abc\rdef', 'expires_at': None})
    assert 'control character' in str(err.value) and 'abc' not in str(err.value)
    with pytest.raises(TokenError, match='is an object, not a string'):
        Token.from_input({'access_token': {'a': 1}})


def test_an_expiry_in_epoch_seconds_is_taken_as_it_is():
    token = Token.from_input({'access_token': 'a', 'expires_at': SENT + 0.5})
    assert token.expires_at == SENT + 0.5 and token.to_dict(now=SENT)['expires_at'] == format_time(SENT)
    for wrong in (float('inf'), float('nan'), True):
        with pytest.raises(TokenError, match='unreadable expires_at'):
            Token.from_input({'access_token': 'a', 'expires_at': wrong})


def _refused(check, value):
    try:
        check('x', value)
    except TokenError:
        return True
    return False


def test_the_characters_each_check_refuses():
    # Every code point of the first planes that matter, and the far ones: exactly the C0 and C1 controls, DEL and
    # the Unicode line and paragraph separators are refused in a credential; a verbatim one takes \x21-\x7e only.
    points = list(range(0x3000)) + [0xfeff, 0xfffd, 0x1f600, 0x10ffff]
    controls = set(range(0x20)) | set(range(0x7f, 0xa0)) | {0x2028, 0x2029}
    assert set(code for code in points if _refused(check_text, 'ab%scd' % chr(code))) == controls
    assert set(code for code in points if not _refused(check_verbatim, 'ab%scd' % chr(code))) == set(range(0x21, 0x7f))
    assert not _refused(check_verbatim, '') and not _refused(check_text, '')
