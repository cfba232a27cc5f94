# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Properties, for any input hypothesis can think of: an answer gives a token or a TokenError, nothing else;
a secret never appears, in any form, in any message."""

import base64
import json
import math
from urllib.parse import quote, quote_plus

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.tokensmith.auth.plugins.module_utils import _nexla, _nexus, _nuvy
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import Redactor, TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient, Reply
from ansible_collections.tokensmith.auth.plugins.module_utils._options import MAX_LIFETIME, Options, check_options
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token

SENT = 1_800_000_000
PROFILE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
# Values for every field the parsers read, in every type, plus plausible good ones.
plausible = {
    'access_token': st.text(min_size=1), 'token_type': st.sampled_from(['Bearer', 'bearer', 'mac']),
    'expires_in': st.integers(-10, 10 ** 20) | st.floats() | st.text(), 'scope': st.text() | st.lists(st.text()),
    't': st.text(), 'nameCode': st.text(), 'passCode': st.text(), 'isExpired': st.booleans(),
    'expires': st.text() | st.integers() | st.floats(), 'created': st.text() | st.integers(),
    'user': st.fixed_dictionaries({}, optional={'id': json_values, 'email': json_values, 'api_key': json_values}),
    'org': st.fixed_dictionaries({}, optional={'id': json_values, 'name': json_values}),
    'org_membership': st.fixed_dictionaries({}, optional={'org_id': json_values, 'api_key': json_values}),
}
answers = st.fixed_dictionaries({}, optional=dict((name, strategy | json_values) for name, strategy in plausible.items()))


def http():
    return HttpClient(Options({}), 'test', Redactor())


def parsers():
    client = http()
    return {
        'nuvy': lambda data: _nuvy.token_from(data, SENT, client, ['s']),
        'nexla': lambda data: _nexla.session_from(data, SENT, client, 'login'),
        'nexus token': lambda data: _nexus.token_from(data, client, _nexus.GENERATIONS['3.24'])[0],
        'nexus ticket': lambda data: _nexus.ticket_from(data, client),
    }


@pytest.mark.parametrize('name', sorted(parsers()))
@PROFILE
@given(data=answers | json_values)
def test_every_answer_gives_a_usable_token_or_a_token_error(name, data):
    try:
        result = parsers()[name](data)
    except TokenError as err:
        assert str(err) and '\n' not in str(err)
        return
    if name == 'nexus ticket':
        assert isinstance(result, str) and result
        return
    assert isinstance(result, Token) and isinstance(result.access_token, str) and result.access_token
    assert math.isfinite(result.expires_at) and result.expires_at <= max(SENT, 2 ** 31) + MAX_LIFETIME * 2
    fields = result.to_dict(now=SENT)
    json.dumps(fields)  # the result is plain data
    assert all(isinstance(fields[key], str) for key in ('access_token', 'token_type', 'expires_at'))


secrets = st.text(alphabet=st.characters(blacklist_characters='*', blacklist_categories=('Cs',))
                  | st.sampled_from(list('+%:/&= \n\r\t\x00\x1b"\'\\') + [u'\u00e9', u'\u20ac', u'\U0001f511']),
                  min_size=4, max_size=40).filter(lambda s: s.strip())


def forms(secret):
    """Every form a secret may be printed in, computed here independently of the redactor."""
    raw = {secret, quote(secret, safe=''), quote_plus(secret, safe='')}
    found = set(raw)
    for form in raw:
        found.add(base64.b64encode(form.encode('utf-8')).decode('ascii'))
    for form in list(found):
        found.update({repr(form)[1:-1], json.dumps(form)[1:-1], json.dumps(form, ensure_ascii=False)[1:-1]})
    return [form for form in found if len(form) >= 4]


def response(status, body, content_type):
    answer = requests.models.Response()
    answer.status_code = status
    answer.reason = 'Whatever'
    answer.headers['Content-Type'] = content_type
    return Reply(answer, body.encode('utf-8'))


@PROFILE
@given(secret=secrets, wrapper=st.sampled_from(['{}', 'x{}y', '<p>{}</p>', ' {} ', '{}' * 3]))
def test_no_form_of_a_secret_survives_in_any_message(secret, wrapper):
    client = HttpClient(Options({}), 'nuvy', Redactor([secret]))
    messages = []
    for form in forms(secret):
        # a server that reflects the secret: in an OAuth error, in a JSON message, in an HTML page
        body = json.dumps({'error': 'invalid_client', 'error_description': wrapper.replace('{}', form)})
        messages.append(str(client._status_error(response(401, body, 'application/json'), 'token request')))
        messages.append(str(client._status_error(response(502, '<html>' + wrapper.replace('{}', form) + '</html>', 'text/html'),
                                                 'token request')))
        try:
            client.body(response(200, wrapper.replace('{}', form), 'text/plain'), 'token request')
        except TokenError as err:
            messages.append(str(err))
        # our own code printing it by mistake, as repr or JSON
        messages.append(str(client.error('oops %r %s %s' % (form, json.dumps(form), [form]), 'token request')))
    for name in ('client_secret', 'service_key', 'password'):
        try:
            check_options({name: secret}, [name])
        except TokenError as err:
            messages.append(str(err))
    for message in messages:
        leaked = [form for form in forms(secret) if form in message]
        assert not leaked, (message, leaked)
