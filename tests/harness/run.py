# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The project's commands: ``make test``, ``make check``, ``make demo``, ``make docs``, ``make bench``.

    python3 tests/harness/run.py test [--core 2.19] [--only sanity,units,...] [--sanity-test pep8] [--target roles]
    python3 tests/harness/run.py check       # the fast inner loop: units-2.19, sanity-quick, lint
    python3 tests/harness/run.py demo [ansible-playbook arguments]
    python3 tests/harness/run.py docs        # the documentation site, into docs/_build/html
    python3 tests/harness/run.py bench
    python3 tests/harness/run.py sweep [--only NAME]   # every fault at every byte, in full (make test: a sample)

The checks are nox sessions (noxfile.py). ``test`` installs nox (tests/requirements/nox.txt), prepares what the
selected sessions need at once (two downloads or installs at a time; offline.py), runs the sessions in two lanes
at once (the machine has two cores, and a check seldom keeps both busy), and ends with one line
``N passed, M failed in S s`` from the sessions' reports.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import offline

NOXFILE = os.path.join(offline.ROOT, 'noxfile.py')
REQUIREMENTS = os.path.join(offline.ROOT, 'tests', 'requirements')
DOCS_OUT = os.path.join(offline.ROOT, 'docs', '_build', 'html')
# --only's names; each is a session's name (without its core), but docs, which is two sessions.
CHECKS = ('sanity', 'units', 'integration', 'lint', 'changelog', 'builder', 'build', 'galaxy', 'docs')
SESSIONS_OF = {'docs': ('docs-lint', 'docs-site')}


def tagged(tag):
    """The noxfile's sessions with ``tag``, in its order (read from nox itself, so they are written once)."""
    listing = subprocess.check_output(nox_command() + ['--json', '-l', '-t', tag], cwd=offline.ROOT)
    return [session['session'] for session in json.loads(listing)]


def lanes(names):
    """The two lanes: the primary core's sessions (its integration is the longest job), and the rest."""
    first = [name for name in names if name.endswith('-' + offline.PRIMARY)]
    return first, [name for name in names if name not in first]


def nox_command():
    venv = offline.ensure_venv('nox', '%d.%d' % sys.version_info[:2], os.path.join(REQUIREMENTS, 'nox.txt'),
                               os.path.join(offline.LOGS, 'prepare.log'))
    return [os.path.join(venv, 'bin', 'nox'), '-f', NOXFILE, '--no-color']


def selected(names, cores, only):
    """The sessions of ``names`` that --core and --only select."""
    wanted = set()
    for check in only:
        wanted.update(SESSIONS_OF.get(check, (check,)))
    chosen = []
    for name in names:
        check, core = name.rpartition('-')[::2]
        if core in offline.CORES:
            if check in wanted and core in cores:
                chosen.append(name)
        elif name in wanted:
            chosen.append(name)
    return chosen


def prepare(sessions):
    """Everything the sessions need (offline.NEEDS, declared once), two downloads or installs at a time, so that the
    lanes find it ready and never build the same thing at once."""
    offline.prepare([need for name in sessions for need in offline.needs(name)],
                    os.path.join(offline.LOGS, 'prepare.log'), workers=2)


