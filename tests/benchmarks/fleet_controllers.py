# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Token requests across runs and controllers; prints figures, asserts nothing (run with ``make bench``).

1. K controllers (separate ansible-playbook processes, each with its own HOME and so its own local cache) start
   at once, 20 hosts each, every host using each provider's token 3 times: token requests and wall time with
   the local cache only, then with a shared cache on a real Redis server (Debian's, unpacked by the harness).
2. N consecutive runs of a play with the nuvy role: token requests through the lookup's cache (the default)
   and with nuvy_cache=false (the module).
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from _workspace import CREDENTIALS, workspace

SECRETS = dict(tokensmith_nuvy_client_id=CREDENTIALS['test_nuvy_client_id'],
               tokensmith_nuvy_client_secret=CREDENTIALS['test_nuvy_client_secret'],
               tokensmith_nexla_service_key=CREDENTIALS['test_nexla_service_key'],
               tokensmith_nexus_username=CREDENTIALS['test_nexus_username'],
               tokensmith_nexus_password=CREDENTIALS['test_nexus_password'])
CONTROLLER_PLAY = '''
- hosts: fleet
  gather_facts: false
  tasks:
    - ansible.builtin.assert:
        that:
          - lookup('tokensmith.auth.token', item) | length > 20
          - lookup('tokensmith.auth.token', item, output='header') | length > 20
          - lookup('tokensmith.auth.token', item) | length > 20
        quiet: true
      loop: [nuvy, nexla, nexus]
'''
ROLE_PLAY = '''
- hosts: localhost
  gather_facts: false
  roles:
    - role: tokensmith.auth.nuvy
'''
REQUESTS = ('nuvy.token', 'nexla.token', 'nexla.refresh', 'nexus.token')


def requests_made(emulator):
    return sum(emulator.state.counters.get(name, 0) for name in REQUESTS)


def playbook(work, name, text):
    path = os.path.join(work, name)
    with open(path, 'w') as handle:
        handle.write(text)
    return path


def common_vars(emulator, work):
    values = dict(SECRETS, tokensmith_ca_path=emulator.ca_path, nuvy_ca_path=emulator.ca_path,
                  tokensmith_nuvy_token_url=emulator.url + '/nexus/oauth2/token', tokensmith_nexla_api_url=emulator.url + '/nexla-api',
                  tokensmith_nexus_url=emulator.url + '/nxrm/3.70.1')
    return playbook(work, 'vars.json', json.dumps(values))


def ansible_playbook(work, home, play, extra, env=None):
    os.makedirs(home, exist_ok=True)
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', os.path.join(work, 'hosts.ini'),
               '-e', '@' + os.path.join(work, 'vars.json'), play] + extra
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=work, HOME=home, **(env or {})))


def free_port(bus=False):
    """A free loopback port (with bus: one whose cluster bus port, port + 10000, is free too)."""
    while True:
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
        if not bus:
            return port
        if port + 10000 <= 65535:
            with socket.socket() as probe:
                if probe.connect_ex(('127.0.0.1', port + 10000)) != 0:
                    return port


def redis_process(work, debs, port, *arguments):
    """redis-server (Debian's, unpacked by the harness) on loopback ``port``, once it accepts connections."""
    libraries = os.pathsep.join(sorted(set(d for d, _s, files in os.walk(debs) if any('.so' in f for f in files))))
    process = subprocess.Popen([os.path.join(debs, 'usr', 'bin', 'redis-server')] + list(arguments),
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=work,
                               env=dict(os.environ, LD_LIBRARY_PATH=libraries))
    deadline = time.time() + 10
    while time.time() < deadline:
        with socket.socket() as client:
            if client.connect_ex(('127.0.0.1', port)) == 0:
                return process
        time.sleep(0.05)
    process.kill()
    raise SystemExit('redis-server did not start on port %d' % port)


