# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The project's commands: ``make test``, ``make check``, ``make demo``, ``make docs``, ``make bench``.

    python3 tests/harness/run.py test [--core 2.19] [--only sanity,units,...] [--sanity-test pep8] [--target roles]
    python3 tests/harness/run.py check       # the fast inner loop: units and the quick sanity tests on one core, lint
    python3 tests/harness/run.py demo [ansible-playbook arguments]
    python3 tests/harness/run.py docs        # the documentation site, into docs/_build/html
    python3 tests/harness/run.py bench

It makes one virtualenv per supported ansible-core from the pinned files in tests/requirements/, works around
the two things that keep ansible-test from running offline (see ../shared/TESTING.md), and runs the checks.
Everything runs on the primary ansible-core; on the others, what differs per version (the module and plugin
faces, their docs and imports, and the integration targets with the alias every_core). It prints each phase's
time and ends with one line ``N passed, M failed in S s``.
"""

import argparse
import concurrent.futures
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import nodes  # tests/harness/nodes.py: the managed nodes' users and Pythons
from integration_servers import integration_servers  # the emulator and oidc-provider for one integration run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENVS = os.path.join(ROOT, '.venv')
# Outside the checkout: inside it, ansible-test would list files with git and find the copy ignored.
SCRATCH = os.path.join(tempfile.gettempdir(), 'tokensmith-test-' + hashlib.sha256(ROOT.encode()).hexdigest()[:8])
COLLECTION = os.path.join(SCRATCH, 'ansible_collections', 'tokensmith', 'auth')
# The second lane works in its own copy (ansible-test writes into the collection it runs in), beside the same
# servers, browser and Pythons.
SECOND = os.path.join(SCRATCH, 'second')
SHARED = ('oidc', 'debs', 'pythons', 'nodes')
LOGS = os.path.join(ROOT, 'tests', 'output', 'harness')
DOCS_OUT = os.path.join(ROOT, 'docs', '_build', 'html')
ANSIBLE_TEST_CACHE = os.path.expanduser('~/.ansible/test/cache')

# ansible-core under test -> the Python its controller runs on.
CORES = {'2.16': '3.11', '2.19': '3.11', '2.21': '3.12'}
PRIMARY = '2.19'   # everything runs on it; its venv also holds the lint, changelog, builder and docs tools
# pip versions ansible-test bootstraps into its venvs (python_requirements.get_venv_packages).
ANSIBLE_TEST_PIPS = ('23.1.2', '24.2', '25.2')
STANDIN_PIP = '24.2'
CHECKS = ('sanity', 'units', 'integration', 'lint', 'changelog', 'builder', 'build', 'galaxy', 'docs')
# On the other cores: the sanity tests whose rules or subject change with ansible-core, the unit tests of the
# faces that talk to ansible-core (modules, the lookup and its cache), and the integration targets so marked.
SANITY_EVERY_CORE = ('validate-modules', 'ansible-doc', 'import', 'runtime-metadata')
UNITS_EVERY_CORE = ('tests/unit/plugins/modules/', 'tests/unit/plugins/plugin_utils/', 'tests/unit/extensions/')  # the / too
INTEGRATION_EVERY_CORE = 'every_core/'  # an alias; ansible-test wants the /
# make check: the sanity tests that catch most mistakes, on the controller's Python only.
SANITY_QUICK = ('pep8', 'pylint', 'validate-modules', 'ansible-doc', 'yamllint')


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
                     '--no-compile', '-q', '-r', requirements]):
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


def copy_collection(root=SCRATCH):
    """The working tree (tracked and untracked-not-ignored files) under root/ansible_collections/tokensmith/auth."""
    collection = os.path.join(root, 'ansible_collections', 'tokensmith', 'auth')
    files = subprocess.check_output(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                                    cwd=ROOT).decode().split('\0')
    shutil.rmtree(collection, ignore_errors=True)
    for relative in filter(None, files):
        source = os.path.join(ROOT, relative)
        if not os.path.lexists(source):
            continue  # deleted but not yet committed
        target = os.path.join(collection, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    if root != SCRATCH:
        for name in SHARED:
            link = os.path.join(root, name)
            if not os.path.lexists(link):
                os.symlink(os.path.join(SCRATCH, name), link)
    return collection


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
DEBS = {'redis': ['redis-server', 'redis-tools'], 'chromium': ['chromium'],  # redis-tools holds the binaries
        'openssh': ['openssh-server', 'openssh-sftp-server']}  # sshd for the managed nodes


def _apt(arguments, log, cwd=None):
    return run(['apt-get', '-q'] + arguments, log, cwd=cwd or SCRATCH, env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))


def ensure_debs(name, log):
    """``DEBS[name]`` (always, even where the machine has them installed) and what they need that this machine lacks,
    downloaded and unpacked into SCRATCH/debs/name."""
    target = os.path.join(SCRATCH, 'debs', name)
    stamp_file = os.path.join(target, '.tokensmith-stamp')
    if os.path.exists(stamp_file):
        with open(stamp_file) as handle:
            unpacked = handle.read().split()
        if all(package in unpacked for package in DEBS[name]):  # an older stamp may list only what was missing
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
    # The named packages themselves always (installed here or not: the tests run them from the unpacked copy), and
    # what they need that the machine lacks.
    packages = list(DEBS[name]) + [package for package in packages if package not in DEBS[name]]
    downloads = os.path.join(SCRATCH, 'debs', '.downloads')
    shutil.rmtree(downloads, ignore_errors=True)
    os.makedirs(downloads)
    if _apt(['download'] + packages, log, cwd=downloads) != 0:
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
    """Runs checks, one line each with its time, in two lanes at once where it can (the machine has two cores, and
    a check seldom keeps both busy), and keeps the results."""

    def __init__(self, only=CHECKS, sanity_tests=(), targets=()):
        self.only = set(only)
        self.sanity_tests = [arg for name in sanity_tests for arg in ('--test', name)]
        self.targets = list(targets)
        self.results = []
        self.started = time.time()
        self.lock = threading.Lock()
        os.makedirs(LOGS, exist_ok=True)
        for old in glob.glob(os.path.join(LOGS, '*.log')):
            os.unlink(old)

    def phase(self, name, work, *args):
        """Run ``work(*args)`` as a named phase and print its time."""
        started = time.time()
        result = work(*args)
        say('---- %-34s %6.1f s' % (name, time.time() - started))
        return result

    def check(self, name, command, env, cwd=COLLECTION, timeout=3600):
        log = os.path.join(LOGS, name.replace(' ', '_').replace('/', '_') + '.log')
        started = time.time()
        status = run(command, log, cwd=cwd, env=env, timeout=timeout)
        elapsed = time.time() - started
        where = '' if status == 0 else '   (log: %s)' % os.path.relpath(log, ROOT)
        lines = ['%s %-34s %6.1f s%s' % ('PASS' if status == 0 else 'FAIL', name, elapsed, where)]
        if status != 0:
            with open(log, 'rb') as handle:
                lines += ['    | ' + line for line in handle.read().decode('utf-8', 'replace').splitlines()[-40:]]
        with self.lock:
            self.results.append((name, status == 0, elapsed))
            say('\n'.join(lines))
        return status == 0

    def wants(self, check):
        return check in self.only

    def prepare(self, cores):
        """Virtualenvs, the pip stand-in, the collection copies, and the servers and browser the tests run."""
        log = os.path.join(LOGS, 'prepare.log')
        jobs = dict((core, (ensure_venv, 'core-' + core, CORES[core],
                            os.path.join(ROOT, 'tests', 'requirements', 'core-%s.txt' % core), log)) for core in set(cores))
        if self.wants('integration'):
            jobs.update(oidc=(ensure_oidc_server, log), redis=(ensure_debs, 'redis', log),
                        openssh=(ensure_debs, 'openssh', log), nodes=(nodes.ensure_nodes, SCRATCH, run, _apt, log))
        if self.wants('docs'):
            jobs['chromium'] = (ensure_debs, 'chromium', log)
        if self.wants('galaxy'):
            requirements = os.path.join(ROOT, 'tests', 'requirements', 'galaxy.txt')
            jobs['galaxy'] = (ensure_venv, 'galaxy', CORES[PRIMARY], requirements, log)
        # Downloads and installs wait on the network and the disk as much as on a core: two at a time.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            futures = dict((name, pool.submit(job[0], *job[1:])) for name, job in jobs.items())
            done = dict((name, future.result()) for name, future in futures.items())
        venvs = dict((core, done[core]) for core in set(cores))
        self.galaxy_venv = done.get('galaxy')
        ensure_get_pip_standin(venvs[cores[0]], log)
        pythons = python_bin_dir()
        copy_collection()
        copy_collection(SECOND)
        return venvs, pythons

    def test(self, cores):
        """make test: everything on the primary core in one lane; what differs per version on the other cores,
        then the tools, in the other."""
        tools = bool(self.only & {'lint', 'changelog', 'builder', 'build', 'galaxy', 'docs'})
        venvs, pythons = self.phase('prepare', self.prepare, sorted(set(cores) | ({PRIMARY} if tools else set())))
        second_collection = os.path.join(SECOND, 'ansible_collections', 'tokensmith', 'auth')

        def first_lane():
            if PRIMARY in cores:
                self.phase('core %s' % PRIMARY, self.core, PRIMARY, venvs[PRIMARY], pythons, COLLECTION)

        def second_lane():
            for core in sorted(core for core in cores if core != PRIMARY):
                self.phase('core %s (per version)' % core, self.core, core, venvs[core], pythons, second_collection)
            # The tools after the other cores, in their copy: the primary core's integration is the longest job.
            if tools:
                self.phase('tools', self.tools, venvs[PRIMARY], venv_env(venvs[PRIMARY], [pythons]), second_collection)
        lanes = [threading.Thread(target=lane) for lane in (first_lane, second_lane)]
        for lane in lanes:
            lane.start()
        for lane in lanes:
            lane.join()
        return self.summary()

    def core(self, core, venv, pythons, collection):
        env = venv_env(venv, [pythons])
        test = [os.path.join(venv, 'bin', 'ansible-test')]
        controller = '--python=%s' % CORES[core]
        primary = core == PRIMARY
        scope = '' if primary else ' (per version)'
        if self.wants('sanity'):
            subset = self.sanity_tests or ([] if primary else [a for t in SANITY_EVERY_CORE for a in ('--test', t)])
            self.check('sanity (core %s)%s' % (core, '' if self.sanity_tests else scope),
                       test + ['sanity', '--color', 'no', '--venv'] + subset, env, collection)
        if self.wants('units'):
            self.check('units (core %s)%s' % (core, scope),
                       test + ['units', '--color', 'no', '--venv', controller] + ([] if primary else list(UNITS_EVERY_CORE)),
                       env, collection)
        if self.wants('integration'):
            targets = self.targets or ([] if primary else [INTEGRATION_EVERY_CORE])
            with integration_servers(collection, os.path.join(venv, 'bin', 'python'),
                                     os.path.join(SCRATCH, 'oidc', 'node_modules'), os.path.join(SCRATCH, 'servers')):
                self.check('integration (core %s)%s' % (core, '' if self.targets else scope),
                           test + ['integration', '--color', 'no', controller] + targets, env, collection)

    def quick(self):
        """make check: units and the quick sanity tests on the primary core, and ansible-lint; no servers."""
        self.only = {'units', 'sanity', 'lint'}
        venvs, pythons = self.phase('prepare', self.prepare, [PRIMARY])
        env = venv_env(venvs[PRIMARY], [pythons])
        test = [os.path.join(venvs[PRIMARY], 'bin', 'ansible-test')]
        controller = '--python=%s' % CORES[PRIMARY]

        def checks():
            self.check('units (core %s)' % PRIMARY, test + ['units', '--color', 'no', '--venv', controller], env)
            self.check('sanity, quick (core %s)' % PRIMARY, test + ['sanity', '--color', 'no', '--venv', controller]
                       + [a for t in SANITY_QUICK for a in ('--test', t)], env)
            self.lint(venvs[PRIMARY], env, COLLECTION)
        self.phase('checks', checks)
        return self.summary()

    def summary(self):
        passed = sum(1 for result in self.results if result[1])
        failed = len(self.results) - passed
        say('%d passed, %d failed in %.0f s' % (passed, failed, time.time() - self.started))
        return 1 if failed or not self.results else 0

    def lint(self, venv, env, collection):
        lint_env = dict(env, ANSIBLE_LINT_SKIP_GUESS_FILE='1', ANSIBLE_COLLECTIONS_PATH=_root_of(collection))
        self.check('ansible-lint (production)', [os.path.join(venv, 'bin', 'ansible-lint'), '--offline', '--nocolor',
                                                 '--profile', 'production'], lint_env, collection)

    def tools(self, venv, env, collection):
        bin_dir = os.path.join(venv, 'bin')
        python = os.path.join(bin_dir, 'python')
        harness = os.path.join(ROOT, 'tests', 'harness')
        root = _root_of(collection)
        if self.wants('lint'):
            self.lint(venv, env, collection)
        if self.wants('changelog'):
            self.check('antsibull-changelog lint', [os.path.join(bin_dir, 'antsibull-changelog'), 'lint'], env, collection)
        if self.wants('builder'):
            self.check('execution environment', [python, os.path.join(harness, 'ee_check.py'), root], env, collection)
        if self.wants('build'):
            self.check('build, install, ansible-doc', [python, os.path.join(harness, 'smoke_build.py'), collection],
                       env, collection)
        if self.wants('galaxy'):
            galaxy = venv_env(self.galaxy_venv)
            self.check('galaxy-importer', [os.path.join(self.galaxy_venv, 'bin', 'python'),
                                           os.path.join(harness, 'galaxy_import.py'), collection], galaxy, collection)
        if self.wants('docs'):
            docs_env = dict(env, ANSIBLE_COLLECTIONS_PATH=root)
            self.check('antsibull-docs lint-collection-docs', [os.path.join(bin_dir, 'antsibull-docs'),
                                                               'lint-collection-docs', '--plugin-docs', '.'],
                       docs_env, collection)
            site = os.path.join(SCRATCH, 'docs-site')
            if self.check('docs site (antsibull-docs, Sphinx)', [python, os.path.join(harness, 'docs.py'), 'build',
                                                                 root, site], docs_env, collection):
                self.check('docs site in headless Chromium', [python, os.path.join(harness, 'docs.py'), 'check', site,
                                                              os.path.join(ROOT, 'tests', 'output', 'docs'),
                                                              os.path.join(SCRATCH, 'debs', 'chromium')],
                           docs_env, collection)


def _root_of(collection):
    """The directory that holds ansible_collections/ for a collection copy."""
    return os.path.dirname(os.path.dirname(os.path.dirname(collection)))


def demo_venv():
    return ensure_venv('demo', '3.11' if find_python('3.11') else '%d.%d' % sys.version_info[:2],
                       os.path.join(ROOT, 'tests', 'requirements', 'demo.txt'), os.path.join(LOGS, 'demo-prepare.log'))


def bench():
    """make bench: the benchmarks' figures (not tests): the lookup at fleet scale, a cache hit in a fresh fork,
    controllers sharing a cache (standalone, Sentinel, Cluster, through failovers), consecutive runs of a role, and
    a module against hostile answers."""
    log = os.path.join(LOGS, 'bench-prepare.log')
    os.makedirs(LOGS, exist_ok=True)
    venv = ensure_venv('core-' + PRIMARY, CORES[PRIMARY],
                       os.path.join(ROOT, 'tests', 'requirements', 'core-%s.txt' % PRIMARY), log)
    redis = ensure_debs('redis', log)
    python = os.path.join(venv, 'bin', 'python')
    status = 0
    for script, arguments in (('lookup_first_call.py', []), ('lookup_fleet.py', []),
                              ('fleet_controllers.py', ['--redis-debs', redis]),
                              ('fleet_stores.py', ['--redis-debs', redis]), ('hostile_answers.py', []),
                              ('role_requests.py', [])):
        say('==== %s' % script)
        status |= subprocess.call([python, os.path.join(ROOT, 'tests', 'benchmarks', script)] + arguments,
                                  env=venv_env(venv), cwd=ROOT)
    return status


def demo():
    """Start the emulator, run examples/demo.yml against it, stop it; nothing is left running."""
    os.makedirs(LOGS, exist_ok=True)
    venv = demo_venv()
    scratch = tempfile.mkdtemp(prefix='tokensmith-demo-')
    python = os.path.join(venv, 'bin', 'python')
    emulator = os.path.join(ROOT, 'tests', 'emulator')  # the package's command line (cli.py)
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


def docs():
    """make docs: the documentation site, offline, into docs/_build/html (not committed)."""
    os.makedirs(LOGS, exist_ok=True)
    venv = ensure_venv('core-' + PRIMARY, CORES[PRIMARY],
                       os.path.join(ROOT, 'tests', 'requirements', 'core-%s.txt' % PRIMARY), os.path.join(LOGS, 'docs.log'))
    copy_collection()
    env = dict(venv_env(venv), ANSIBLE_COLLECTIONS_PATH=SCRATCH)
    return subprocess.call([os.path.join(venv, 'bin', 'python'), os.path.join(ROOT, 'tests', 'harness', 'docs.py'),
                            'build', SCRATCH, DOCS_OUT], env=env, cwd=ROOT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('action', choices=['test', 'check', 'demo', 'docs', 'bench'])
    if sys.argv[1:2] == ['demo']:
        return demo()  # further arguments go to ansible-playbook (-v, --check, ...)
    parser.add_argument('--core', action='append', choices=sorted(CORES), help='ansible-core to test (default: all)')
    parser.add_argument('--only', default=','.join(CHECKS), help='comma-separated checks: %s' % ', '.join(CHECKS))
    parser.add_argument('--sanity-test', action='append', default=[], metavar='NAME',
                        help='run only this ansible-test sanity test (repeatable), e.g. pep8, pylint')
    parser.add_argument('--target', action='append', default=[], metavar='NAME',
                        help='run only this integration target or alias (repeatable), e.g. roles')
    args = parser.parse_args()
    if args.action == 'bench':
        return bench()
    if args.action == 'docs':
        return docs()
    if args.action == 'check':
        return Harness().quick()
    only = set(args.only.split(','))
    unknown = only - set(CHECKS)
    if unknown:
        parser.error('unknown check(s): %s' % ', '.join(sorted(unknown)))
    return Harness(only, args.sanity_test, args.target).test(args.core or list(CORES))


if __name__ == '__main__':
    sys.exit(main())
