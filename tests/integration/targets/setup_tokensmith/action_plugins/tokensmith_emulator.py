# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only: how YAML talks to the provider emulator (the shell uses its command line, the same code: cli.py).

    - tokensmith_emulator:
        call: reset | reset_counters | config | faults | invalidate | clock | counters | arrived | issued | last
        body: {...}                       # for config, faults, invalidate, clock (faults: a fault or a list)
    - tokensmith_emulator:
        expect: {nuvy.token: 1, '<=nexla.token': 2}   # fails with what was counted

Runs on the controller, where the emulator runs; finds it through emulator_dir (integration_config.yml). Returns
``json``, the emulator's answer, as ansible.builtin.uri would (``issued`` is every token it handed out: put no_log on
that task).
"""

import json

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

READS = ('counters', 'arrived', 'issued', 'last')
WRITES = ('reset', 'reset_counters', 'config', 'faults', 'invalidate', 'clock')


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('call', 'body', 'expect'))

    def run(self, tmp=None, task_vars=None):
        from ansible_collections.tokensmith.auth.tests.emulator import cli  # pylint: disable=import-outside-toplevel
        result = super().run(tmp, task_vars)
        args = self._task.args
        state_dir = self._templar.template((task_vars or {}).get('emulator_dir'))
        if not state_dir:
            raise AnsibleActionFail('emulator_dir is not set: run the target through make test or nox (the integration '
                                    'session writes integration_config.yml)')
        if 'expect' in args:
            counters = cli.control(state_dir, 'counters')
            ok, line = cli.expect(counters, dict(args['expect']))
            result.update(changed=False, json=counters, msg=line, failed=not ok)
            return result
        call = args.get('call')
        if call not in READS + WRITES:
            raise AnsibleActionFail('call must be one of %s, not %r' % (', '.join(READS + WRITES), call))
        body = args.get('body')
        answer = cli.control(state_dir, call, None if body is None else json.dumps(body))
        result.update(changed=False, json=answer)
        return result
