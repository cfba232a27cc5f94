# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of a token's cost per host at fleet scale; prints figures, asserts nothing (``make bench``).

Against the local emulator: one play over N local hosts (forks 20) that uses one Nuvy token three times per host in
controller-side asserts: the floor (a fixed string: what the play costs without any token), a DIY ``uri`` POST to the
token endpoint on every host, the token lookup, the ``tokensmith.auth.nuvy`` role under ``roles:``, and the role
with ``run_once: true`` as the guide shows it for large fleets, under ``roles:`` and through ``include_role``
(Ansible then checks its arguments once, not on every host) - each with a cold cache. For each: wall and CPU seconds
(ansible-playbook and its workers), token requests, the controller's peak RSS, and the cost per host over the floor
of the same size, so the figures compare within one run. ``--compare TREE`` measures the lookup and the role of
another tree too (a worktree of an older commit), side by side.
"""

import argparse
import os
import subprocess
import sys
import time

from _workspace import CREDENTIALS, workspace

HEAD = '''
- hosts: fleet
  gather_facts: false
  vars:
    ca: "{ca}"
    token_url: "{url}/nexus/oauth2/token"
    tokensmith_cache_dir: "{cache}"
    tokensmith_ca_path: "{ca}"
    tokensmith_nuvy_token_url: "{url}/nexus/oauth2/token"
    tokensmith_nuvy_client_id: "{test_nuvy_client_id}"
    tokensmith_nuvy_client_secret: '{test_nuvy_client_secret}'
    nuvy_token_url: "{url}/nexus/oauth2/token"
    nuvy_client_id: "{test_nuvy_client_id}"
    nuvy_client_secret: '{test_nuvy_client_secret}'
    nuvy_ca_path: "{ca}"
'''
USE = '''
    - name: Use the token three times
      ansible.builtin.assert:
        that:
          - ({token}) | length > 20
          - ('Bearer ' ~ ({token})) is match('Bearer ')
          - ({token}) is string
        quiet: true
      no_log: true
'''
ROLE_USE = USE.format(token='nuvy_token.access_token')  # every role way reads the role's fact
WAYS = {
    'floor': ('  tasks:' + USE.format(token="'x' * 40")),
    'DIY uri': ('''  tasks:
    - name: A token request on every host
      ansible.builtin.uri:
        url: "{{ token_url }}"
        method: POST
        body_format: form-urlencoded
        body: {grant_type: client_credentials, client_id: "{{ tokensmith_nuvy_client_id }}",
               client_secret: "{{ tokensmith_nuvy_client_secret }}"}
        ca_path: "{{ ca }}"
      register: diy
      no_log: true
''' + USE.format(token='diy.json.access_token')),
    'lookup': ('  tasks:' + USE.format(token="lookup('tokensmith.auth.token', 'nuvy')")),
    'role': ('''  roles:
    - tokensmith.auth.nuvy
  tasks:''' + ROLE_USE),
    # Ansible checks a role's arguments on every host it runs for (a forked worker each); with run_once, on the first
    # host only, whose variables are the ones the role uses: what that check costs a fleet.
    'role run_once': ('''  roles:
    - role: tokensmith.auth.nuvy
      run_once: true
  tasks:''' + ROLE_USE),
    'include_role run_once': ('''  tasks:
    - name: The role, included once for the play
      ansible.builtin.include_role:
        name: tokensmith.auth.nuvy
      run_once: true
''' + ROLE_USE),
}
ROLES = ('role', 'role run_once', 'include_role run_once')


def run_play(work, collections, emulator, hosts, way, forks):
    """One run: (wall s, CPU s, token requests, peak RSS MiB)."""
    path = os.path.join(work, 'play.yml')
    cache = os.path.join(work, 'cache-%d' % time.monotonic_ns())  # cold: a run's first evaluation asks the server
    with open(path, 'w') as handle:
        handle.write(HEAD.format(ca=emulator.ca_path, url=emulator.url, cache=cache, **CREDENTIALS) + WAYS[way])
    emulator.state.reset()
    started = time.perf_counter()
    process = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', hosts,
                                '-f', str(forks), path], stdout=subprocess.DEVNULL,
                               env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections))
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit('the %s play failed (exit status %d)' % (way, os.waitstatus_to_exitcode(status)))
    requests = emulator.state.counters.get('nuvy.token', 0)
    return elapsed, usage.ru_utime + usage.ru_stime, requests, usage.ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--sizes', default='50,200,500,1000', help='fleet sizes, comma-separated')
    parser.add_argument('--forks', type=int, default=20)
    parser.add_argument('--compare', default=None, help='another tree whose lookup and role run beside, as "before"')
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(',')]
    with workspace('tokensmith-bench-fleet-') as (work, emulator):
        trees = {'': work}
        # The older tree runs as it was documented: its lookup, and its role under a bare roles: entry.
        ways = {'': ('lookup',) + ROLES, ' (before)': ('lookup', 'role')}
        if args.compare:
            before = os.path.join(work, 'before')
            os.makedirs(os.path.join(before, 'ansible_collections', 'tokensmith'))
            os.symlink(os.path.abspath(args.compare), os.path.join(before, 'ansible_collections', 'tokensmith', 'auth'))
            trees = {' (before)': before, '': work}
        print('fleet: forks %d, one Nuvy token used 3 times per host; sizes %s%s'
              % (args.forks, args.sizes, '; before: %s' % args.compare if args.compare else ''))
        columns = ('hosts', 'way', 'wall s', 'CPU s', 'requests', 'peak MiB', 'ms/host>floor')
        print('%6s  %-30s %8s %8s %9s %9s %12s' % columns)
        summary = {}
        for size in sizes:
            hosts = os.path.join(work, 'hosts-%d.ini' % size)
            with open(hosts, 'w') as handle:
                handle.write('[fleet]\n' + ''.join('host%04d\n' % n for n in range(1, size + 1)))
                handle.write('[fleet:vars]\nansible_connection=local\nansible_python_interpreter=%s\n' % sys.executable)
            runs = [('floor', work), ('DIY uri', work)]
            runs += [(way + label, tree) for label, tree in trees.items() for way in ways[label]]
            floor = None
            for label, tree in runs:
                wall, cpu, requests, rss = run_play(work, tree, emulator, hosts, label.split(' (')[0], args.forks)
                floor = (wall, rss) if label == 'floor' else floor
                per_host = (wall - floor[0]) / size * 1000
                summary[(label, size)] = (wall, per_host, rss - floor[1])
                print('%6d  %-30s %8.1f %8.1f %9d %9.0f %12.1f' % (size, label, wall, cpu, requests, rss, per_host),
                      flush=True)
        # Flat means the same few ms per host at every size (near zero, a ratio between sizes is noise).
        print('at each size: ms per host over the floor, and peak MiB over the floor\'s; then each role\'s wall over '
              'the lookup\'s:')
        for label in [way + tree for tree in trees for way in ways[tree]]:
            print('  %-30s %s' % (label, '  '.join('%d: %5.1f ms %+4.0f MiB' % ((size,) + summary[(label, size)][1:])
                                                   for size in sizes)))
        for tree in trees:
            for way in ways[tree][1:]:
                print('  %s/lookup%s  %s' % (way, tree, '  '.join('%d: %.2f' % (size, summary[(way + tree, size)][0]
                                                                                / summary[('lookup' + tree, size)][0])
                                                                  for size in sizes)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
