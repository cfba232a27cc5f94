# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of the token lookup at fleet scale; prints figures, asserts nothing (run with ``make bench``).

Against the local emulator: one play over N local hosts (forks 20) that references each provider's token
three times per host, run with a fixed string instead of the lookup (the baseline), with a cold cache, a
warm cache, and the cache turned off. Then the cost of one cached lookup call in-process, next to the
built-in ``env`` lookup. Wall times are reported as ratios to the baseline of the same run.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from _workspace import CREDENTIALS, workspace

PLAY = '''
- hosts: fleet
  gather_facts: false
  vars:
    tokensmith_ca_path: "{ca}"
    tokensmith_cache_dir: "{cache_dir}"
    tokensmith_cache: {cache}
    tokensmith_nuvy_token_url: "{url}/nexus/oauth2/token"
    tokensmith_nuvy_client_id: "{test_nuvy_client_id}"
    tokensmith_nuvy_client_secret: '{test_nuvy_client_secret}'
    tokensmith_nexla_api_url: "{url}/nexla-api"
    tokensmith_nexla_service_key: "{test_nexla_service_key}"
    tokensmith_nexus_url: "{url}/nxrm/2.14.5/nexus"
    tokensmith_nexus_username: "{test_nexus_username}"
    tokensmith_nexus_password: "{test_nexus_password}"
  tasks:
    - ansible.builtin.assert:
        that:
{conditions}
        quiet: true
'''
PROVIDERS = ('nuvy', 'nexla', 'nexus')


def conditions(fixed):
    lines = []
    for provider in PROVIDERS:
        for output in ('secret', 'header', 'secret'):
            term = "'x' * 30" if fixed else "lookup('tokensmith.auth.token', '%s', output='%s')" % (provider, output)
            lines.append('          - (%s) | length > 20' % term)
    return '\n'.join(lines)


def run_play(work, emulator, hosts, fixed, cache):
    path = os.path.join(work, 'play.yml')
    with open(path, 'w') as handle:
        handle.write(PLAY.format(ca=emulator.ca_path, url=emulator.url, cache_dir=os.path.join(work, 'cache'), **CREDENTIALS,
                                 cache='true' if cache else 'false', conditions=conditions(fixed)))
    emulator.state.reset()
    started = time.perf_counter()
    subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', hosts, '-f', '20', path],
                   check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=work))
    elapsed = time.perf_counter() - started
    counters = dict(emulator.state.counters)
    requests = counters.get('nuvy.token', 0) + counters.get('nexla.token', 0) + counters.get('nexla.refresh', 0) \
        + counters.get('nexus.token', 0)
    return elapsed, requests


def call_cost(work, emulator, calls):
    """Seconds per call of a warm tokensmith.auth.token lookup and of ansible.builtin.env, in this process."""
    os.environ['ANSIBLE_COLLECTIONS_PATH'] = work
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.plugins.loader import init_plugin_loader, lookup_loader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel
    init_plugin_loader([work])
    loader = DataLoader()
    templar = Templar(loader=loader)
    variables = dict(tokensmith_ca_path=emulator.ca_path, tokensmith_cache_dir=os.path.join(work, 'cache'),
                     tokensmith_nuvy_token_url=emulator.url + '/nexus/oauth2/token',
                     tokensmith_nuvy_client_id=CREDENTIALS['test_nuvy_client_id'],
                     tokensmith_nuvy_client_secret=CREDENTIALS['test_nuvy_client_secret'])
    ours = lookup_loader.get('tokensmith.auth.token', loader=loader, templar=templar)
    env = lookup_loader.get('ansible.builtin.env', loader=loader, templar=templar)
    results = {}
    for name, call in (('token', lambda: ours.run(['nuvy'], variables=variables)),
                       ('env', lambda: env.run(['HOME'], variables=variables))):
        call()
        started = time.perf_counter()
        for _index in range(calls):
            call()
        results[name] = (time.perf_counter() - started) / calls
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--hosts', type=int, default=200)
    parser.add_argument('--calls', type=int, default=300)
    args = parser.parse_args()
    with workspace('tokensmith-bench-') as (work, emulator):
        hosts = os.path.join(work, 'hosts.ini')
        with open(hosts, 'w') as handle:
            handle.write('[fleet]\n' + ''.join('host%03d\n' % n for n in range(1, args.hosts + 1)))
            handle.write('[fleet:vars]\nansible_connection=local\n')
        lookups = args.hosts * 3 * len(PROVIDERS)
        print('fleet: %d hosts, forks 20, %d lookups per run (3 per provider per host)' % (args.hosts, lookups))
        baseline = run_play(work, emulator, hosts, fixed=True, cache=True)[0]
        rows = [('fixed string (baseline)', baseline, 0)]
        for label, cache in (('lookup, cold cache', True), ('lookup, warm cache', True), ('lookup, cache off', False)):
            elapsed, requests = run_play(work, emulator, hosts, fixed=False, cache=cache)
            rows.append((label, elapsed, requests))
        print('%-26s %9s %9s %15s' % ('run', 'wall s', 'x base', 'token requests'))
        for label, elapsed, requests in rows:
            print('%-26s %9.2f %9.2f %15d' % (label, elapsed, elapsed / baseline, requests))
        costs = call_cost(work, emulator, args.calls)
        print('cached lookup call (in-process, %d calls): %.3f ms; ansible.builtin.env: %.3f ms; ratio %.1f'
              % (args.calls, costs['token'] * 1000, costs['env'] * 1000, costs['token'] / costs['env']))
        print(json.dumps(dict(rows=rows, call_cost=costs)))


if __name__ == '__main__':
    main()
