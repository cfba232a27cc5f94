# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The integration targets' shape: a module's target is a role (tasks/main.yml) that tests target-side code; a
shell target (runme.sh) tests the controller and says in its header which process-level property needs a shell."""

import os

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..')
TARGETS = os.path.join(ROOT, 'tests', 'integration', 'targets')
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                 if name.endswith('.py') and not name.startswith('_'))


def aliases(target):
    with open(os.path.join(TARGETS, target, 'aliases')) as handle:
        return set(line.split('#')[0].strip() for line in handle) - {''}


def targets():
    return sorted(name for name in os.listdir(TARGETS) if 'hidden' not in aliases(name))


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
            header = [line for line in handle.read().splitlines()[1:4] if line.startswith('#')]
        assert header, '%s: runme.sh starts with a comment saying what it tests' % target


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
    with open(os.path.join(TARGETS, 'setup_servers', 'servers.sh')) as handle:
        assert 'integration_config.yml' in handle.read()
