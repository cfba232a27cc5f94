# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the tests need that no standard tool gives on an offline machine (PyPI, npm and Debian reachable, nothing
else; see ../shared/TESTING.md), in one place. noxfile.py and tests/harness/run.py call it; all of it is stamped
and idempotent, so a session run alone prepares what it needs and a second run prepares nothing.

- ``ensure_venv``: one virtualenv per pinned file in tests/requirements/ (nox would make one per session: nine
  ansible-core installs instead of three), rebuilt when the file changes.
- ``ensure_get_pip_standin``: ansible-test downloads a get-pip script from a host unreachable here; a stand-in in
  its cache installs pip from a pip wheel taken from PyPI.
- ``copy_collection``: ansible-test runs only inside .../ansible_collections/tokensmith/auth, and not through a
  symlink: the working tree is copied there (about 0.1 s).
- ``python_bin_dir``: pythonX.Y links to the real interpreters (pyenv shims do not work inside ansible-test).
- ``ensure_oidc_server``, ``ensure_debs``: the real servers the tests run (oidc-provider from npm; Redis, OpenSSH
  and Chromium unpacked from Debian packages, nothing installed on the system).
- ``NEEDS`` and ``prepare``: what each session needs, declared once, for ``make test`` (everything at once, up front)
  and for a session run alone (its own needs as it starts).
