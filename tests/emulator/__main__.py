# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``python tests/emulator ...``: see cli.py."""

import os
import sys

if not __package__:  # run as a directory: import the package from beside it
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from emulator.cli import main  # pylint: disable=import-error
else:
    from .cli import main

sys.exit(main())
