# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures: the provider emulator on real HTTPS (and plain HTTP) sockets, one per test session."""

import json
import os

import pytest

from ansible_collections.tokensmith.auth.tests.emulator import Emulator
from ansible_collections.tokensmith.auth.tests.emulator.cli import control_at


class Control:
    """The emulator's control endpoints, from the test's side (the counters read from its state directly)."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.url = emulator.url
        self.ca = emulator.ca_path

    def post(self, path, body=None):
        return control_at(self.url, self.ca, path, json.dumps(body if body is not None else {}))

    def counters(self):
        return dict(self.emulator.state.counters)

    def count(self, name):
        return self.emulator.state.counters.get(name, 0)

    def last(self, name):
        return self.emulator.state.last[name]

    def fault(self, path, **fault):
        return self.post('faults', dict(fault, path=path))

    def config(self, **config):
        return self.post('config', config)


@pytest.fixture(scope='session')
def _emulators(tmp_path_factory):
    for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
        os.environ.pop(name, None)
    https = Emulator(str(tmp_path_factory.mktemp('emulator'))).start()
    plain = Emulator(str(tmp_path_factory.mktemp('emulator-plain')), tls=False).start()
    mutual = Emulator(str(tmp_path_factory.mktemp('emulator-mtls')), client_certs=True).start()
    yield https, plain, mutual
    for emulator in (https, plain, mutual):
        emulator.stop()


@pytest.fixture
def emulator(_emulators):
    """The HTTPS emulator, reset for each test."""
    _emulators[0].state.reset()
    return Control(_emulators[0])


@pytest.fixture
def plain_emulator(_emulators):
    """The same emulator over plain http://, reset for each test."""
    _emulators[1].state.reset()
    control = Control(_emulators[1])
    control.ca = None
    return control


@pytest.fixture
def mtls_emulator(_emulators):
    """The emulator over HTTPS that requires a client certificate (client.pem/client.key in its state dir)."""
    _emulators[2].state.reset()
    return Control(_emulators[2])
