# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a cache hit costs where Ansible pays it: the first evaluation of the lookup in a freshly forked worker.

Ansible forks a worker for every task and host; the worker loads the lookup plugin (its documentation, the
collection's Python) and evaluates it once. This script prepares Ansible in a parent process as the
controller does, forks a child per sample, and times in the child one templated evaluation of
``tokensmith.auth.token`` (warm cache) and, in other children, of ``ansible.builtin.env`` (the baseline).
Prints medians and the ratio; asserts nothing. Run with ``make bench`` or directly with the demo venv.

Python writes bytecode here as it does by default on users' machines (``PYTHONDONTWRITEBYTECODE``, which this
machine sets, is lifted for the run); the row "compiled by Ansible's loader" is what a read-only install or that
variable costs.
"""

import argparse
import json
import os
import statistics
import sys
import time

from _workspace import CREDENTIALS, SECRET, workspace

TEMPLATES = {
    'tokensmith.auth.token': "{{ lookup('tokensmith.auth.token', 'nuvy') }}",
    'ansible.builtin.env': "{{ lookup('ansible.builtin.env', 'HOME') }}",
}


def prepare(work):
    """Ansible as a controller has it before it forks: plugin loader, data loader, variables."""
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel
    init_plugin_loader([work])
    loader = DataLoader()
    Templar(loader=loader).template(trusted('{{ [1, 2] | map("string") | join(",") }}'))  # Jinja is warm by then
    return lambda variables: Templar(loader=loader, variables=variables)


def in_child(job):
    """Run ``job()`` in a forked child; return what it returned (a float)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            value = dict(value=job())
        except Exception as err:  # pylint: disable=broad-except  # reported by the parent
            value = dict(error='%s: %s' % (type(err).__name__, err))
        os.write(write, json.dumps(value).encode())
        os._exit(0)  # pylint: disable=protected-access
    os.close(write)
    with os.fdopen(read) as handle:
        data = json.loads(handle.read())
    os.waitpid(pid, 0)
    if 'error' in data:
        raise SystemExit('the forked evaluation failed: %s' % data['error'])
    return data['value']


def trusted(template):
    """A template Ansible 2.19+ agrees to render (it renders only templates trusted as such)."""
    try:
        from ansible.template import trust_as_template  # pylint: disable=import-outside-toplevel
    except ImportError:  # ansible-core 2.16
        return template
    return trust_as_template(template)


def first_call(templar_for, variables, template, env=None):
    template = trusted(template)

    def job():
        os.environ.update(env or {})  # in the forked child only
        templar = templar_for(variables)
        started = time.perf_counter()
        templar.template(template)
        return time.perf_counter() - started
    return job


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--samples', type=int, default=31)
    args = parser.parse_args()
    sys.dont_write_bytecode = False  # the forked children inherit it
    with workspace('tokensmith-bench-first-') as (work, emulator):
        os.environ['ANSIBLE_COLLECTIONS_PATH'] = work
        variables = dict(tokensmith_ca_path=emulator.ca_path, tokensmith_cache_dir=os.path.join(work, 'cache'),
                         tokensmith_nuvy_token_url=emulator.url + '/nexus/oauth2/token', tokensmith_nuvy_client_id=CREDENTIALS['test_nuvy_client_id'],
                         tokensmith_nuvy_client_secret=SECRET)
        templar_for = prepare(work)
        in_child(first_call(templar_for, variables, TEMPLATES['tokensmith.auth.token']))  # warms the cache
        assert emulator.state.counters['nuvy.token'] == 1
        # With a shared cache configured, a hit in the local cache must not cost more (the store's client is
        # imported only on a local miss); the store here is never reached.
        shared = dict(variables, tokensmith_cache_url='redis://127.0.0.1:1/0',
                      tokensmith_cache_key='bench-cache-key-0123456789')
        runs = (('tokensmith.auth.token', variables), ('ansible.builtin.env', variables),
                ('tokensmith.auth.token with cache_url', shared),
                ('tokensmith.auth.token, definitions parsed', variables),
                ("tokensmith.auth.token, compiled by Ansible's loader", variables))
        # The last two: what a hit costs without plugin_utils/_definitions.py (every worker parses the docs), and
        # without plugin_utils/_bytecode.py (every worker compiles the lookup's modules).
        envs = {'tokensmith.auth.token, definitions parsed': {'TOKENSMITH_REUSE_DEFINITIONS': '0'},
                "tokensmith.auth.token, compiled by Ansible's loader": {'TOKENSMITH_BYTECODE_CACHE': '0'}}
        samples = dict((label, []) for label, _values in runs)
        for _index in range(args.samples):  # interleaved, so a machine that slows down slows every variant alike
            for label, values in runs:
                samples[label].append(in_child(first_call(templar_for, values, TEMPLATES[label.split(' ', 1)[0].rstrip(',')],
                                                          envs.get(label))))
        medians = dict((label, statistics.median(values)) for label, values in samples.items())
        assert emulator.state.counters['nuvy.token'] == 1, 'the samples were not cache hits'
        base = medians['ansible.builtin.env']
        print('first evaluation in a fresh fork, median of %d samples (ratio: median and quartiles of the ratios '
              'to ansible.builtin.env sampled next to it):' % args.samples)
        ratios = {}
        for label, value in medians.items():
            paired = [mine / env for mine, env in zip(samples[label], samples['ansible.builtin.env'])]
            quartiles = statistics.quantiles(paired, n=4)
            ratios[label] = round(statistics.median(paired), 2)
            print('  %-52s %6.1f ms   %5.2f x (%.2f-%.2f)'
                  % (label, value * 1000, ratios[label], quartiles[0], quartiles[2]))
        print(json.dumps(dict(first_call_ms={name: round(value * 1000, 2) for name, value in medians.items()},
                              ratio_to_env=ratios)))


if __name__ == '__main__':
    main()
