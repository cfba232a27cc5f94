# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one token model: lifetime arithmetic and the reuse rule."""

import pytest

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token, format_time, parse_time

SENT = 1_800_000_000  # 2027-01-15T08:00:00Z


def test_expiry_counts_from_when_the_request_was_sent():
    token = Token.from_response({'access_token': 'a', 'expires_in': 3600, 'token_type': 'bearer'}, SENT, 99)
    assert token.expires_at == SENT + 3600
    fields = token.to_dict(now=SENT + 10)
    assert fields == dict(access_token='a', token_type='Bearer', expires_in=3590,
                          expires_at='2027-01-15T09:00:00Z', scope=None)


def test_default_lifetime_when_the_server_omits_it():
    assert Token.from_response({'access_token': 'a'}, SENT, 3600).expires_at == SENT + 3600
    assert Token.from_response({'access_token': 'a', 'expires_in': 'junk'}, SENT, 60).expires_at == SENT + 60
    assert Token.from_response({'access_token': 'a', 'expires_in': '120'}, SENT, 60).expires_at == SENT + 120


def test_requested_scope_when_the_server_omits_it():
    assert Token.from_response({'access_token': 'a'}, SENT, 1, ['x', 'y']).scope == 'x y'
    assert Token.from_response({'access_token': 'a', 'scope': 'x'}, SENT, 1, ['x', 'y']).scope == 'x'


@pytest.mark.parametrize('remaining, min_ttl, valid', [
    (3600, 60, True), (60, 60, True), (59.9, 60, False), (0, 0, True), (-1, 0, False)])
def test_reuse_rule(remaining, min_ttl, valid):
    token = Token('a', expires_at=SENT + remaining)
    assert token.is_valid(min_ttl, now=SENT) is valid


def test_unknown_expiry_is_never_valid():
    assert Token('a').is_valid(0) is False
    assert Token('a').to_dict()['expires_in'] is None


def test_round_trip_through_a_result():
    issued = Token.from_response({'access_token': 'a', 'expires_in': 600, 'scope': 's'}, SENT, 1,
                                 extra={'user': {'id': 1}})
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
    with pytest.raises(TokenError, match='no access_token'):
        Token.from_response({'token_type': 'Bearer'}, SENT, 1)


@pytest.mark.parametrize('text', ['2027-01-15T08:00:00Z', '2027-01-15T08:00:00+00:00', '2027-01-15 08:00:00',
                                  '2027-01-15T08:00:00.000Z'])
def test_time_formats(text):
    assert parse_time(text) == SENT
    assert format_time(SENT) == '2027-01-15T08:00:00Z'
