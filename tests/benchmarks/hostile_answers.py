# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Wall time and peak RSS of one nuvy_oauth_token module process against hostile answers (not a test).

    python tests/benchmarks/hostile_answers.py [--collection DIR] [--limit SECONDS]

Each case runs the module as Ansible runs it on a host (a Python process with its arguments in a file), against
the emulator's hostile answers, with timeout 3 and retries 0; the figure is the process' own peak resident set
(wait4). --collection runs another checkout's module (an older commit, for a before/after); a case still
running after --limit seconds is stopped and shown as such. The first row, a good answer, is the baseline the
others are compared with.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from _workspace import CREDENTIALS, SECRET, workspace

MiB = 1024 * 1024
SLOW = '{"access_token": "%s", "expires_in": 3600, "token_type": "Bearer"}' % ('a' * 40)
CASES = [
    ('a good answer (baseline)', None),
    ('10 KB of x on HTTP 500', dict(status=500, size=10 * 1024, content_type='text/plain')),
    ('1 MB of x on HTTP 500', dict(status=500, size=MiB, content_type='text/plain')),
    ('50 MB of words on HTTP 200', dict(status=200, size=50 * MiB, filler='word ', content_type='text/plain')),
    ('50 MB of words on HTTP 500', dict(status=500, size=50 * MiB, filler='word ', content_type='text/plain')),
    ('gzip 1 MB -> 1 GiB on HTTP 200', dict(status=200, size=2 ** 30, filler='\0', gzip=True)),
    ('89-byte answer at 0.4 s a byte', dict(text=SLOW, trickle=0.4)),
    ('headers at 0.4 s a byte', dict(text=SLOW, trickle=0.4, trickle_headers=True)),
]


def run_case(collection, emulator, fault, limit, scratch):
    emulator.state.reset()
    if fault:
        emulator.state.faults.append(dict(fault, path='/nexus/oauth2/token', hostile=True, count=1))
    arguments = os.path.join(scratch, 'args.json')
    with open(arguments, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': dict(token_url=emulator.url + '/nexus/oauth2/token',
                                               client_id=CREDENTIALS['test_nuvy_client_id'], client_secret=SECRET,
                                               ca_path=emulator.ca_path, timeout=3, retries=0)}, handle)
    env = dict(os.environ, PYTHONPATH=collection)
    started = time.time()
    child = subprocess.Popen([sys.executable, '-m', 'ansible_collections.tokensmith.auth.plugins.modules.'
                              'nuvy_oauth_token', arguments], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    killed = False
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.time() - started > limit:
            os.kill(child.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.05)
    elapsed = time.time() - started
    output = child.stdout.read().decode('utf-8', 'replace')
    try:
        result = json.loads(output[output.index('{'):])
        outcome = 'ok' if not result.get('failed') else result['msg'][:70]
    except ValueError:
        outcome = output.strip().splitlines()[-1][:70] if output.strip() else 'no output'
    return elapsed, usage.ru_maxrss / 1024.0, 'killed after %d s' % limit if killed else outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--collection', help='a directory holding ansible_collections/tokensmith/auth (default: this '
                                             'checkout)')
    parser.add_argument('--limit', type=float, default=120)
    args = parser.parse_args()
    with workspace('tokensmith-hostile-') as (work, emulator):
        collection = args.collection or work
        print('module: %s' % os.path.realpath(os.path.join(collection, 'ansible_collections', 'tokensmith', 'auth')))
        print('%-34s %9s %9s %9s  %s' % ('case', 'wall s', 'peak MB', 'x base', 'outcome'))
        base = None
        with tempfile.TemporaryDirectory() as scratch:
            for name, fault in CASES:
                elapsed, peak, outcome = run_case(collection, emulator, fault, args.limit, scratch)
                base = base or peak
                print('%-34s %9.1f %9.0f %9.2f  %s' % (name, elapsed, peak, peak / base, outcome), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
