# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The project's test command (``make test``) and demo (``make demo``); needs only Python 3 and PyPI.

    python3 tests/harness/run.py test [--core 2.19] [--only sanity,units,...]
    python3 tests/harness/run.py demo

It makes one virtualenv per supported ansible-core from the pinned files in tests/requirements/,
works around the two things that keep ansible-test from running offline (see ../shared/TESTING.md),
runs every check, and ends with one line ``N passed, M failed``.
"""

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENVS = os.path.join(ROOT, '.venv')
# Outside the checkout: inside it, ansible-test would list files with git and find the copy ignored.
SCRATCH = os.path.join(tempfile.gettempdir(), 'tokensmith-test-' + hashlib.sha256(ROOT.encode()).hexdigest()[:8])
COLLECTION = os.path.join(SCRATCH, 'ansible_collections', 'tokensmith', 'auth')
LOGS = os.path.join(ROOT, 'tests', 'output', 'harness')
ANSIBLE_TEST_CACHE = os.path.expanduser('~/.ansible/test/cache')

# ansible-core under test -> the Python its controller runs on.
CORES = {'2.16': '3.11', '2.19': '3.11', '2.21': '3.12'}
TOOLS_CORE = '2.19'   # its venv also holds ansible-lint, antsibull-changelog and ansible-builder
# pip versions ansible-test bootstraps into its venvs (python_requirements.get_venv_packages).
ANSIBLE_TEST_PIPS = ('23.1.2', '24.2', '25.2')
STANDIN_PIP = '24.2'
MODULES = ('nexla_token', 'nuvy_oauth_token', 'nexus_user_token')
CHECKS = ('sanity', 'units', 'integration', 'lint', 'changelog', 'builder', 'build')


def say(message):
    print(message, flush=True)


def find_python(version):
    """An interpreter binary for ``version`` (not a pyenv shim: shims do not work inside ansible-test)."""
    candidates = []
    pyenv_root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    candidates.extend(sorted(glob.glob(os.path.join(pyenv_root, 'versions', version + '.*', 'bin', 'python' + version))))
    for directory in os.environ.get('PATH', '').split(os.pathsep):
        if 'shims' not in directory:
            candidates.append(os.path.join(directory, 'python' + version))
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def python_bin_dir():
    """A directory of ``pythonX.Y`` links to every real interpreter here, for ansible-test's multi-Python tests."""
    directory = os.path.join(SCRATCH, 'pythons')
    os.makedirs(directory, exist_ok=True)
    for minor in ['2.7'] + ['3.%d' % n for n in range(6, 15)]:
        found = find_python(minor)
        link = os.path.join(directory, 'python' + minor)
        if found and not os.path.lexists(link):
            os.symlink(found, link)
    return directory


