# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The integration targets' shape: a module's target is a role (tasks/main.yml) that tests target-side code; a
shell target (runme.sh) tests the controller and says in its header which process-level property needs a shell.
Every target goes through setup_tokensmith; YAML talks to the emulator through its test action, never a raw call;
the test credentials are written in one file only."""

import os

import pytest

from ansible_collections.tokensmith.auth.tests.emulator.credentials import PATH as CREDENTIALS_FILE, SECRETS

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..')
TARGETS = os.path.join(ROOT, 'tests', 'integration', 'targets')
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                 if name.endswith('.py') and not name.startswith('_'))


def aliases(target):
    with open(os.path.join(TARGETS, target, 'aliases')) as handle:
        return set(line.split('#')[0].strip() for line in handle) - {''}


def targets():
    return sorted(name for name in os.listdir(TARGETS) if 'hidden' not in aliases(name))


# What only a process shows, one of which a shell target's header must name.
PROCESS_REASONS = ('-vvvv', 'log file', 'forks', 'runs', 'controllers', 'job events', 'sshd', 'resident set')


@pytest.mark.parametrize('target', targets())
def test_each_target_is_one_kind_and_says_its_context(target):
    directory = os.path.join(TARGETS, target)
    role = os.path.exists(os.path.join(directory, 'tasks', 'main.yml'))
    script = os.path.exists(os.path.join(directory, 'runme.sh'))
    assert role != script, '%s: a role target (tasks/main.yml) or a shell target (runme.sh), not both' % target
    context = [alias for alias in aliases(target) if alias.startswith('context/')]
    assert context == ['context/target' if role else 'context/controller'], (target, context)
    if script:
        with open(os.path.join(directory, 'runme.sh')) as handle:
            lines = handle.read().splitlines()[1:]
        header = ' '.join(line for line in lines[:lines.index('set -eu')] if line.startswith('#'))
        assert header, '%s: runme.sh starts with a comment saying what it tests' % target
        assert any(reason in header for reason in PROCESS_REASONS), \
            '%s: runme.sh says which process-level property needs a shell (%s)' % (target, ', '.join(PROCESS_REASONS))


@pytest.mark.parametrize('target', targets())
def test_each_target_goes_through_setup_tokensmith(target):
    directory = os.path.join(TARGETS, target)
    assert 'needs/target/setup_tokensmith' in aliases(target), target
    if os.path.exists(os.path.join(directory, 'runme.sh')):
        with open(os.path.join(directory, 'runme.sh')) as handle:
            assert 'source ../setup_tokensmith/files/servers.sh' in handle.read(), target
    else:
        with open(os.path.join(directory, 'meta', 'main.yml')) as handle:
            assert 'setup_tokensmith' in handle.read(), target


def _files(top, suffixes):
    for directory, subdirectories, files in os.walk(top):
        subdirectories[:] = [name for name in subdirectories if name not in ('output', 'node_modules', '__pycache__')]
        for name in files:
            if name.endswith(suffixes):
                yield os.path.join(directory, name)


def test_yaml_talks_to_the_emulator_through_its_test_action():
    for path in _files(TARGETS, ('.yml', '.yaml')):
        with open(path) as handle:
            assert '/_emulator' not in handle.read(), '%s: use tokensmith_emulator, not a raw call' % path


def test_the_test_credentials_are_written_once():
    for path in _files(ROOT, ('.py', '.yml', '.yaml', '.sh', '.js', '.md', '.json', '.ini', '.cfg')):
        if os.path.samefile(path, CREDENTIALS_FILE):
            continue
        with open(path, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
        assert not [secret for secret in SECRETS if secret in text], '%s: a test secret, written again' % path


@pytest.mark.parametrize('module', [name for name in MODULES if os.path.isdir(os.path.join(TARGETS, name))])
def test_a_module_target_is_a_role(module):
    assert os.path.exists(os.path.join(TARGETS, module, 'tasks', 'main.yml')), module
    assert 'context/target' in aliases(module)


def test_servers_come_from_integration_config():
    # Started once per integration run (tests/harness/integration_servers.py); no target starts its own emulator
    # or OAuth server.
    for target in targets():
        path = os.path.join(TARGETS, target, 'runme.sh')
        if os.path.exists(path):
            with open(path) as handle:
                text = handle.read()
            assert 'emulator start' not in text and 'oidc/server.js' not in text, target
    with open(os.path.join(TARGETS, 'setup_tokensmith', 'files', 'servers.sh')) as handle:
        assert 'integration_config.yml' in handle.read()
