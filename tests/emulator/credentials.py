# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test credentials of tests/credentials.yml (the one place they are written), for the emulator, the unit tests,
the benchmarks and the harness."""

import os

import yaml

PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'credentials.yml')
SECRET_SUFFIXES = ('_key', '_secret', '_password')


def _load():
    with open(PATH, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


CREDENTIALS = _load()
# Every secret among them: what no output may hold, in any form.
SECRETS = sorted(value for name, value in CREDENTIALS.items() if name.endswith(SECRET_SUFFIXES))
# The user:secret pairs that travel together in Basic credentials.
PAIRS = [(CREDENTIALS['test_nuvy_client_id'], CREDENTIALS['test_nuvy_client_secret']),
         (CREDENTIALS['test_nexus_username'], CREDENTIALS['test_nexus_password'])]