def run(command, log, cwd=ROOT, env=None, timeout=3600):
    """Run a command, output to ``log``; return its exit status."""
    with open(log, 'ab') as handle:
        handle.write(('\n$ %s\n' % ' '.join(command)).encode())
        handle.flush()
        try:
            return subprocess.call(command, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            handle.write(b'\n*** timed out ***\n')
            return 124


def ensure_venv(name, python_version, requirements, log):
    """A virtualenv with ``requirements`` installed; rebuilt when the pinned file changes."""
    venv = os.path.join(VENVS, name)
    with open(requirements, 'rb') as handle:
        stamp = hashlib.sha256(handle.read() + python_version.encode()).hexdigest()
    stamp_file = os.path.join(venv, '.tokensmith-stamp')
    if os.path.exists(stamp_file) and open(stamp_file).read() == stamp:
        return venv
    python = find_python(python_version)
    if not python:
        raise SystemExit('Python %s is needed for the %s environment and was not found (pyenv install %s)'
                         % (python_version, name, python_version))
    say('  preparing %s (Python %s) ...' % (name, python_version))
    shutil.rmtree(venv, ignore_errors=True)
    for command in ([python, '-m', 'venv', venv],
                    [os.path.join(venv, 'bin', 'python'), '-m', 'pip', 'install', '--disable-pip-version-check',
                     '-q', '-r', requirements]):
        if run(command, log) != 0:
            raise SystemExit('could not prepare %s; see %s' % (venv, log))
    with open(stamp_file, 'w') as handle:
        handle.write(stamp)
    return venv


STANDIN = '''# A stand-in for the get-pip script ansible-test downloads from a host unreachable here.
# Written by tokensmith.auth's tests/harness/run.py: it runs pip from a pip wheel taken from PyPI.
import glob, os, sys
wheel = sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pip-*.whl")))[-1]
sys.path.insert(0, wheel)
from pip._internal.cli.main import main
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--upgrade", "--force-reinstall"] + args))
'''


def ensure_get_pip_standin(venv, log):
    os.makedirs(ANSIBLE_TEST_CACHE, exist_ok=True)
    if not glob.glob(os.path.join(ANSIBLE_TEST_CACHE, 'pip-*.whl')):
        command = [os.path.join(venv, 'bin', 'python'), '-m', 'pip', 'download', '--disable-pip-version-check',
                   '-q', '--no-deps', '-d', ANSIBLE_TEST_CACHE, 'pip==' + STANDIN_PIP]
        if run(command, log) != 0:
            raise SystemExit('could not download the pip wheel from PyPI; see %s' % log)
    for version in ANSIBLE_TEST_PIPS:
        path = os.path.join(ANSIBLE_TEST_CACHE, 'get_pip_%s.py' % version.replace('.', '_'))
        if not os.path.exists(path) or 'tokensmith.auth' in open(path).read():
            with open(path, 'w') as handle:
                handle.write(STANDIN)


def copy_collection():
    """The working tree (tracked and untracked-not-ignored files) under ansible_collections/tokensmith/auth."""
    files = subprocess.check_output(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                                    cwd=ROOT).decode().split('\0')
    shutil.rmtree(COLLECTION, ignore_errors=True)
    for relative in filter(None, files):
        source = os.path.join(ROOT, relative)
        if not os.path.lexists(source):
            continue  # deleted but not yet committed
        target = os.path.join(COLLECTION, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    return COLLECTION


def ensure_oidc_server(log):
    """oidc-provider from the committed lock file, beside the collection copy (integration finds it there)."""
    target = os.path.join(SCRATCH, 'oidc')
    with open(os.path.join(ROOT, 'tests', 'oidc', 'package-lock.json'), 'rb') as handle:
        stamp = hashlib.sha256(handle.read()).hexdigest()
    stamp_file = os.path.join(target, '.tokensmith-stamp')
    if os.path.exists(stamp_file) and open(stamp_file).read() == stamp:
        return
    npm = shutil.which('npm')
    if not npm:
        raise SystemExit('npm is needed for the integration tests (a real OAuth 2.0 server); install Node.js and npm')
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    for name in ('package.json', 'package-lock.json'):
        shutil.copy2(os.path.join(ROOT, 'tests', 'oidc', name), target)
    if run([npm, 'ci', '--no-audit', '--no-fund', '--loglevel=error'], log, cwd=target) != 0:
        raise SystemExit('npm ci failed for tests/oidc; see %s' % log)
    with open(stamp_file, 'w') as handle:
        handle.write(stamp)


# Debian packages the tests run (a real Redis server; Chromium for the documentation site), unpacked beside the
# collection copy rather than installed: no root, nothing on the system changes. Found by the tests there.
DEBS = {'redis': ['redis-server'], 'chromium': ['chromium']}


def _apt(arguments, log, cwd=None):
    return run(['apt-get', '-q'] + arguments, log, cwd=cwd or SCRATCH, env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))


def ensure_debs(name, log):
    """``DEBS[name]`` and what they need that this machine lacks, downloaded and unpacked into SCRATCH/debs/name."""
    target = os.path.join(SCRATCH, 'debs', name)
    stamp_file = os.path.join(target, '.tokensmith-stamp')
    if os.path.exists(stamp_file):
        return target
    if not shutil.which('apt-get'):
        raise SystemExit('apt-get is needed to fetch %s from the Debian packages for the tests' % ', '.join(DEBS[name]))
    os.makedirs(SCRATCH, exist_ok=True)

    def missing():
        plan = subprocess.run(['apt-get', 'install', '-s', '--no-install-recommends'] + DEBS[name],
                              capture_output=True, text=True, env=dict(os.environ, LANG='C'), check=False)
        return plan.returncode, [line.split()[1] for line in plan.stdout.splitlines() if line.startswith('Inst ')]

    status, packages = missing()
    if status != 0 and os.geteuid() == 0:  # no package lists yet (a fresh machine)
        _apt(['update'], log)
        status, packages = missing()
    if status != 0:
        raise SystemExit('apt-get cannot resolve %s (see %s); as root, run apt-get update' % (DEBS[name], log))
    downloads = os.path.join(SCRATCH, 'debs', '.downloads')
    shutil.rmtree(downloads, ignore_errors=True)
    os.makedirs(downloads)
    if packages and _apt(['download'] + packages, log, cwd=downloads) != 0:
        raise SystemExit('apt-get download failed for %s; see %s' % (', '.join(packages), log))
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    for deb in sorted(glob.glob(os.path.join(downloads, '*.deb'))):
        if run(['dpkg-deb', '-x', deb, target], log) != 0:
            raise SystemExit('could not unpack %s; see %s' % (deb, log))
    shutil.rmtree(downloads, ignore_errors=True)
    with open(stamp_file, 'w') as handle:
        handle.write(' '.join(packages))
    return target


def venv_env(venv, extra_path=()):
    env = dict(os.environ)
    for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS',
                 'PYTHONPATH', 'VIRTUAL_ENV'):
        env.pop(name, None)
    env['PATH'] = os.pathsep.join([os.path.join(venv, 'bin')] + list(extra_path) + [env.get('PATH', '')])
    env['VIRTUAL_ENV'] = venv
    env['ANSIBLE_NOCOLOR'] = '1'
    env['TOKENSMITH_TEST_RUN'] = '1'
    return env


