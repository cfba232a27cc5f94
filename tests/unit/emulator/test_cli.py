# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's command line, as the shell targets run it: a real background emulator, real HTTPS."""

import json
import os
import subprocess
import sys

import requests

from ansible_collections.tokensmith.auth.tests import emulator as package
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

PACKAGE_DIR = os.path.dirname(os.path.abspath(package.__file__))


def cli(state_dir, action, *arguments, check=True):
    # As setup_tokensmith/files/servers.sh runs it: the action, --state-dir, then the action's arguments.
    done = subprocess.run([sys.executable, PACKAGE_DIR, action, '--state-dir', str(state_dir)] + list(arguments),
                          capture_output=True, text=True, timeout=60, check=False)
    assert not check or done.returncode == 0, done.stderr
    return done


def test_start_read_expect_reset_stop(tmp_path):
    state_dir = tmp_path / 'emulator'
    started = json.loads(cli(state_dir, 'start').stdout)
    try:
        assert json.loads(cli(state_dir, 'counters').stdout) == {}
        form = dict(grant_type='client_credentials', client_id=CREDENTIALS['test_nuvy_client_id'],
                    client_secret=CREDENTIALS['test_nuvy_client_secret'])
        answer = requests.post(started['url'] + '/nexus/oauth2/token', data=form, verify=started['ca'], timeout=30)
        token = answer.json()['access_token']
        assert cli(state_dir, 'counters', 'nuvy.token', 'nexla.token').stdout.split() == ['1', '0']
        assert cli(state_dir, 'expect', '{"nuvy.token": 1, "<=nexla.token": 0}').returncode == 0
        assert cli(state_dir, 'expect', '{"nuvy.token": 2}', check=False).returncode == 1
        assert token in cli(state_dir, 'issued').stdout.splitlines()
        # the leak check knows the issued token, and every test secret, in every form
        log = state_dir / 'vvvv.log'
        log.write_text('a careless task printed %s\n' % token)
        leak = cli(state_dir, 'no-secrets', str(log), check=False)
        assert leak.returncode == 1 and 'LEAK' in leak.stdout and token not in leak.stdout + leak.stderr
        assert cli(state_dir, 'no-secrets', '--without-issued', str(log)).returncode == 0
        faults = json.loads(cli(state_dir, 'control', 'faults', '[{"path": "/nexus/oauth2/token", "status": 503}]').stdout)
        assert faults == {'faults': 1}
        cli(state_dir, 'reset')
        assert json.loads(cli(state_dir, 'counters').stdout) == {} and cli(state_dir, 'issued').stdout.strip() == ''
    finally:
        cli(state_dir, 'stop')
    assert not (state_dir / 'emulator.json').exists()
    refused = cli(state_dir, 'counters', check=False)
    assert refused.returncode == 1 and 'no emulator is running in' in refused.stderr
