# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The servers of one ``ansible-test integration`` run, started once before its first target and stopped after
its last: the provider emulator (tests/emulator), a real OAuth 2.0 server (oidc-provider, tests/oidc) and a plain
Redis server (Debian's, unpacked by offline.ensure_debs; TLS on one port, plain on another).

Everything a target needs to reach them goes to ``tests/integration/integration_config.yml`` in the collection copy,
where ansible-test hands it on (role targets get it as ``vars_files``; shell targets through setup_tokensmith's
files/servers.sh, as inventory variables): the servers' coordinates, the test credentials (tests/credentials.yml) and
the variables that point the roles and the lookup at the emulator (examples/emulator.yml). Servers whose life is the
point of a target (Redis through failovers, a store stopped mid-run, sshd for the managed nodes) stay in that target.
"""

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time

import yaml

# A run of the primary core's targets takes about 10 minutes; the emulator outlives an owner killed without
# cleanup by at most this long.
IDLE_TIMEOUT = 3600


def config_path(collection):
    return os.path.join(collection, 'tests', 'integration', 'integration_config.yml')


def _yaml(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def _wait(process, ready, what, log):
    """Wait up to 30 s for ``ready()`` to return something true; fail clearly if the process exits first."""
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit('%s exited at start; see %s' % (what, log))
        found = ready()
        if found:
            return found
        time.sleep(0.1)
    process.kill()
    raise SystemExit('%s did not start within 30 s; see %s' % (what, log))


def _start_oidc(collection, node_modules, emulator_dir, directory, credentials):
    """oidc-provider on loopback with the emulator's certificate; returns (process, url)."""
    info = os.path.join(directory, 'oidc.json')
    if not os.path.isdir(os.path.join(node_modules, 'oidc-provider')):
        raise SystemExit('oidc-provider is not installed in %s; run the tests with make test' % node_modules)
    log = os.path.join(directory, 'oidc.log')
    with open(log, 'ab') as output:
        process = subprocess.Popen(['node', os.path.join(collection, 'tests', 'oidc', 'server.js'),
                                    os.path.join(emulator_dir, 'server.pem'), os.path.join(emulator_dir, 'server.key'),
                                    info], stdout=output, stderr=output, stdin=subprocess.DEVNULL,
                                   env=dict(os.environ, NODE_PATH=node_modules,
                                            OIDC_CLIENT_ID=credentials['test_nuvy_client_id'],
                                            OIDC_CLIENT_SECRET=credentials['test_nuvy_client_secret']))

    def ready():
        with contextlib.suppress(OSError, ValueError, KeyError):
            with open(info) as handle:
                return json.load(handle)['url']
        return None
    return process, _wait(process, ready, 'the OAuth 2.0 server', log)


def _free_ports(count):
    """``count`` distinct free loopback ports (bound at once, so none is handed out twice)."""
    probes = [socket.socket() for _index in range(count)]
    try:
        for probe in probes:
            probe.bind(('127.0.0.1', 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def redis_libraries(redis_root):
    """LD_LIBRARY_PATH for Debian's unpacked redis binaries."""
    return ':'.join(os.path.join(redis_root, 'usr', 'lib', arch) for arch in ('x86_64-linux-gnu', 'aarch64-linux-gnu'))


def _start_redis(redis_root, emulator_dir, directory):
    """A Redis server with a password, TLS (the emulator's certificate) on one port and plain on another; returns
    (process, its coordinates)."""
    server = os.path.join(redis_root, 'usr', 'bin', 'redis-server')
    if not os.access(server, os.X_OK):
        raise SystemExit('redis-server is not unpacked in %s; run the tests with make test' % redis_root)
    tls_port, plain_port = _free_ports(2)
    password = 'Redis-Pa55-' + secrets.token_hex(4)
    log = os.path.join(directory, 'redis.log')
    command = [server, '--bind', '127.0.0.1', '--port', str(plain_port), '--tls-port', str(tls_port),
               '--tls-auth-clients', 'no', '--tls-cert-file', os.path.join(emulator_dir, 'server.pem'),
               '--tls-key-file', os.path.join(emulator_dir, 'server.key'),
               '--tls-ca-cert-file', os.path.join(emulator_dir, 'ca.pem'), '--requirepass', password, '--save', '',
               '--appendonly', 'no', '--dir', directory]
    with open(log, 'ab') as output:
        process = subprocess.Popen(command, stdout=output, stderr=output, stdin=subprocess.DEVNULL,
                                   env=dict(os.environ, LD_LIBRARY_PATH=redis_libraries(redis_root)))

    def ready():
        with contextlib.suppress(OSError):
            with socket.create_connection(('127.0.0.1', plain_port), timeout=1) as connection:
                connection.sendall(b'AUTH %s\r\nPING\r\n' % password.encode())
                return b'PONG' in connection.recv(64) or b'PONG' in connection.recv(64)
        return False
    _wait(process, ready, 'redis-server', log)
    return process, dict(redis_root=redis_root, redis_tls_port=tls_port, redis_plain_port=plain_port,
                         redis_password=password)


def _stop(process):
    if process is None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def integration_servers(collection, python, node_modules, scratch, redis_root, extra=None):
    """Start the servers for the collection copy ``collection``, write its integration_config.yml, and stop
    them when the block ends. ``python`` runs the emulator (it needs trustme); ``node_modules`` holds
    oidc-provider; ``redis_root`` Debian's unpacked redis; ``extra``: more for the configuration (the AWX
    controllers' virtualenvs)."""
    os.makedirs(scratch, exist_ok=True)
    directory = tempfile.mkdtemp(prefix='servers-', dir=scratch)
    emulator_dir = os.path.join(directory, 'emulator')
    emulator = [python, os.path.join(collection, 'tests', 'emulator')]
    credentials = _yaml(os.path.join(collection, 'tests', 'credentials.yml'))
    oidc = redis = None
    try:
        info = json.loads(subprocess.check_output(emulator + ['start', '--state-dir', emulator_dir,
                                                              '--idle-timeout', str(IDLE_TIMEOUT)]))
        oidc, oidc_url = _start_oidc(collection, node_modules, emulator_dir, directory, credentials)
        redis, redis_config = _start_redis(redis_root, emulator_dir, directory)
        config = dict(emulator_url=info['url'], emulator_ca=info['ca'], emulator_dir=emulator_dir, oidc_url=oidc_url,
                      **redis_config)
        config.update(credentials)
        config.update(_yaml(os.path.join(collection, 'examples', 'emulator.yml')))
        config.update(extra or {})
        with open(config_path(collection), 'w') as handle:  # JSON is YAML, and the shell reads it without a parser
            json.dump(config, handle, indent=2, sort_keys=True)
        yield config
    finally:
        subprocess.call(emulator + ['stop', '--state-dir', emulator_dir])
        _stop(oidc)
        _stop(redis)
        with contextlib.suppress(OSError):
            os.unlink(config_path(collection))
        shutil.rmtree(directory, ignore_errors=True)