class Harness:
    def __init__(self, cores, only, sanity_tests=()):
        self.cores = cores
        self.only = only
        self.sanity_tests = [arg for name in sanity_tests for arg in ('--test', name)]
        self.results = []
        os.makedirs(LOGS, exist_ok=True)
        for old in glob.glob(os.path.join(LOGS, '*.log')):
            os.unlink(old)

    def check(self, name, command, env, cwd=None, timeout=3600):
        log = os.path.join(LOGS, name.replace(' ', '_').replace('/', '_') + '.log')
        started = time.time()
        status = run(command, log, cwd=cwd or COLLECTION, env=env, timeout=timeout)
        elapsed = time.time() - started
        self.results.append((name, status == 0, elapsed))
        where = '' if status == 0 else '   (log: %s)' % os.path.relpath(log, ROOT)
        say('%s %-34s %6.1f s%s' % ('PASS' if status == 0 else 'FAIL', name, elapsed, where))
        if status != 0:
            with open(log, 'rb') as handle:
                tail = handle.read().decode('utf-8', 'replace').splitlines()[-40:]
            say('\n'.join('    | ' + line for line in tail))
        return status == 0

    def wants(self, check):
        return check in self.only

    def run(self):
        prep_log = os.path.join(LOGS, 'prepare.log')
        venvs = {}
        tool_checks = self.only & {'lint', 'changelog', 'builder', 'build'}
        for core in set(self.cores) | ({TOOLS_CORE} if tool_checks else set()):
            venvs[core] = ensure_venv('core-' + core, CORES[core],
                                      os.path.join(ROOT, 'tests', 'requirements', 'core-%s.txt' % core), prep_log)
        ensure_get_pip_standin(next(iter(venvs.values())), prep_log)
        copy_collection()
        pythons = python_bin_dir()
        if self.wants('integration'):
            ensure_oidc_server(prep_log)
            ensure_debs('redis', prep_log)

        for core in self.cores:
            env = venv_env(venvs[core], [pythons])
            test = [os.path.join(venvs[core], 'bin', 'ansible-test')]
            controller = '--python=%s' % CORES[core]
            if self.wants('sanity'):
                self.check('sanity (core %s)' % core, test + ['sanity', '--color', 'no', '--venv'] + self.sanity_tests, env)
            if self.wants('units'):
                self.check('units (core %s)' % core, test + ['units', '--color', 'no', '--venv', controller], env)
            if self.wants('integration'):
                self.check('integration (core %s)' % core, test + ['integration', '--color', 'no', controller], env)

        if tool_checks:
            self.tools(venvs[TOOLS_CORE], venv_env(venvs[TOOLS_CORE], [pythons]))
        passed = sum(1 for result in self.results if result[1])
        failed = len(self.results) - passed
        say('%d passed, %d failed' % (passed, failed))
        return 1 if failed or not self.results else 0

    def tools(self, venv, env):
        bin_dir = os.path.join(venv, 'bin')
        if self.wants('lint'):
            lint_env = dict(env, ANSIBLE_LINT_SKIP_GUESS_FILE='1', ANSIBLE_COLLECTIONS_PATH=SCRATCH)
            self.check('ansible-lint (production)', [os.path.join(bin_dir, 'ansible-lint'), '--offline', '--nocolor',
                                                     '--profile', 'production'], lint_env)
        if self.wants('changelog'):
            self.check('antsibull-changelog lint', [os.path.join(bin_dir, 'antsibull-changelog'), 'lint'], env)
        if self.wants('builder'):
            self.check('ansible-builder introspect', [os.path.join(bin_dir, 'ansible-builder'), 'introspect',
                                                      '--sanitize', SCRATCH], env)
        if self.wants('build'):
            self.check('build, install, ansible-doc', [os.path.join(bin_dir, 'python'),
                                                       os.path.join(ROOT, 'tests', 'harness', 'smoke_build.py'),
                                                       COLLECTION], env)


