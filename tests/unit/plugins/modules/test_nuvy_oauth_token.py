# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nuvy_oauth_token module end to end in-process: secret hygiene, reuse through no_log, check mode."""

import base64
import socket
import sys

import pytest

from ansible_collections.tokensmith.auth.plugins.modules import nuvy_oauth_token
from ansible_collections.tokensmith.auth.tests.unit.plugins.modules.runner import run_module
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

SECRET = CREDENTIALS['test_nuvy_client_secret']
CLIENT_ID = CREDENTIALS['test_nuvy_client_id']


def args(emulator, **extra):
    values = dict(token_url=emulator.url + '/nexus/oauth2/token', client_id=CLIENT_ID, client_secret=SECRET,
                  ca_path=emulator.ca)
    values.update(extra)
    return values


@pytest.mark.parametrize('check_mode', [False, True])
def test_issue_keeps_the_secret_out_of_everything(emulator, capsys, check_mode):
    result, raw = run_module(nuvy_oauth_token.main, args(emulator), capsys, check_mode)
    assert result['changed'] is False and result['source'] == 'issued' and result['access_token']
    assert result['invocation']['module_args']['client_secret'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    for form in (SECRET, base64.b64encode(SECRET.encode()).decode(), 'Qz%2B7%25'):
        assert form not in raw


def test_reused_token_comes_back_usable_but_stays_out_of_invocation(emulator, capsys):
    first = run_module(nuvy_oauth_token.main, args(emulator, register_fact=True), capsys)[0]
    fact = first['ansible_facts']['nuvy_token']
    again, raw = run_module(nuvy_oauth_token.main, args(emulator, token=fact, register_fact=True), capsys)
    assert again['source'] == 'reused' and emulator.count('nuvy.token') == 1
    assert again['access_token'] == fact['access_token']  # not VALUE_SPECIFIED_IN_NO_LOG_PARAMETER
    assert again['token_type'] == 'Bearer' and again['expires_at'] == fact['expires_at']
    assert again['ansible_facts']['nuvy_token']['access_token'] == fact['access_token']
    assert fact['access_token'] not in str(again['invocation'])
    assert again['invocation']['module_args']['token']['access_token'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert raw.count(fact['access_token']) == 2  # the result and the fact, nowhere else


def test_failure_is_one_clean_line(emulator, capsys):
    result, raw = run_module(nuvy_oauth_token.main, args(emulator, scope=['admin']), capsys)
    assert result['failed'] is True and 'invalid_scope' in result['msg'] and '\n' not in result['msg']
    assert 'Traceback' not in raw and SECRET not in raw


def test_env_fallbacks(emulator, capsys, monkeypatch):
    monkeypatch.setenv('NUVY_TOKEN_URL', emulator.url + '/oauth2/token')
    monkeypatch.setenv('NUVY_CLIENT_ID', CLIENT_ID)
    monkeypatch.setenv('NUVY_CLIENT_SECRET', SECRET)
    result, raw = run_module(nuvy_oauth_token.main, dict(ca_path=emulator.ca), capsys)
    assert result['source'] == 'issued' and SECRET not in raw


def test_the_connection_options_fall_back_to_the_lookups_variables(emulator, capsys, monkeypatch):
    # A private CA given as the lookup takes it: TOKENSMITH_CA_PATH (a module failed the handshake without it).
    monkeypatch.setenv('TOKENSMITH_CA_PATH', emulator.ca)
    monkeypatch.setenv('TOKENSMITH_TIMEOUT', '7')
    monkeypatch.setenv('TOKENSMITH_MIN_TTL', '120')
    values = args(emulator)
    del values['ca_path']
    result = run_module(nuvy_oauth_token.main, values, capsys)[0]
    assert result['source'] == 'issued'
    given = result['invocation']['module_args']
    assert given['ca_path'] == emulator.ca and given['timeout'] == 7.0 and given['min_ttl'] == 120
    # an option given wins over the environment
    result = run_module(nuvy_oauth_token.main, args(emulator, timeout=9), capsys)[0]
    assert result['invocation']['module_args']['timeout'] == 9.0


def test_no_fact_unless_asked(emulator, capsys):
    # The registered result is how the docs read the token: no fact, so no token in a persistent fact cache.
    result = run_module(nuvy_oauth_token.main, args(emulator), capsys)[0]
    assert 'ansible_facts' not in result and result['access_token']
    again = run_module(nuvy_oauth_token.main, args(emulator, token=result), capsys)[0]
    assert again['source'] == 'reused' and again['access_token'] == result['access_token']


def test_check_mode_never_revokes(emulator, capsys):
    first = run_module(nuvy_oauth_token.main, args(emulator), capsys)[0]
    result = run_module(nuvy_oauth_token.main, args(emulator, state='absent', token=first,
                                                    revocation_url=emulator.url + '/nexus/oauth2/revoke'),
                        capsys, check_mode=True)[0]
    assert result['changed'] is True and result['revoked'] is False and emulator.count('nuvy.revoke') == 0


def test_a_missing_credential_says_on_which_host_the_environment_was_read(emulator, capsys, monkeypatch):
    monkeypatch.delenv('NUVY_CLIENT_ID', raising=False)
    result = run_module(nuvy_oauth_token.main, dict(args(emulator), client_id=''), capsys)[0]
    assert result['failed'] and 'client_id is required' in result['msg']
    assert 'NUVY_CLIENT_ID environment variable on the host that runs this module (%s)' % socket.gethostname() \
        in result['msg']
    assert "does not see the controller's environment" in result['msg']


def test_missing_requests_names_the_host_the_interpreter_and_the_fix(emulator, capsys, monkeypatch):
    from ansible_collections.tokensmith.auth.plugins.module_utils import _module  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(_module, 'HAS_REQUESTS', False)
    result, raw = run_module(nuvy_oauth_token.main, args(emulator), capsys)
    assert result['failed'] and socket.gethostname() in result['msg'] and sys.executable in result['msg']
    assert 'python3-requests' in result['msg'] and 'pip install requests' in result['msg'] and SECRET not in raw
