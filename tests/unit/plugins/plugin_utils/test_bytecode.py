# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lookup's private modules are loaded by Python's file loader, which keeps their bytecode; nothing else is."""

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.tokensmith.auth.plugins.plugin_utils import _bytecode

PREFIX = 'ansible_collections.tokensmith.auth.plugins.'
COLLECTIONS_ROOT = os.path.abspath(os.path.join(_bytecode.PLUGINS_DIR, os.pardir, os.pardir, os.pardir, os.pardir))

# A fresh interpreter, as a forked worker's first import is: Ansible's collection finder, then the lookup.
IMPORT_THE_LOOKUP = '''
import json, sys
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
_AnsibleCollectionFinder(paths=[sys.argv[1]])._install()
import ansible_collections.tokensmith.auth.plugins.lookup.token
print(json.dumps(dict((name, [type(module.__spec__.loader).__name__, getattr(module, '__cached__', None)])
                      for name, module in sys.modules.items() if name.startswith(sys.argv[2]))))
'''


@pytest.mark.parametrize('name', [
    'ansible_collections.other.auth.plugins.plugin_utils._cache',  # another collection
    PREFIX + 'plugin_utils.cache',  # not private
    PREFIX + 'lookup._cache',  # not a utils package
    PREFIX + 'plugin_utils._no_such_module',
    PREFIX + 'plugin_utils._cache.deeper',
    'json',
])
def test_anything_else_is_left_to_the_other_finders(name):
    assert _bytecode.BytecodeFinder.find_spec(name) is None


def test_a_private_module_is_found_as_its_own_file():
    spec = _bytecode.BytecodeFinder.find_spec(PREFIX + 'plugin_utils._cache')
    assert spec.origin == os.path.join(_bytecode.PLUGINS_DIR, 'plugin_utils', '_cache.py')
    assert spec.cached and type(spec.loader).__name__ == 'SourceFileLoader'


class _AnsibleCollectionFinder:  # named as Ansible's
    pass


def test_install_puts_one_finder_before_ansibles_and_respects_the_switch(monkeypatch):
    before, ansible, after = object(), _AnsibleCollectionFinder(), object()
    monkeypatch.setattr(sys, 'meta_path', [before, ansible, after])
    monkeypatch.setenv(_bytecode.SWITCH, '0')
    _bytecode.install()
    assert sys.meta_path == [before, ansible, after]
    monkeypatch.delenv(_bytecode.SWITCH)
    _bytecode.install()
    _bytecode.install()
    assert sys.meta_path == [before, _bytecode.BytecodeFinder, ansible, after]


def _import_the_lookup(tmp_path, switch=None):
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp_path))  # the bytecode goes here, not into the collection
    env.pop('PYTHONDONTWRITEBYTECODE', None)
    env.pop(_bytecode.SWITCH, None)
    if switch is not None:
        env[_bytecode.SWITCH] = switch
    output = subprocess.run([sys.executable, '-c', IMPORT_THE_LOOKUP, COLLECTIONS_ROOT, PREFIX], env=env, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output)


def _collection_bytecode(prefix):
    return [os.path.join(root, name) for root, _dirs, files in os.walk(str(prefix)) for name in files
            if root.endswith(os.path.join('', 'ansible_collections', 'tokensmith', 'auth', 'plugins', 'plugin_utils'))
            or root.endswith(os.path.join('', 'ansible_collections', 'tokensmith', 'auth', 'plugins', 'module_utils'))]


def test_a_fresh_worker_keeps_the_private_modules_bytecode(tmp_path):
    modules = _import_the_lookup(tmp_path)
    private = dict((name, value) for name, value in modules.items()
                   if name.rpartition('.')[2].startswith('_') and name != _bytecode.__name__)  # imported before it works
    assert PREFIX + 'plugin_utils._cache' in private and PREFIX + 'module_utils._providers' in private
    for name, (loader, cached) in private.items():
        assert loader == 'SourceFileLoader', name
        assert cached.startswith(str(tmp_path)) and os.path.isfile(cached), name
    assert sorted(_collection_bytecode(tmp_path)) == sorted(cached for _loader, cached in private.values())
    # the lookup itself and the packages stay with Ansible's loader
    assert modules[PREFIX + 'lookup.token'][0] != 'SourceFileLoader'
    # a second worker finds the bytecode and writes nothing new
    written = _collection_bytecode(tmp_path)
    stamps = [os.stat(path).st_mtime_ns for path in written]
    assert _import_the_lookup(tmp_path) == modules
    assert [os.stat(path).st_mtime_ns for path in written] == stamps


def test_switched_off_ansible_loads_everything(tmp_path):
    modules = _import_the_lookup(tmp_path, switch='0')
    assert PREFIX + 'plugin_utils._cache' in modules
    assert all(loader != 'SourceFileLoader' for loader, _cached in modules.values())
    assert not _collection_bytecode(tmp_path)