def demo_venv():
    return ensure_venv('demo', '3.11' if find_python('3.11') else '%d.%d' % sys.version_info[:2],
                       os.path.join(ROOT, 'tests', 'requirements', 'demo.txt'), os.path.join(LOGS, 'demo-prepare.log'))


def bench():
    """The lookup benchmark (figures, not a test)."""
    os.makedirs(LOGS, exist_ok=True)
    venv = demo_venv()
    return subprocess.call([os.path.join(venv, 'bin', 'python'), os.path.join(ROOT, 'tests', 'benchmarks', 'lookup_fleet.py')],
                           env=venv_env(venv), cwd=ROOT)


def demo():
    """Start the emulator, run examples/demo.yml against it, stop it; nothing is left running."""
    os.makedirs(LOGS, exist_ok=True)
    venv = demo_venv()
    scratch = tempfile.mkdtemp(prefix='tokensmith-demo-')
    python = os.path.join(venv, 'bin', 'python')
    emulator = os.path.join(ROOT, 'tests', 'emulator', 'emulator.py')
    collections_dir = os.path.join(scratch, 'collections', 'ansible_collections', 'tokensmith')
    os.makedirs(collections_dir)
    os.symlink(ROOT, os.path.join(collections_dir, 'auth'))
    try:
        info = json.loads(subprocess.check_output([python, emulator, 'start', '--state-dir',
                                                   os.path.join(scratch, 'emulator')]))
        say('emulator listening on %s (throwaway CA: %s)' % (info['url'], info['ca']))
        env = venv_env(venv)
        env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(scratch, 'collections'), EMULATOR_URL=info['url'],
                   EMULATOR_CA=info['ca'], DEMO_DIR=os.path.join(scratch, 'out'))
        env.pop('ANSIBLE_NOCOLOR')
        status = subprocess.call([os.path.join(venv, 'bin', 'ansible-playbook'), '-i', 'localhost,',
                                  '-e', 'ansible_python_interpreter=' + python,
                                  '-e', '@' + os.path.join(ROOT, 'examples', 'emulator.yml'),
                                  os.path.join(ROOT, 'examples', 'demo.yml')] + sys.argv[2:], env=env, cwd=ROOT)
    finally:
        subprocess.call([python, emulator, 'stop', '--state-dir', os.path.join(scratch, 'emulator')])
        shutil.rmtree(scratch, ignore_errors=True)
    return status


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('action', choices=['test', 'demo', 'bench'])
    if sys.argv[1:2] == ['demo']:
        return demo()  # further arguments go to ansible-playbook (-v, --check, ...)
    parser.add_argument('--core', action='append', choices=sorted(CORES), help='ansible-core to test (default: all)')
    parser.add_argument('--only', default=','.join(CHECKS), help='comma-separated checks: %s' % ', '.join(CHECKS))
    parser.add_argument('--sanity-test', action='append', default=[], metavar='NAME',
                        help='run only this ansible-test sanity test (repeatable), e.g. pep8, pylint')
    args = parser.parse_args()
    if args.action == 'bench':
        return bench()
    only = set(args.only.split(','))
    unknown = only - set(CHECKS)
    if unknown:
        parser.error('unknown check(s): %s' % ', '.join(sorted(unknown)))
    return Harness(args.core or list(CORES), only, args.sanity_test).run()


if __name__ == '__main__':
    sys.exit(main())
