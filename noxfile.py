# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The project's checks, one nox session each (``nox -l`` lists them).

``make test`` runs those tagged ``test`` (plain ``nox`` does too, one after another) in two lanes at once and ends
with ``N passed, M failed in S s``; ``make check`` runs those tagged ``check`` (tests/harness/run.py). One alone,
once ``make test`` or ``make check`` has installed nox into .venv/nox::

    .venv/nox/bin/nox -s units-2.19
    .venv/nox/bin/nox -s sanity-2.19 -- --test pep8       # arguments after -- go to ansible-test
    .venv/nox/bin/nox -s integration-2.19 -- roles        # one target, or an alias

A session prepares what it needs (stamped, so a second run prepares nothing) with tests/harness/offline.py, and
runs in the pinned virtualenvs of tests/requirements/, not in one nox makes (python=False): three ansible-core
installs serve nine sessions. Each check's output goes to tests/output/harness/<session>.log; a failure prints its
last lines. On the cores other than the primary, only what differs per version runs: the module and plugin faces,
their docs and imports, and the integration targets with the alias every_core.
"""

import os
import re
import subprocess
import sys

import nox

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tests', 'harness')
sys.path.insert(0, HARNESS)
import offline  # noqa: E402  pylint: disable=wrong-import-position
from integration_servers import integration_servers  # noqa: E402  pylint: disable=wrong-import-position

nox.options.default_venv_backend = 'none'
nox.options.error_on_external_run = False

CORES = offline.CORES
PRIMARY = offline.PRIMARY
SANITY_EVERY_CORE = ('validate-modules', 'ansible-doc', 'import', 'runtime-metadata')
UNITS_EVERY_CORE = ('tests/unit/plugins/modules/', 'tests/unit/plugins/plugin_utils/', 'tests/unit/extensions/')  # the / too
INTEGRATION_EVERY_CORE = 'every_core/'  # an alias; ansible-test wants the /
# What runs on the newest core only (the documented examples: what users type, where deprecations show first; run
# on the primary core too, it doubled the longest lane's longest target for code every other target runs there).
INTEGRATION_NEWEST_CORE = 'newest_core/'
NEWEST = max(CORES, key=lambda core: tuple(map(int, core.split('.'))))
SANITY_QUICK = ('pep8', 'pylint', 'validate-modules', 'ansible-doc', 'yamllint')  # those that catch most mistakes
TIMEOUT = 3600  # a check that hangs ends, and says so, long before CI's limit
DEFAULT = []  # the sessions tagged test, in order: what plain `nox` runs


def check_session(name=None, tags=('test',)):
    """A session in the pinned virtualenvs (python=False), tagged ``test`` (make test) and/or ``check`` (make check)."""
    def register(function):
        if 'test' in tags:
            DEFAULT.append(name or function.__name__)
        return nox.session(name=name, python=False, tags=list(tags))(function)
    return register


def _log(session):
    return os.path.join(offline.LOGS, session.name + '.log')


def _prepare(session, work, *args):
    """A preparation step; its SystemExit (a clear one-line reason) aborts the session, not the whole run."""
    os.makedirs(offline.LOGS, exist_ok=True)
    try:
        return work(*args)
    except SystemExit as error:
        session.error(str(error))


def _check(session, command, env, cwd):
    """Run one check's command in ``cwd``, its output appended to the session's log; on failure, the log's tail."""
    log = _log(session)
    with open(log, 'a') as handle, session.chdir(cwd):
        try:
            session.run('timeout', '--kill-after=30', str(TIMEOUT), *command, env=env, include_outer_env=False,
                        external=True, stdout=handle, stderr=subprocess.STDOUT)
        except nox.command.CommandFailed:
            handle.flush()
            with open(log, 'rb') as output:
                tail = output.read().decode('utf-8', 'replace').splitlines()[-40:]
            print('\n'.join('    | ' + line for line in tail), flush=True)
            session.log('log: %s' % os.path.relpath(log, offline.ROOT))
            raise


