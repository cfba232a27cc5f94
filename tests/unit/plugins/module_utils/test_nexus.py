# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Nexus user tokens against the emulator in every generation."""

import base64
import json

import pytest
import requests

from ansible_collections.tokensmith.auth.plugins.module_utils import _nexus
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import Redactor, TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient
from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

USERNAME = CREDENTIALS['test_nexus_username']
PASSWORD = CREDENTIALS['test_nexus_password']

INSTANCES = {'2.5.0': '/nexus', '2.14.5': '/nexus', '3.5.0': '', '3.10.0': '', '3.70.1': ''}
EXPECTED = {'2.5.0': '2.0', '2.14.5': '2.7', '3.5.0': '2.7', '3.10.0': '3.8', '3.70.1': '3.24'}


def base(emulator, instance, context=None):
    return '%s/nxrm/%s%s' % (emulator.url, instance, INSTANCES.get(instance.split('-')[0], '') if context is None else context)


def run(emulator, instance='3.70.1', check_mode=False, warnings=None, **options):
    values = dict(url=base(emulator, instance), username=USERNAME, password=PASSWORD, ca_path=emulator.ca,
                  api_version='auto', state='present', register_fact=True, retries=0)
    values.update(options)
    opts = Options(values)
    return _nexus.PROVIDER.run(opts, HttpClient(opts, 'nexus', Redactor(), (warnings if warnings is not None else []).append),
                               check_mode)


def protected(emulator, instance, result):
    url = base(emulator, instance) + '/repository/protected/'
    return requests.get(url, auth=(result['name_code'], result['pass_code']), verify=emulator.ca, timeout=5).status_code


@pytest.mark.parametrize('instance', sorted(INSTANCES))
def test_present_twice_is_stable(emulator, instance):
    first = run(emulator, instance)
    again = run(emulator, instance)
    assert first['api_version'] == EXPECTED[instance]
    assert (again['name_code'], again['pass_code']) == (first['name_code'], first['pass_code'])
    assert again['changed'] is False
    assert first['changed'] is (EXPECTED[instance] == '3.24')  # only 3.24+ creates explicitly
    assert first['ansible_facts']['nexus_user_token']['pass_code'] == first['pass_code']
    assert protected(emulator, instance, first) == 200


@pytest.mark.parametrize('instance', sorted(INSTANCES))
def test_explicit_api_version(emulator, instance):
    version = {'2.0': '2.0', '2.7': '2.7' if instance.startswith('2') else '3.0', '3.8': '3.8', '3.24': '3.24'}
    result = run(emulator, instance, api_version=version[EXPECTED[instance]])
    assert result['api_version'] == EXPECTED[instance]


@pytest.mark.parametrize('instance', sorted(INSTANCES))
def test_reset_gives_a_new_token_and_the_old_one_is_refused(emulator, instance):
    first = run(emulator, instance)
    reset = run(emulator, instance, state='reset')
    assert reset['changed'] is True and reset['pass_code'] != first['pass_code']
    assert protected(emulator, instance, first) == 401
    assert protected(emulator, instance, reset) == 200


def test_fresh_ticket_for_every_call(emulator):
    run(emulator, '3.70.1', api_version='3.24')           # read (404) then create: two calls, two tickets
    assert emulator.count('nexus.ticket') == 2 and emulator.count('nexus.token') == 2
    run(emulator, '3.70.1', api_version='3.24', state='reset')  # delete then create
    assert emulator.count('nexus.ticket') == 4


def test_auto_detection_reuses_its_ticket(emulator):
    run(emulator, '2.14.5')
    # rest/wonderland 404 (not counted: no such endpoint), a siesta ticket (Server says 2.14), and one token call
    # that uses the detection ticket instead of asking for another
    assert emulator.count('nexus.ticket') == 1 and emulator.count('nexus.token') == 1


def test_slow_server_expires_the_first_ticket(emulator):
    emulator.config(nexus_ticket_lifetime=1)
    emulator.fault('/nxrm/3.70.1/service/rest/internal/current-user/user-token', delay=1.5)
    warnings = []
    result = run(emulator, '3.70.1', api_version='3.24', warnings=warnings)
    assert result['pass_code'] and any('ticket was refused' in w for w in warnings)


def test_ticket_in_query_is_base64(emulator):
    run(emulator, '3.70.1', api_version='3.24')
    last = emulator.last('nexus.token')
    ticket = base64.b64decode(last['query']['authToken'][0]).decode()
    assert ticket and 'X-NX-AuthTicket' not in last['headers']


def test_ticket_payload_is_base64_utf8(emulator):
    result = run(emulator, '3.10.0', username=CREDENTIALS['test_nexus_unicode_username'],
                 password=CREDENTIALS['test_nexus_unicode_password'])
    sent = emulator.last('nexus.ticket')
    payload = json.loads(sent['body'])
    assert base64.b64decode(payload['u']).decode('utf-8') == CREDENTIALS['test_nexus_unicode_username']
    assert base64.b64decode(payload['p']).decode('utf-8') == CREDENTIALS['test_nexus_unicode_password']
    assert result['pass_code']