def redis_server(work, debs):
    """A Redis server on loopback; (process, url)."""
    port = free_port()
    return redis_process(work, debs, port, '--bind', '127.0.0.1', '--port', str(port), '--save', '', '--appendonly',
                         'no', '--dir', work), 'redis://127.0.0.1:%d/0' % port


def prepare_fleet(work, emulator, hosts):
    """The inventory of ``hosts`` local hosts, the variables, and the Nexus user token that exists already (as
    for any user who has one)."""
    with open(os.path.join(work, 'hosts.ini'), 'w') as handle:
        handle.write('[fleet]\n' + ''.join('host%02d\n' % n for n in range(1, hosts + 1)))
        handle.write('[fleet:vars]\nansible_connection=local\n[local]\nlocalhost ansible_connection=local '
                     'ansible_python_interpreter=%s\n' % sys.executable)
    common_vars(emulator, work)
    emulator.state.config['nexus_token_lifetime'] = None
    ansible_playbook(work, os.path.join(work, 'home-setup'), playbook(work, 'setup.yml', ROLE_PLAY.replace(
        'tokensmith.auth.nuvy', 'tokensmith.auth.nexus')), []).wait()


def controllers(work, emulator, count, env, label, meanwhile=None):
    """K controllers at once; ``meanwhile()`` runs while they do (a failover). Prints requests and wall time."""
    emulator.state.counters.clear()
    play = playbook(work, 'controller.yml', CONTROLLER_PLAY)
    homes = [tempfile.mkdtemp(dir=work, prefix='home-') for _index in range(count)]
    started = time.perf_counter()
    processes = [ansible_playbook(work, home, play, [], env) for home in homes]
    if meanwhile:
        meanwhile()
    failed = sum(1 for process in processes if process.wait() != 0)
    elapsed = time.perf_counter() - started
    note = '   (%d controllers FAILED)' % failed if failed else ''
    print('%-46s %4d requests   %6.1f s%s' % (label, requests_made(emulator), elapsed, note))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--controllers', type=int, default=5)
    parser.add_argument('--hosts', type=int, default=20)
    parser.add_argument('--runs', type=int, default=10)
    parser.add_argument('--redis-debs', required=True, help='the unpacked Debian redis-server (see tests/harness)')
    args = parser.parse_args()
    with workspace('tokensmith-bench-fleet-') as (work, emulator):
        redis, redis_url = redis_server(work, args.redis_debs)
        try:
            prepare_fleet(work, emulator, args.hosts)
            print('%d controllers at once, %d hosts each, each provider\'s token used 3 times per host (%d lookups)'
                  % (args.controllers, args.hosts, args.controllers * args.hosts * 9))
            local = controllers(work, emulator, args.controllers, {}, 'local cache only (each controller cold)')
            shared = controllers(work, emulator, args.controllers,
                                 dict(TOKENSMITH_CACHE_URL=redis_url, TOKENSMITH_CACHE_KEY='bench-cache-key-0123456789'),
                                 'shared cache on Redis (all cold at once)')
            controllers(work, emulator, args.controllers,
                        dict(TOKENSMITH_CACHE_URL=redis_url, TOKENSMITH_CACHE_KEY='bench-cache-key-0123456789'),
                        'shared cache, a second wave of new controllers')
            print('wall time, shared over local: %.2f' % (shared / local))

            print('%d consecutive runs of a play with the nuvy role:' % args.runs)
            role = playbook(work, 'role.yml', ROLE_PLAY)
            for cache in ('true', 'false'):
                emulator.state.counters.clear()
                home = os.path.join(work, 'home-role-' + cache)
                started = time.perf_counter()
                for _run in range(args.runs):
                    ansible_playbook(work, home, role, ['-e', 'nuvy_cache=' + cache,
                                                        '-e', 'ansible_python_interpreter=' + sys.executable]).wait()
                elapsed = time.perf_counter() - started
                print('  nuvy_cache=%-5s %4d token requests in all   %6.1f s' % (cache, requests_made(emulator), elapsed))
        finally:
            redis.kill()


if __name__ == '__main__':
    main()