# Ansible's own deprecation warnings fail a session: what works on 2.21 with a warning breaks on 2.24. The
# collection's own deprecations (which name it) are deliberate and allowed. Shell targets surface what their
# captured output holds (setup_tokensmith's servers.sh), so one check reads it all.
# Ansible's own deprecation warnings, and Python's (a library's deprecation that an ansible command prints).
DEPRECATION = re.compile(r'\[DEPRECATION WARNING\]:(?:(?!\[[A-Z ]+\]).)*|\w*DeprecationWarning: [^\n]*', re.S)


def _no_deprecations(session):
    with open(_log(session), encoding='utf-8', errors='replace') as handle:
        found = [' '.join(match.group(0).split()) for match in DEPRECATION.finditer(handle.read())]
    found = sorted(set(line for line in found if 'tokensmith.auth' not in line))
    if found:
        print('\n'.join('    | ' + line[:300] for line in found), flush=True)
        session.error('%d deprecation warning(s) in the output (%s): fix them, they break on a later ansible-core'
                      % (len(found), os.path.relpath(_log(session), offline.ROOT)))


def _core(session, core):
    """The core's virtualenv, the environment to run in, and a fresh copy of the working tree in this lane.

    A session run alone prepares what it needs (offline.needs: declared once) as it starts; under make test, which
    prepared everything for both lanes up front, it prepares nothing (the nodes' become password must not change
    under the other lane)."""
    if os.path.exists(_log(session)):
        os.unlink(_log(session))
    if not os.environ.get('TOKENSMITH_PREPARED'):
        _prepare(session, offline.prepare, offline.needs(session.name), _log(session))
    venv = offline.core_venv(core, _log(session))
    env = offline.venv_env(venv, [offline.python_bin_dir()])
    collection = offline.copy_collection(offline.lane_root(os.environ.get('TOKENSMITH_LANE')))
    return venv, env, collection


def _ansible_test(venv):
    return os.path.join(venv, 'bin', 'ansible-test')


def sanity(session, core):
    venv, env, collection = _core(session, core)
    tests = session.posargs or ([] if core == PRIMARY else [a for t in SANITY_EVERY_CORE for a in ('--test', t)])
    _check(session, [_ansible_test(venv), 'sanity', '--color', 'no', '--venv'] + tests, env, collection)


def units(session, core):
    venv, env, collection = _core(session, core)
    paths = session.posargs or ([] if core == PRIMARY else list(UNITS_EVERY_CORE))
    _check(session, [_ansible_test(venv), 'units', '--color', 'no', '--venv', '--python=' + CORES[core]] + paths,
           env, collection)


def integration(session, core):
    venv, env, collection = _core(session, core)
    targets = session.posargs or (['--exclude', INTEGRATION_NEWEST_CORE] if core == PRIMARY else
                                  [INTEGRATION_EVERY_CORE] + ([INTEGRATION_NEWEST_CORE] if core == NEWEST else []))
    with integration_servers(collection, os.path.join(venv, 'bin', 'python'),
                             os.path.join(offline.SCRATCH, 'oidc', 'node_modules'),
                             os.path.join(offline.SCRATCH, 'servers'), offline.debs_dir('redis'),
                             dict(awx_venvs=dict((name, os.path.join(offline.VENVS, name)) for name in offline.AWX_VENVS))):
        _check(session, [_ansible_test(venv), 'integration', '--color', 'no', '--python=' + CORES[core]] + targets,
               env, collection)
    _no_deprecations(session)


for _core_version in CORES:
    _every = '' if _core_version == PRIMARY else ', what differs per version'
    for _check_function in (sanity, units, integration):
        def _session(session, check=_check_function, core=_core_version):
            check(session, core)
        _session.__doc__ = 'ansible-test %s on ansible-core %s%s.' % (_check_function.__name__, _core_version, _every)
        _tags = ('test', 'check') if _check_function is units and _core_version == PRIMARY else ('test',)
        check_session('%s-%s' % (_check_function.__name__, _core_version), _tags)(_session)