def test_absent(emulator):
    assert run(emulator, '3.70.1', state='absent')['changed'] is False   # none yet
    first = run(emulator, '3.70.1')
    assert run(emulator, '3.70.1', state='absent', check_mode=True)['changed'] is True
    assert protected(emulator, '3.70.1', first) == 200
    assert run(emulator, '3.70.1', state='absent')['changed'] is True
    assert protected(emulator, '3.70.1', first) == 401
    assert run(emulator, '3.70.1', state='absent')['changed'] is False


def test_check_mode_present_never_creates_on_3_24(emulator):
    result = run(emulator, '3.70.1', check_mode=True)
    # pass_code is there, null (it was left out, which broke every task after it: the managed-nodes issue)
    assert result['changed'] is True and result['pass_code'] is None and result['source'] == 'check_mode'
    assert emulator.emulator.state.nexus_tokens == {}


def test_check_mode_reset_does_nothing(emulator):
    first = run(emulator, '2.14.5')
    run(emulator, '2.14.5', state='reset', check_mode=True)
    assert protected(emulator, '2.14.5', first) == 200


@pytest.mark.parametrize('options, words', [
    (dict(password='wrong'), ['HTTP 401', 'rejected the username or password']),
    (dict(username='nobody'), ['HTTP 401']),
])
def test_credential_errors(emulator, options, words):
    with pytest.raises(TokenError) as err:
        run(emulator, '3.70.1', **options)
    for word in words:
        assert word in str(err.value)
    assert options.get('password', PASSWORD) not in str(err.value)


@pytest.mark.parametrize('instance, says', [('3.70.1', False), ('2.14.5', True)])
def test_username_mismatch_and_authentication_failed(emulator, instance, says):
    """NXRM 3 sends these without a body (NXRM 2 with one): the hint comes from the status and the step."""
    flow = _nexus.NexusFlow(Options(dict(url=base(emulator, instance), username=USERNAME, password=PASSWORD,
                                         ca_path=emulator.ca, retries=0)), HttpClient(Options(dict(ca_path=emulator.ca, retries=0)), 'nexus'))
    flow.payload = dict(flow.payload, u=base64.b64encode(b'someone').decode())
    with pytest.raises(TokenError) as err:
        flow.detect()
    assert 'HTTP 400' in str(err.value) and 'proxy' in str(err.value)
    assert ('Username mismatch' in str(err.value)) is says
    assert says or ('empty body' in str(err.value) and 'Security > User Tokens' in str(err.value))
    flow.payload = dict(u=base64.b64encode(b'admin').decode(), p=base64.b64encode(b'nope').decode())
    with pytest.raises(TokenError) as err:
        flow.detect()
    assert 'HTTP 403' in str(err.value) and 'check password' in str(err.value)
    assert ('Authentication failed' in str(err.value)) is says


def test_feature_disabled(emulator):
    with pytest.raises(TokenError) as err:
        run(emulator, '3.70.1-nofeature')
    assert 'User-token feature is not enabled' in str(err.value) and 'Security > User Tokens' in str(err.value)


@pytest.mark.parametrize('instance, context', [('3.70.1-oss', ''), ('2.14.5', '')])
def test_no_user_token_api_here(emulator, instance, context):
    with pytest.raises(TokenError) as err:
        run(emulator, instance, url=base(emulator, instance, context))
    assert 'no user-token API' in str(err.value) and '/nexus for a default NXRM 2' in str(err.value)


def test_colon_in_username_is_refused_before_any_request(emulator):
    with pytest.raises(TokenError, match='contains a colon'):
        run(emulator, username='a:b')
    assert emulator.counters() == {}


def test_missing_url(emulator):
    with pytest.raises(TokenError, match='NEXUS_URL'):
        run(emulator, url=None)


def test_plain_http_needs_the_opt_in(plain_emulator):
    with pytest.raises(TokenError, match='allow_plain_http'):
        run(plain_emulator, ca_path=None)
    warnings = []
    result = run(plain_emulator, ca_path=None, allow_plain_http=True, warnings=warnings)
    assert result['pass_code'] and any('unencrypted' in w for w in warnings)


def test_no_secret_in_any_error(emulator):
    emulator.fault('/nxrm/3.70.1/service/rest/wonderland/authenticate', body='echo', status=400)
    with pytest.raises(TokenError) as err:
        run(emulator, '3.70.1', api_version='3.24')
    message = str(err.value)
    assert PASSWORD not in message
    assert base64.b64encode(('%s:%s' % (USERNAME, PASSWORD)).encode()).decode() not in message
    assert base64.b64encode(PASSWORD.encode()).decode() not in message
