# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every role has the README Galaxy shows for it, true to its argument_specs, with an example that uses it."""

import importlib.util
import os
import re

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('role_readmes', os.path.join(HERE, '..', '..', 'harness', 'role_readmes.py'))
role_readmes = importlib.util.module_from_spec(spec)
spec.loader.exec_module(role_readmes)


def test_every_readme_is_generated_from_its_argument_specs():
    assert role_readmes.roles() == ['nexla', 'nexus', 'nuvy']  # roles/_shared holds task files, not a role
    assert role_readmes.stale() == []


def test_every_readme_names_every_variable_and_has_an_example_that_uses_the_role():
    for role in role_readmes.roles():
        with open(role_readmes.readme(role)) as handle:
            text = handle.read()
        with open(os.path.join(role_readmes.ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
            specs = yaml.safe_load(handle)['argument_specs']
        for entry in specs.values():
            for name in entry.get('options', {}):
                assert '| `%s` |' % name in text, (role, name)
        example = re.search(r'## Example\n\n```yaml\n(.*?)```', text, re.S)
        assert example, role
        assert 'tokensmith.auth.%s' % role in str(yaml.safe_load(example.group(1))), role


def test_a_changed_spec_makes_the_readme_stale(monkeypatch):
    real = role_readmes.generated
    monkeypatch.setattr(role_readmes, 'generated', lambda role: real(role) + ' changed')
    assert role_readmes.stale() == role_readmes.roles()
