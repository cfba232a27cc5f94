# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nexus_user_token module in-process: password never printed, errors are one line."""

import pytest

from ansible_collections.tokensmith.auth.plugins.modules import nexus_user_token
from ansible_collections.tokensmith.auth.tests.unit.plugins.modules.runner import run_module
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

USERNAME = CREDENTIALS['test_nexus_username']
PASSWORD = CREDENTIALS['test_nexus_password']


def args(emulator, **extra):
    values = dict(url=emulator.url + '/nxrm/3.70.1', username=USERNAME, password=PASSWORD, ca_path=emulator.ca)
    values.update(extra)
    return values


def test_present_and_password_hygiene(emulator, capsys):
    result, raw = run_module(nexus_user_token.main, args(emulator), capsys)
    assert result['changed'] is True and result['api_version'] == '3.24'
    assert result['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert PASSWORD not in raw
    again = run_module(nexus_user_token.main, args(emulator), capsys)[0]
    assert again['changed'] is False and again['pass_code'] == result['pass_code']


def test_bad_password_is_one_line(emulator, capsys):
    result, raw = run_module(nexus_user_token.main, args(emulator, password='wrong-password'), capsys)
    assert result['failed'] is True and 'HTTP 401' in result['msg'] and '\n' not in result['msg']
    assert 'wrong-password' not in raw and 'Traceback' not in raw


def test_env_fallbacks(emulator, capsys, monkeypatch):
    monkeypatch.setenv('NEXUS_URL', emulator.url + '/nxrm/2.5.0/nexus')
    monkeypatch.setenv('NEXUS_USERNAME', 'admin')
    monkeypatch.setenv('NEXUS_PASSWORD', PASSWORD)
    result, raw = run_module(nexus_user_token.main, dict(ca_path=emulator.ca), capsys)
    assert result['api_version'] == '2.0' and PASSWORD not in raw


@pytest.mark.parametrize('version', ['2.5.0/nexus', '2.14.9/nexus', '3.5.0', '3.20.1', '3.70.1'])
@pytest.mark.parametrize('state', ['present', 'reset', 'absent'])
def test_check_mode_creates_resets_and_deletes_nothing(emulator, capsys, version, state):
    url = emulator.url + '/nxrm/' + version
    result, raw = run_module(nexus_user_token.main, args(emulator, url=url, state=state, register_fact=True), capsys,
                             check_mode=True)
    # absent where reading creates nothing (3.24+) finds no token: nothing would change
    assert result['changed'] is not (state == 'absent' and version == '3.70.1') and 'failed' not in result, result
    assert emulator.count('nexus.created') == 0 and emulator.count('nexus.deleted') == 0
    if state != 'absent':
        assert result['pass_code'] is None and result['source'] == 'check_mode' and result['api_version']
        assert result['ansible_facts']['nexus_user_token']['pass_code'] is None
    assert PASSWORD not in raw


def test_check_mode_returns_an_existing_nxrm_3_24_token(emulator, capsys):
    created = run_module(nexus_user_token.main, args(emulator), capsys)[0]
    checked = run_module(nexus_user_token.main, args(emulator), capsys, check_mode=True)[0]
    assert checked['changed'] is False and checked['pass_code'] == created['pass_code']
    assert emulator.count('nexus.created') == 1
