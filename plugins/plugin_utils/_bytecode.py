# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""Python's bytecode cache for the lookup's own modules.

Ansible imports the lookup afresh in every forked worker - once per task and host - and its collection loader compiles
a collection's Python from source at every import: it keeps no bytecode. That compiling was most of what a cache hit
cost in a fresh worker. The lookup's private modules (``plugin_utils._*``, ``module_utils._*`` of this collection)
are found here instead and loaded by Python's own file loader, which reads and writes ``__pycache__`` as for any
installed package - and compiles as before where it may not (a read-only install, ``PYTHONDONTWRITEBYTECODE``). Their
names, files and code are the same; nothing else is affected.
"""

import importlib.util
import os
import sys

PREFIX = 'ansible_collections.tokensmith.auth.plugins.'
PLUGINS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWITCH = 'TOKENSMITH_BYTECODE_CACHE'  # 0: leave the imports to Ansible's loader (make bench compares the two)


class BytecodeFinder:
    """A meta path finder for this collection's private plugin_utils and module_utils modules only."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):  # pylint: disable=unused-argument
        if not fullname.startswith(PREFIX):
            return None
        parts = fullname[len(PREFIX):].split('.')
        if len(parts) != 2 or parts[0] not in ('plugin_utils', 'module_utils') or not parts[1].startswith('_'):
            return None
        filename = os.path.join(PLUGINS_DIR, parts[0], parts[1] + '.py')
        if not os.path.isfile(filename):
            return None
        return importlib.util.spec_from_file_location(fullname, filename)


def install():
    """Put the finder just ahead of Ansible's collection finder (whatever comes before it keeps its place), once per
    process."""
    if os.environ.get(SWITCH) == '0' or any(finder is BytecodeFinder for finder in sys.meta_path):
        return
    position = next((index for index, finder in enumerate(sys.meta_path)
                     if type(finder).__name__ == '_AnsibleCollectionFinder'), len(sys.meta_path))
    sys.meta_path.insert(position, BytecodeFinder)
