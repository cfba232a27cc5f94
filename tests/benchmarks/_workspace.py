# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every benchmark starts from: a scratch directory where Ansible finds this checkout as tokensmith.auth,
and the provider emulator running in this process."""

import contextlib
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from emulator.credentials import CREDENTIALS  # noqa: E402  pylint: disable=wrong-import-position

SECRET = CREDENTIALS['test_nuvy_client_secret']


@contextlib.contextmanager
def workspace(prefix, collection=ROOT):
    """``(work, emulator)``: the scratch directory (ANSIBLE_COLLECTIONS_PATH, where ``collection`` - this checkout
    unless another tree is named, to compare two - is tokensmith.auth) and the started emulator."""
    work = tempfile.mkdtemp(prefix=prefix)
    emulator = Emulator(os.path.join(work, 'emulator')).start()
    try:
        os.makedirs(os.path.join(work, 'ansible_collections', 'tokensmith'))
        os.symlink(os.path.abspath(collection), os.path.join(work, 'ansible_collections', 'tokensmith', 'auth'))
        yield work, emulator
    finally:
        emulator.stop()
        shutil.rmtree(work, ignore_errors=True)
