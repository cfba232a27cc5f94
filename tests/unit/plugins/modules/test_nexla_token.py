# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The nexla_token module in-process: no key or api_key anywhere, reuse through no_log, check mode."""

import pytest

from ansible_collections.tokensmith.auth.plugins.modules import nexla_token
from ansible_collections.tokensmith.auth.tests.unit.plugins.modules.runner import run_module
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

KEY = CREDENTIALS['test_nexla_service_key']
API_KEYS = (CREDENTIALS['test_nexla_user_api_key'], CREDENTIALS['test_nexla_org_api_key'])


def args(emulator, **extra):
    values = dict(api_url=emulator.url + '/nexla-api', service_key=KEY, ca_path=emulator.ca)
    values.update(extra)
    return values


@pytest.mark.parametrize('check_mode', [False, True])
def test_login_output_has_no_key_and_no_api_key(emulator, capsys, check_mode):
    result, raw = run_module(nexla_token.main, args(emulator), capsys, check_mode)
    assert result['source'] == 'issued' and result['changed'] is False
    for secret in (KEY,) + API_KEYS:
        assert secret not in raw


def test_reused_token_is_usable_and_not_in_invocation(emulator, capsys):
    first = run_module(nexla_token.main, args(emulator), capsys)[0]
    again, raw = run_module(nexla_token.main, args(emulator, token=first), capsys)  # the registered result
    assert again['source'] == 'reused' and again['access_token'] == first['access_token']
    assert again['user']['full_name'] == 'Pipeline Robot' and again['token_type'] == 'Bearer'
    assert first['access_token'] not in str(again['invocation'])
    assert KEY not in raw


def test_check_mode_never_logs_out(emulator, capsys):
    first = run_module(nexla_token.main, args(emulator), capsys)[0]
    result = run_module(nexla_token.main, args(emulator, state='absent', token=first), capsys, check_mode=True)[0]
    assert result['changed'] is True and emulator.count('nexla.logout') == 0


def test_env_fallbacks(emulator, capsys, monkeypatch):
    monkeypatch.setenv('NEXLA_API_URL', emulator.url + '/nexla-api')
    monkeypatch.setenv('NEXLA_SERVICE_KEY', KEY)
    result, raw = run_module(nexla_token.main, dict(ca_path=emulator.ca), capsys)
    assert result['source'] == 'issued' and KEY not in raw