def run_lanes(lane_sessions, posargs):
    """Each lane's sessions in one nox process, the lanes at once; the sessions' results from nox's reports."""
    command = nox_command()
    results = []

    def lane(name, sessions):
        report = os.path.join(offline.LOGS, 'nox-%s.json' % name)
        if os.path.exists(report):
            os.unlink(report)
        status = subprocess.call(command + ['--report', report, '-s'] + sessions + ['--'] + posargs,
                                 env=dict(os.environ, TOKENSMITH_LANE=name, TOKENSMITH_PREPARED='1'), cwd=offline.ROOT)
        try:
            with open(report) as handle:
                results.extend((s['name'], s['result'] == 'success') for s in json.load(handle)['sessions'])
        except (OSError, ValueError, KeyError):
            results.append(('nox (%s lane, status %d, no report)' % (name, status), False))
    threads = [threading.Thread(target=lane, args=(name, sessions))
               for name, sessions in zip(('first', 'second'), lane_sessions) if sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def summary(results, started):
    passed = sum(1 for result in results if result[1])
    failed = len(results) - passed
    for name, ok in results:
        if not ok:
            offline.say('FAILED: %s (log: tests/output/harness/%s.log)' % (name, name))
    offline.say('%d passed, %d failed in %.0f s' % (passed, failed, time.time() - started))
    return 1 if failed or not results else 0


def test(cores, only, posargs):
    """make test: every selected session, the primary core in one lane and the rest in the other."""
    started = time.time()
    os.makedirs(offline.LOGS, exist_ok=True)
    for old in os.listdir(offline.LOGS):
        if old.endswith('.log') or old.endswith('.json'):
            os.unlink(os.path.join(offline.LOGS, old))
    lane_sessions = [selected(names, cores, only) for names in lanes(tagged('test'))]
    step = time.time()
    prepare(lane_sessions[0] + lane_sessions[1])
    offline.say('---- prepare %6.1f s' % (time.time() - step))
    return summary(run_lanes(lane_sessions, posargs), started)


def check():
    """make check: units and the quick sanity tests on the primary core, and ansible-lint; no servers."""
    started = time.time()
    sessions = tagged('check')
    prepare(sessions)
    # The unit tests (the longest, with the fault sweep's sample) in one lane, the rest beside them.
    units = [name for name in sessions if name.startswith('units-')]
    return summary(run_lanes([units, [name for name in sessions if name not in units]], []), started)


def demo_venv():
    return offline.ensure_venv('demo', '3.11' if offline.find_python('3.11') else '%d.%d' % sys.version_info[:2],
                               os.path.join(REQUIREMENTS, 'demo.txt'), os.path.join(offline.LOGS, 'demo-prepare.log'))


def bench():
    """make bench: the benchmarks' figures (not tests): the lookup at fleet scale, a cache hit in a fresh fork,
    controllers sharing a cache (standalone, Sentinel, Cluster, through failovers), consecutive runs of a role, a
    module against hostile answers, and a token's cost per host from 50 to 1,000 hosts (floor, DIY, lookup, role)."""
    log = os.path.join(offline.LOGS, 'bench-prepare.log')
    os.makedirs(offline.LOGS, exist_ok=True)
    venv = offline.core_venv(offline.PRIMARY, log)
    redis = offline.ensure_debs('redis', log)
    python = os.path.join(venv, 'bin', 'python')
    status = 0
    for script, arguments in (('lookup_first_call.py', []), ('lookup_fleet.py', []),
                              ('fleet_controllers.py', ['--redis-debs', redis]),
                              ('fleet_stores.py', ['--redis-debs', redis]), ('hostile_answers.py', []),
                              ('role_requests.py', []), ('role_fleet.py', [])):
        offline.say('==== %s' % script)
        status |= subprocess.call([python, os.path.join(offline.ROOT, 'tests', 'benchmarks', script)] + arguments,
                                  env=offline.venv_env(venv), cwd=offline.ROOT)
    return status


def sweep(arguments):
    """make sweep: the fault sweep in full (tests/benchmarks/fault_sweep.py); make test runs a fixed sample of it."""
    log = os.path.join(offline.LOGS, 'bench-prepare.log')
    os.makedirs(offline.LOGS, exist_ok=True)
    venv = offline.core_venv(offline.PRIMARY, log)
    redis = offline.ensure_debs('redis', log)
    return subprocess.call([os.path.join(venv, 'bin', 'python'),
                            os.path.join(offline.ROOT, 'tests', 'benchmarks', 'fault_sweep.py'), '--redis-debs', redis]
                           + arguments, env=offline.venv_env(venv), cwd=offline.ROOT)


def demo():
    """Start the emulator, run examples/demo.yml against it, stop it; nothing is left running."""
    os.makedirs(offline.LOGS, exist_ok=True)
    venv = demo_venv()
    scratch = tempfile.mkdtemp(prefix='tokensmith-demo-')
    python = os.path.join(venv, 'bin', 'python')
    emulator = os.path.join(offline.ROOT, 'tests', 'emulator')  # the package's command line (cli.py)
    collections_dir = os.path.join(scratch, 'collections', 'ansible_collections', 'tokensmith')
    os.makedirs(collections_dir)
    os.symlink(offline.ROOT, os.path.join(collections_dir, 'auth'))
    try:
        info = json.loads(subprocess.check_output([python, emulator, 'start', '--state-dir',
                                                   os.path.join(scratch, 'emulator')]))
        offline.say('emulator listening on %s (throwaway CA: %s)' % (info['url'], info['ca']))
        env = offline.venv_env(venv)
        env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(scratch, 'collections'), DEMO_DIR=os.path.join(scratch, 'out'))
        env.pop('ANSIBLE_NOCOLOR')
        # The emulator's address and test credentials, then the variables that point the demo at them.
        address = dict(emulator_url=info['url'], emulator_ca=info['ca'],
                       tokensmith_cache_dir=os.path.join(scratch, 'out', 'cache'))
        status = subprocess.call([os.path.join(venv, 'bin', 'ansible-playbook'), '-i', 'localhost,',
                                  '-e', 'ansible_python_interpreter=' + python, '-e', json.dumps(address),
                                  '-e', '@' + os.path.join(offline.ROOT, 'tests', 'credentials.yml'),
                                  '-e', '@' + os.path.join(offline.ROOT, 'examples', 'emulator.yml'),
                                  os.path.join(offline.ROOT, 'examples', 'demo.yml')] + sys.argv[2:],
                                 env=env, cwd=offline.ROOT)
    finally:
        subprocess.call([python, emulator, 'stop', '--state-dir', os.path.join(scratch, 'emulator')])
        shutil.rmtree(scratch, ignore_errors=True)
    return status


