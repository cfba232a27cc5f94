# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's main() as Ansible would and return the JSON it printed, on every supported ansible-core."""

import contextlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as common_warnings
from ansible.module_utils.common.parameters import PASS_VARS

try:  # ansible-core 2.19+
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core 2.16
    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8')
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


def run_module(main, args, capsys, check_mode=False):
    # Warnings are kept per process, which for Ansible is one module run: forget those of the previous run.
    for name in ('_global_warnings', '_global_deprecations'):
        getattr(common_warnings, name).clear()
    args = dict(args)
    if check_mode:
        args['_ansible_check_mode'] = True
    if 'inject_invocation' in PASS_VARS:  # 2.21+ returns invocation only when asked (as -vvv does)
        args['_ansible_inject_invocation'] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            main()
    out, _err = capsys.readouterr()
    return json.loads(out), out
