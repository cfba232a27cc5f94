# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the managed_nodes target needs on this machine to stand in for real managed nodes, prepared by
``run.py`` before the integration tests (it needs the registries; the target itself starts sshd).

- a login user that is not root (``tokensmith-node``, key login only, sudo with a password for ``become``) and a
  user that owns the files written under become (``tokensmith-app``); sshd's privilege-separation user;
- target Pythons the login user can run: hard-linked copies of pyenv's 3.8 and of the newest Python here (pyenv
  keeps them under /root, which other users cannot enter), each behind a small wrapper that finds its libpython,
  as bare interpreters and in virtualenvs with requests (the oldest release we support, and today's).

This changes the system (two users, sudo from Debian's packages when missing, /etc/sudoers.d/tokensmith-tests),
so it runs only as root, as CI does; elsewhere the target says it is skipped. Everything else lives in SCRATCH/nodes.
"""

import glob
import hashlib
import os
import secrets
import shutil
import subprocess

LOGIN_USER = 'tokensmith-node'
APP_USER = 'tokensmith-app'
SUDOERS = '/etc/sudoers.d/tokensmith-tests'
# wrapper name -> (Python, requests pin or None)
INTERPRETERS = {
    'py38_bare': ('3.8', None),
    'py38': ('3.8', 'requests==2.25.1'),
    'newest': (None, 'requests==2.34.2'),
}
NEWEST = ('3.14', '3.13', '3.12')


def _pyenv_prefix(version):
    root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    found = sorted(glob.glob(os.path.join(root, 'versions', version + '.*', 'bin', 'python' + version)))
    return os.path.dirname(os.path.dirname(found[-1])) if found else None


def _user_exists(name):
    return subprocess.call(['getent', 'passwd', name], stdout=subprocess.DEVNULL) == 0


def _ensure_users(run, apt, log, password):
    if not _user_exists('sshd'):  # OpenSSH's privilege separation
        run(['useradd', '--system', '--no-create-home', '--home-dir', '/run/sshd', '--shell', '/usr/sbin/nologin',
             'sshd'], log)
    if not _user_exists(LOGIN_USER):
        run(['useradd', '--create-home', '--shell', '/bin/sh', LOGIN_USER], log)
    if not _user_exists(APP_USER):
        run(['useradd', '--create-home', '--shell', '/usr/sbin/nologin', APP_USER], log)
    # A password unlocks the account for sshd (key login only) and is what sudo asks for: a secret of the tests.
    chpasswd = subprocess.run(['chpasswd'], input='%s:%s\n' % (LOGIN_USER, password), text=True, check=False)
    if chpasswd.returncode != 0:
        raise SystemExit('chpasswd failed for %s' % LOGIN_USER)
    if not shutil.which('sudo') and apt(['install', '-y', '--no-install-recommends', 'sudo'], log) != 0:
        raise SystemExit('apt-get install sudo failed; see %s' % log)
    with open(SUDOERS + '.new', 'w') as handle:
        handle.write('# tokensmith.auth tests (tests/harness/nodes.py): become on the managed_nodes target\n'
                     '%s ALL=(ALL:ALL) ALL\n' % LOGIN_USER)
    os.chmod(SUDOERS + '.new', 0o440)
    os.replace(SUDOERS + '.new', SUDOERS)


def _interpreter(nodes, name, version, requirement, run, log):
    prefix = _pyenv_prefix(version)
    if not prefix:
        raise SystemExit('Python %s is needed for the managed nodes and was not found (pyenv install %s)'
                         % (version, version))
    copy = os.path.join(nodes, 'python' + version)
    if not os.path.isdir(copy) and run(['cp', '-al', prefix, copy], log) != 0 and run(['cp', '-a', prefix, copy], log) != 0:
        raise SystemExit('could not copy %s to %s; see %s' % (prefix, copy, log))
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(copy, 'lib'))
    python = os.path.join(copy, 'bin', 'python' + version)
    if requirement:
        venv = os.path.join(nodes, 'venv-' + name)
        shutil.rmtree(venv, ignore_errors=True)
        for command in ([python, '-m', 'venv', venv],
                        [os.path.join(venv, 'bin', 'python'), '-m', 'pip', 'install', '-q',
                         '--disable-pip-version-check', requirement]):
            if subprocess.call(command, env=env, stdout=open(log, 'ab'), stderr=subprocess.STDOUT) != 0:
                raise SystemExit('could not make the %s target interpreter; see %s' % (name, log))
        python = os.path.join(venv, 'bin', 'python')
    wrapper = os.path.join(nodes, 'bin', name)
    with open(wrapper, 'w') as handle:
        handle.write('#!/bin/sh\n# Python %s%s for the managed nodes (tests/harness/nodes.py)\n'
                     'LD_LIBRARY_PATH=%s exec %s "$@"\n'
                     % (version, ' with ' + requirement if requirement else ', no requests', env['LD_LIBRARY_PATH'], python))
    os.chmod(wrapper, 0o755)


def ensure_nodes(scratch, run, apt, log):
    """SCRATCH/nodes, ready for the managed_nodes target; None where this is not root (the target is skipped)."""
    if os.geteuid() != 0:
        return None
    nodes = os.path.join(scratch, 'nodes')
    newest = next((version for version in NEWEST if _pyenv_prefix(version)), None)
    plan = dict((name, (version or newest, requirement)) for name, (version, requirement) in INTERPRETERS.items())
    stamp = hashlib.sha256(repr(sorted(plan.items())).encode()).hexdigest()
    stamp_file = os.path.join(nodes, '.tokensmith-stamp')
    password_file = os.path.join(nodes, 'become_password')
    if not (os.path.exists(stamp_file) and open(stamp_file).read() == stamp):
        shutil.rmtree(nodes, ignore_errors=True)
        os.makedirs(os.path.join(nodes, 'bin'))
        os.chmod(nodes, 0o755)
        for name, (version, requirement) in sorted(plan.items()):
            _interpreter(nodes, name, version, requirement, run, log)
        with open(stamp_file, 'w') as handle:
            handle.write(stamp)
    # A new become password for every run, readable by root only (the controller's side of the tests).
    password = 'Become-%s' % secrets.token_urlsafe(12)
    descriptor = os.open(password_file + '.new', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w') as handle:
        handle.write(password)
    _ensure_users(run, apt, log, password)
    os.replace(password_file + '.new', password_file)
    return nodes