@check_session('sanity-quick', tags=('check',))
def sanity_quick(session):
    """The sanity tests that catch most mistakes, on the primary core and the controller's Python (make check)."""
    venv, env, collection = _core(session, PRIMARY)
    _check(session, [_ansible_test(venv), 'sanity', '--color', 'no', '--venv', '--python=' + CORES[PRIMARY]]
           + [a for t in SANITY_QUICK for a in ('--test', t)], env, collection)


def _tools(session):
    """The primary core's virtualenv's bin (it holds the tools), its environment, and the copy."""
    venv, env, collection = _core(session, PRIMARY)
    return os.path.join(venv, 'bin'), env, collection


def _root(collection):
    """The directory that holds ansible_collections/ for a collection copy."""
    return os.path.dirname(os.path.dirname(os.path.dirname(collection)))


@check_session(tags=('test', 'check'))
def lint(session):
    """ansible-lint, production profile."""
    bin_dir, env, collection = _tools(session)
    root = _root(collection)
    env = dict(env, ANSIBLE_LINT_SKIP_GUESS_FILE='1', ANSIBLE_COLLECTIONS_PATH=root)
    _check(session, [os.path.join(bin_dir, 'ansible-lint'), '--offline', '--nocolor', '--profile', 'production'],
           env, collection)


@check_session()
def changelog(session):
    """antsibull-changelog lint: the fragments and the changelog."""
    bin_dir, env, collection = _tools(session)
    _check(session, [os.path.join(bin_dir, 'antsibull-changelog'), 'lint'], env, collection)


@check_session()
def builder(session):
    """The execution environment's definition, checked by ansible-builder."""
    bin_dir, env, collection = _tools(session)
    root = _root(collection)
    _check(session, [os.path.join(bin_dir, 'python'), os.path.join(HARNESS, 'ee_check.py'), root], env, collection)


@check_session()
def build(session):
    """Build the collection, install the tarball, and render every plugin's docs from the installed copy."""
    bin_dir, env, collection = _tools(session)
    _check(session, [os.path.join(bin_dir, 'python'), os.path.join(HARNESS, 'smoke_build.py'), collection], env,
           collection)


@check_session()
def galaxy(session):
    """Galaxy's importer (galaxy-importer) on the built collection."""
    collection = _tools(session)[2]
    venv = os.path.join(offline.VENVS, 'galaxy')
    _check(session, [os.path.join(venv, 'bin', 'python'), os.path.join(HARNESS, 'galaxy_import.py'), collection],
           offline.venv_env(venv), collection)


@check_session('docs-lint')
def docs_lint(session):
    """antsibull-docs lint-collection-docs, plugin docs included."""
    bin_dir, env, collection = _tools(session)
    root = _root(collection)
    _check(session, [os.path.join(bin_dir, 'antsibull-docs'), 'lint-collection-docs', '--plugin-docs', '.'],
           dict(env, ANSIBLE_COLLECTIONS_PATH=root), collection)


@check_session('docs-site')
def docs_site(session):
    """The documentation site (antsibull-docs, Sphinx), then every page of it in headless Chromium."""
    bin_dir, env, collection = _tools(session)
    root = _root(collection)
    chromium = offline.debs_dir('chromium')
    env = dict(env, ANSIBLE_COLLECTIONS_PATH=root)
    site = os.path.join(offline.SCRATCH, 'docs-site')
    docs = [os.path.join(bin_dir, 'python'), os.path.join(HARNESS, 'docs.py')]
    _check(session, docs + ['build', root, site], env, collection)
    _check(session, docs + ['check', site, os.path.join(offline.ROOT, 'tests', 'output', 'docs'), chromium], env,
           collection)


nox.options.sessions = DEFAULT
