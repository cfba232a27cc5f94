# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shell targets' leak check and helpers (setup_servers/servers.py), run as servers.sh runs them."""

import base64
import json
import os
import subprocess
import sys

import pytest

HELPERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'integration', 'targets',
                       'setup_servers', 'servers.py')
SECRET = 'Qz+7%/:&= ~!s3cr3t'


def helpers(*arguments):
    return subprocess.run([sys.executable, HELPERS] + [str(a) for a in arguments], capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.parametrize('form', [SECRET, ' %s ' % SECRET, 'Qz%2B7%25%2F%3A%26%3D%20~%21s3cr3t',
                                  'Qz%2B7%25%2F%3A%26%3D+~%21s3cr3t', base64.b64encode(SECRET.encode()).decode(),
                                  json.dumps(SECRET + '\n')[1:-1]])
def test_the_leak_check_finds_every_form(tmp_path, form):
    log = tmp_path / 'vvvv.log'
    log.write_text('before %s after\n' % form)
    values = [SECRET + '\\n'] if form.endswith('\\n') else [SECRET]
    done = helpers('no-secrets', log, *values)
    assert done.returncode != 0 and 'LEAK' in done.stderr, form
    assert SECRET not in done.stdout + done.stderr


def test_the_leak_check_passes_a_clean_file(tmp_path):
    log = tmp_path / 'vvvv.log'
    log.write_text('nothing here but ******** and a token that is not one\n')
    done = helpers('no-secrets', log, SECRET, 'tok')  # values under 4 characters are not looked for
    assert done.returncode == 0, done.stderr
    assert 'no secret in' in done.stdout and '2 values checked' in done.stdout


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
                                      oidc_url='https://127.0.0.1:2')))
    assert helpers('config', config).stdout.split() == ['https://127.0.0.1:1', '/ca.pem', '/e', 'https://127.0.0.1:2']
