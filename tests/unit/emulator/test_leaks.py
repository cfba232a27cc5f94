# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The leak check (tests/emulator/leaks.py), which every target's grep for secrets goes through, and the shell
targets' helpers (setup_tokensmith/files/servers.py), run as servers.sh runs them."""

import base64
import json
import os
import subprocess
import sys
from urllib.parse import quote_plus

import pytest

from ansible_collections.tokensmith.auth.tests.emulator import leaks
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS, SECRETS

HELPERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'integration', 'targets',
                       'setup_tokensmith', 'files', 'servers.py')
SECRET = CREDENTIALS['test_nuvy_client_secret']


def helpers(*arguments):
    return subprocess.run([sys.executable, HELPERS] + [str(a) for a in arguments], capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.parametrize('form', [SECRET, ' %s ' % SECRET, 'Qz%2B7%25%2F%3A%26%3D%20~%21s3cr3t',
                                  'Qz%2B7%25%2F%3A%26%3D+~%21s3cr3t', base64.b64encode(SECRET.encode()).decode(),
                                  json.dumps(SECRET + '\n')[1:-1],
                                  base64.b64encode(('%s:%s' % (CREDENTIALS['test_nuvy_client_id'],
                                                               quote_plus(SECRET))).encode()).decode()])
def test_the_leak_check_finds_every_form_of_every_test_secret(tmp_path, form):
    log = tmp_path / 'vvvv.log'
    log.write_text('before %s after\n' % form)
    ok, line = leaks.check_file(str(log))
    assert not ok and 'LEAK' in line and SECRET not in line


def test_every_secret_of_the_credentials_file_is_looked_for():
    assert set(SECRETS) == set(value for name, value in CREDENTIALS.items()
                               if name.endswith(('_key', '_secret', '_password')))
    assert CREDENTIALS['test_nexus_password'] in SECRETS and CREDENTIALS['test_nuvy_client_id'] not in SECRETS


def test_the_leak_check_takes_more_values_and_passes_a_clean_file(tmp_path):
    log = tmp_path / 'vvvv.log'
    log.write_text('nothing here but ******** and a token-that-is-one\n')
    assert not leaks.check_file(str(log), ['token-that-is-one'])[0]
    ok, line = leaks.check_file(str(log), ['another-value', 'tok'])  # values under 4 characters are not looked for
    assert ok and 'no secret in' in line


def test_free_ports_and_inventory(tmp_path):
    ports = [int(p) for p in helpers('free-ports', 3, 10000).stdout.split()]
    assert len(set(ports)) == 3 and all(20000 <= p < 55000 for p in ports)
    inventory = tmp_path / 'fleet.ini'
    assert helpers('fleet-inventory', inventory, 12).returncode == 0
    hosts = inventory.read_text().split('[fleet:vars]')[0].split()[1:]
    assert hosts == ['host%02d' % n for n in range(1, 13)]


def test_config_prints_the_coordinates(tmp_path):
    config = tmp_path / 'integration_config.yml'
    config.write_text(json.dumps(dict(emulator_url='https://127.0.0.1:1', emulator_ca='/ca.pem', emulator_dir='/e',
                                      oidc_url='https://127.0.0.1:2', redis_tls_port=3, redis_plain_port=4,
                                      redis_password='p', redis_root='/r', test_nuvy_client_secret=SECRET)))
    assert helpers('config', config).stdout.split() == ['https://127.0.0.1:1', '/ca.pem', '/e', 'https://127.0.0.1:2',
                                                        '3', '4', 'p', '/r']