def docs():
    """make docs: the documentation site, offline, into docs/_build/html (not committed)."""
    os.makedirs(offline.LOGS, exist_ok=True)
    venv = offline.core_venv(offline.PRIMARY, os.path.join(offline.LOGS, 'docs.log'))
    offline.copy_collection()
    env = dict(offline.venv_env(venv), ANSIBLE_COLLECTIONS_PATH=offline.SCRATCH)
    return subprocess.call([os.path.join(venv, 'bin', 'python'), os.path.join(offline.ROOT, 'tests', 'harness', 'docs.py'),
                            'build', offline.SCRATCH, DOCS_OUT], env=env, cwd=offline.ROOT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('action', choices=['test', 'check', 'demo', 'docs', 'bench', 'sweep'])
    if sys.argv[1:2] == ['demo']:
        return demo()  # further arguments go to ansible-playbook (-v, --check, ...)
    if sys.argv[1:2] == ['sweep']:
        return sweep(sys.argv[2:])  # further arguments go to the sweep (--only NAME)
    parser.add_argument('--core', action='append', choices=sorted(offline.CORES),
                        help='ansible-core to test (default: all)')
    parser.add_argument('--only', default=','.join(CHECKS), help='comma-separated checks: %s' % ', '.join(CHECKS))
    parser.add_argument('--sanity-test', action='append', default=[], metavar='NAME',
                        help='run only this ansible-test sanity test (repeatable), e.g. pep8; implies --only sanity')
    parser.add_argument('--target', action='append', default=[], metavar='NAME',
                        help='run only this integration target or alias (repeatable), e.g. roles; implies '
                             '--only integration')
    args = parser.parse_args()
    if args.action == 'bench':
        return bench()
    if args.action == 'docs':
        return docs()
    if args.action == 'check':
        return check()
    only = set(args.only.split(','))
    unknown = only - set(CHECKS)
    if unknown:
        parser.error('unknown check(s): %s' % ', '.join(sorted(unknown)))
    if args.sanity_test and args.target:
        parser.error('--sanity-test and --target go to different sessions: run them one at a time')
    if args.sanity_test:
        only, posargs = {'sanity'}, [a for name in args.sanity_test for a in ('--test', name)]
    elif args.target:
        only, posargs = {'integration'}, list(args.target)
    else:
        posargs = []
    return test(args.core or list(offline.CORES), only, posargs)


if __name__ == '__main__':
    sys.exit(main())
