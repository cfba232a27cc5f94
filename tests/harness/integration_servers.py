# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The servers of one ``ansible-test integration`` run, started once before its first target and stopped after
its last: the provider emulator (tests/emulator) and a real OAuth 2.0 server (oidc-provider, tests/oidc).

Their coordinates go to ``tests/integration/integration_config.yml`` in the collection copy, where ansible-test
hands them on: role targets get it as ``vars_files``, shell targets read it through ``setup_servers``. Each target
resets the emulator as it starts. Servers whose life is the point of a target (Redis through failovers, sshd for
the managed nodes) stay in that target.
"""

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time

# A run of the primary core's targets takes about 10 minutes; the emulator outlives an owner killed without
# cleanup by at most this long.
IDLE_TIMEOUT = 3600


def config_path(collection):
    return os.path.join(collection, 'tests', 'integration', 'integration_config.yml')


def _start_oidc(collection, node_modules, emulator_dir, directory):
    """oidc-provider on loopback with the emulator's certificate; returns (process, url)."""
    info = os.path.join(directory, 'oidc.json')
    if not os.path.isdir(os.path.join(node_modules, 'oidc-provider')):
        raise SystemExit('oidc-provider is not installed in %s; run the tests with make test' % node_modules)
    log = open(os.path.join(directory, 'oidc.log'), 'ab')
    process = subprocess.Popen(['node', os.path.join(collection, 'tests', 'oidc', 'server.js'),
                                os.path.join(emulator_dir, 'server.pem'), os.path.join(emulator_dir, 'server.key'),
                                info], env=dict(os.environ, NODE_PATH=node_modules), stdout=log, stderr=log,
                               stdin=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit('the OAuth 2.0 server exited at start; see %s' % log.name)
        try:
            with open(info) as handle:
                return process, json.load(handle)['url']
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)
    process.kill()
    raise SystemExit('the OAuth 2.0 server did not start within 30 s; see %s' % log.name)


@contextlib.contextmanager
def integration_servers(collection, python, node_modules, scratch):
    """Start the servers for the collection copy ``collection``, write its integration_config.yml, and stop
    them when the block ends. ``python`` runs the emulator (it needs trustme); ``node_modules`` holds
    oidc-provider."""
    os.makedirs(scratch, exist_ok=True)
    directory = tempfile.mkdtemp(prefix='servers-', dir=scratch)
    emulator_dir = os.path.join(directory, 'emulator')
    emulator = [python, os.path.join(collection, 'tests', 'emulator')]
    oidc = None
    try:
        info = json.loads(subprocess.check_output(emulator + ['start', '--state-dir', emulator_dir,
                                                              '--idle-timeout', str(IDLE_TIMEOUT)]))
        oidc, oidc_url = _start_oidc(collection, node_modules, emulator_dir, directory)
        config = dict(emulator_url=info['url'], emulator_ca=info['ca'], emulator_dir=emulator_dir, oidc_url=oidc_url)
        with open(config_path(collection), 'w') as handle:  # JSON is YAML, and the shell reads it without a parser
            json.dump(config, handle, indent=2, sort_keys=True)
        yield config
    finally:
        subprocess.call(emulator + ['stop', '--state-dir', emulator_dir])
        if oidc is not None:
            oidc.terminate()
            try:
                oidc.wait(10)
            except subprocess.TimeoutExpired:
                oidc.kill()
        with contextlib.suppress(OSError):
            os.unlink(config_path(collection))
        shutil.rmtree(directory, ignore_errors=True)
