# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the roles' API call (``tasks_from: request``); prints figures, asserts nothing (``make bench``).

Against the local emulator: N local hosts (forks 10) each call a protected API C times, once with a plain
``ansible.builtin.uri`` task and the role's ready headers (the baseline), once through the role's ``request``
entry point, for Nexla and for Nuvy; the token is obtained (and cached) before either. The cost of a call is
reported as a ratio to the baseline of the same run. ``--collection`` measures another tree (a worktree of an
older commit, to compare the roles before and after a change).
"""

import argparse
import os
import subprocess
import sys
import time

from _workspace import CREDENTIALS, workspace

PLAY = '''
- hosts: fleet
  gather_facts: false
  vars:
    tokensmith_cache_dir: "{work}/cache"
    nexla_api_url: "{url}/nexla-api"
    nexla_service_key: "{test_nexla_service_key}"
    nexla_ca_path: "{ca}"
    nuvy_token_url: "{url}/nexus/oauth2/token"
    nuvy_client_id: "{test_nuvy_client_id}"
    nuvy_client_secret: '{test_nuvy_client_secret}'
    nuvy_ca_path: "{ca}"
    urls: {{nexla: "{url}/nexla-api/data_sources", nuvy: "{url}/nexus/api/v1/status"}}
  tasks:
    - name: The token first (not measured)
      ansible.builtin.include_role:
        name: tokensmith.auth.{provider}
{calls}
'''
PLAIN = '''
    - name: A plain call
      ansible.builtin.uri:
        url: "{{{{ urls.{provider} }}}}"
        headers: "{{{{ {provider}_auth_headers }}}}"
        ca_path: "{ca}"
      no_log: true
'''
ROLE = '''
    - name: A call through the role
      ansible.builtin.include_role:
        name: tokensmith.auth.{provider}
        tasks_from: request
      vars:
        {provider}_request_url: "{{{{ urls.{provider} }}}}"
'''


def run_play(work, emulator, hosts, provider, calls, through_role):
    path = os.path.join(work, 'play.yml')
    call = (ROLE if through_role else PLAIN).format(provider=provider, ca=emulator.ca_path)
    with open(path, 'w') as handle:
        handle.write(PLAY.format(work=work, url=emulator.url, ca=emulator.ca_path, provider=provider, **CREDENTIALS,
                                 calls=call * calls))
    started = time.perf_counter()
    subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', hosts, '-f', '10', path],
                   check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=work))
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--hosts', type=int, default=10)
    parser.add_argument('--calls', type=int, default=10)
    parser.add_argument('--samples', type=int, default=3, help='runs of each play; the fastest counts')
    parser.add_argument('--collection', default=None, help='the tree to measure (default: this checkout)')
    args = parser.parse_args()
    with workspace('tokensmith-bench-', *([args.collection] if args.collection else [])) as (work, emulator):
        hosts = os.path.join(work, 'hosts.ini')
        with open(hosts, 'w') as handle:
            handle.write('[fleet]\n' + ''.join('host%02d\n' % n for n in range(1, args.hosts + 1)))
            handle.write('[fleet:vars]\nansible_connection=local\nansible_python_interpreter=%s\n' % sys.executable)
        print('roles: %d hosts, forks 10, %d calls per host per play, fastest of %d runs'
              % (args.hosts, args.calls, args.samples))
        for provider in ('nexla', 'nuvy'):
            times = {}
            for through_role in (False, True):
                times[through_role] = min(run_play(work, emulator, hosts, provider, args.calls, through_role)
                                          for _sample in range(args.samples))
            extra = (times[True] - times[False]) / (args.hosts * args.calls)
            print('  %-5s  plain uri %6.2f s   tasks_from: request %6.2f s   ratio %.2f   (%+.1f ms per call per host)'
                  % (provider, times[False], times[True], times[True] / times[False], extra * 1000))
    return 0


if __name__ == '__main__':
    sys.exit(main())
