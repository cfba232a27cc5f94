# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only: the leak check (tests/emulator/leaks.py, as ``python tests/emulator no-secrets`` runs it) on a file of
the controller.

    - tokensmith_no_secrets:
        path: "{{ out }}/facts.txt"
        values: [another-secret]        # besides every test secret (tests/credentials.yml)
        issued: true                    # and every token, ticket and passCode the emulator issued (the default)

Fails when any form of any of them is in the file; the message never says which.
"""

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('path', 'values', 'issued'))

    def run(self, tmp=None, task_vars=None):
        # pylint: disable=import-outside-toplevel
        from ansible_collections.tokensmith.auth.tests.emulator import cli, leaks
        result = super().run(tmp, task_vars)
        args = self._task.args
        if not args.get('path'):
            raise AnsibleActionFail('path is required')
        values = [str(value) for value in args.get('values') or []]
        if args.get('issued', True):
            values += cli.issued(self._templar.template(task_vars['emulator_dir']))
        ok, line = leaks.check_file(args['path'], values)
        result.update(changed=False, failed=not ok, msg=line)
        return result