"""

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENVS = os.path.join(ROOT, '.venv')
# Outside the checkout: inside it, ansible-test would list files with git and find the copy ignored.
SCRATCH = os.path.join(tempfile.gettempdir(), 'tokensmith-test-' + hashlib.sha256(ROOT.encode()).hexdigest()[:8])
# The second lane works in its own copy (ansible-test writes into the collection it runs in), beside the same
# servers, browser and Pythons.
SECOND = os.path.join(SCRATCH, 'second')
SHARED = ('oidc', 'debs', 'pythons', 'nodes')
LOGS = os.path.join(ROOT, 'tests', 'output', 'harness')
ANSIBLE_TEST_CACHE = os.path.expanduser('~/.ansible/test/cache')

# ansible-core under test -> the Python its controller runs on.
CORES = {'2.16': '3.11', '2.19': '3.11', '2.21': '3.12'}
# The AWX controllers' application virtualenvs the credential plugins are installed into by their test.
AWX_VENVS = {'awx-311': '3.11', 'awx-current': '3.12'}
PRIMARY = '2.19'   # everything runs on it; its venv also holds the lint, changelog, builder and docs tools
# pip versions ansible-test bootstraps into its venvs (python_requirements.get_venv_packages).
ANSIBLE_TEST_PIPS = ('23.1.2', '24.2', '25.2')
STANDIN_PIP = '24.2'


def say(message):
    sys.stdout.write(message + '\n')  # one write: lines from two threads do not run together
    sys.stdout.flush()


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
            try:
                os.symlink(found, link)
            except FileExistsError:  # made by a session running beside this one
                pass
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
# The file the tests run from each unpacked set: a stamp counts only beside it (a preparation that broke off, or an
# older harness's, left stamps over sets it had not unpacked; a scratch directory outlives a checkout).
DEBS_RUN = {'redis': 'usr/bin/redis-server', 'chromium': 'usr/lib/chromium/chromium', 'openssh': 'usr/sbin/sshd'}


# apt-get takes the package lists' lock: two preparations running at once must not both update or resolve.
APT_LOCK = threading.Lock()


def apt(arguments, log, cwd=None):
    with APT_LOCK:
        return run(['apt-get', '-q'] + arguments, log, cwd=cwd or SCRATCH,
                   env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))


def debs_dir(name):
    """Where ensure_debs unpacks ``DEBS[name]``."""
    return os.path.join(SCRATCH, 'debs', name)


def ensure_debs(name, log):
    """``DEBS[name]`` (always, even where the machine has them installed) and what they need that this machine lacks,
    downloaded and unpacked into SCRATCH/debs/name."""
    target = debs_dir(name)
    stamp_file = os.path.join(target, '.tokensmith-stamp')
    runs = os.path.join(target, DEBS_RUN[name])
    if os.path.exists(stamp_file) and os.access(runs, os.X_OK):
        with open(stamp_file) as handle:
            unpacked = handle.read().split()
        if all(package in unpacked for package in DEBS[name]):  # an older stamp may list only what was missing
            return target
    if not shutil.which('apt-get'):
        raise SystemExit('apt-get is needed to fetch %s from the Debian packages for the tests' % ', '.join(DEBS[name]))
    os.makedirs(SCRATCH, exist_ok=True)

    def missing():
        with APT_LOCK:
            plan = subprocess.run(['apt-get', 'install', '-s', '--no-install-recommends'] + DEBS[name],
                                  capture_output=True, text=True, env=dict(os.environ, LANG='C'), check=False)
        return plan.returncode, [line.split()[1] for line in plan.stdout.splitlines() if line.startswith('Inst ')]

    status, packages = missing()
    if status != 0 and os.geteuid() == 0:  # no package lists yet (a fresh machine)
        apt(['update'], log)
        status, packages = missing()
    if status != 0:
        raise SystemExit('apt-get cannot resolve %s (see %s); as root, run apt-get update' % (DEBS[name], log))
    # The named packages themselves always (installed here or not: the tests run them from the unpacked copy), and
    # what they need that the machine lacks.
    packages = list(DEBS[name]) + [package for package in packages if package not in DEBS[name]]
    # One download directory per name: preparations run two at a time, and a shared one was emptied under another.
    downloads = os.path.join(SCRATCH, 'debs', '.downloads-' + name)
    shutil.rmtree(downloads, ignore_errors=True)
    os.makedirs(downloads)
    if apt(['download'] + packages, log, cwd=downloads) != 0:
        raise SystemExit('apt-get download failed for %s; see %s' % (', '.join(packages), log))
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    debs = sorted(glob.glob(os.path.join(downloads, '*.deb')))
    fetched = set(os.path.basename(deb).split('_')[0] for deb in debs)
    unfetched = sorted(set(package.split(':')[0] for package in packages) - fetched)
    if unfetched:
        raise SystemExit('apt-get download did not fetch %s; see %s' % (', '.join(unfetched), log))
    for deb in debs:
        if run(['dpkg-deb', '-x', deb, target], log) != 0:
            raise SystemExit('could not unpack %s; see %s' % (deb, log))
    shutil.rmtree(downloads, ignore_errors=True)
    if not os.access(runs, os.X_OK):
        raise SystemExit('%s has no %s after unpacking %s; see %s' % (target, DEBS_RUN[name], ', '.join(packages), log))
    with open(stamp_file, 'w') as handle:
        handle.write(' '.join(packages))
    return target


def core_venv(core, log):
    """The controller virtualenv for ansible-core ``core``, from tests/requirements/core-<core>.txt."""
    return ensure_venv('core-' + core, CORES[core], os.path.join(ROOT, 'tests', 'requirements', 'core-%s.txt' % core),
                       log)


def lane_root(lane):
    """Where a lane's collection copy lives: the first under SCRATCH, the second in its own copy (ansible-test
    writes into the collection it runs in) beside the same servers, browser and Pythons."""
    return SECOND if lane == 'second' else SCRATCH


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


# What each check needs besides its core's virtualenv, by the session's name without its core: declared once. make
# test prepares the union before the lanes start; a session run alone prepares its own as it starts (all stamped).
NEEDS = {
    'integration': ('oidc', 'redis', 'openssh', 'nodes', 'awx'),
    'docs-site': ('chromium',),
    'galaxy': ('galaxy',),
}


def _nodes(log):
    import nodes  # pylint: disable=import-outside-toplevel  # tests/harness/nodes.py, beside this file
    return nodes.ensure_nodes(SCRATCH, run, apt, log)


PREPARATIONS = {
    'oidc': ensure_oidc_server,
    'redis': lambda log: ensure_debs('redis', log),
    'openssh': lambda log: ensure_debs('openssh', log),
    'chromium': lambda log: ensure_debs('chromium', log),
    'nodes': _nodes,  # a new become password each time: prepared once per make test, for both lanes
    'awx': lambda log: [ensure_venv(name, version, os.path.join(ROOT, 'tests', 'requirements', name + '.txt'), log)
                        for name, version in AWX_VENVS.items()],
    'galaxy': lambda log: ensure_venv('galaxy', CORES[PRIMARY], os.path.join(ROOT, 'tests', 'requirements', 'galaxy.txt'),
                                      log),
}


def needs(session):
    """What ``session`` (a nox session's name) needs: ``core-<version>`` for the virtualenv it runs in, then NEEDS."""
    check, _sep, core = session.rpartition('-')
    if core not in CORES:
        check, core = session, PRIMARY  # the tools live in the primary core's virtualenv
    return ('core-' + core,) + NEEDS.get(check, ())


def prepare(names, log, workers=1):
    """Everything in ``names`` (from needs()), ``workers`` at a time (they wait on the network and the disk as much
    as on a core); the get-pip stand-in and the interpreters' links after. Returns name -> what it made."""
    import concurrent.futures  # pylint: disable=import-outside-toplevel

    def one(name):
        if name.startswith('core-'):
            return core_venv(name[len('core-'):], log)
        return PREPARATIONS[name](log)
    names = sorted(set(names))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        done = dict(zip(names, pool.map(one, names)))
    cores = [name for name in names if name.startswith('core-')]
    if cores:
        ensure_get_pip_standin(done[cores[0]], log)
    python_bin_dir()
    return done
