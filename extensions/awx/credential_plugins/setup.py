# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one build step the plugins need: the collection's provider code, copied byte for byte from
plugins/module_utils of this repository into the wheel (tokensmith_awx/_collection/ansible_collections/...), so the
plugins run the very code the modules and the lookup run. Everything else is in pyproject.toml."""

import os

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE_UTILS = os.path.join(HERE, '..', '..', '..', 'plugins', 'module_utils')
# What the three flows need of module_utils (not the module face, _module.py, nor the file writers).
FLOW_FILES = ('_answer.py', '_errors.py', '_http.py', '_nexla.py', '_nexus.py', '_nuvy.py', '_options.py',
              '_providers.py', '_token.py', '_version.py')
TARGET = os.path.join('tokensmith_awx', '_collection', 'ansible_collections', 'tokensmith', 'auth', 'plugins',
                      'module_utils')


class BuildWithTheCollectionsCode(build_py):
    def run(self):
        super().run()
        target = os.path.join(self.build_lib, TARGET)
        os.makedirs(target, exist_ok=True)
        for name in FLOW_FILES:
            source = os.path.join(MODULE_UTILS, name)
            if not os.path.isfile(source):
                raise SystemExit('%s is missing: build the plugins from a checkout of the tokensmith.auth repository or the '
                                 'installed collection '
                                 '(python -m pip wheel --no-deps extensions/awx/credential_plugins -w DIR)' % source)
            self.copy_file(source, os.path.join(target, name), preserve_mode=False)


setup(cmdclass={'build_py': BuildWithTheCollectionsCode})
