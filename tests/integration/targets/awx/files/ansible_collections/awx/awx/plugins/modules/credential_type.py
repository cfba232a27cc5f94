#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for awx.awx.credential_type in the tests: records what it was given (no AWX here)."""

DOCUMENTATION = r'''
module: credential_type
short_description: Test stand-in for awx.awx.credential_type; records its arguments
description: [Test stand-in for awx.awx.credential_type; appends its arguments as JSON to E(TOKENSMITH_AWX_RECORD).]
options:
  name: {description: [Name.], type: str, required: true}
  description: {description: [Description.], type: str}
  kind: {description: [Kind.], type: str}
  inputs: {description: [Inputs.], type: dict}
  injectors: {description: [Injectors.], type: dict}
  state: {description: [State.], type: str, default: present}
author: [tokensmith.auth contributors (@tokensmith)]
'''

import json
import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(name=dict(type='str', required=True), description=dict(type='str'),
                                              kind=dict(type='str'), inputs=dict(type='dict'),
                                              injectors=dict(type='dict'), state=dict(type='str', default='present')))
    with open(os.environ['TOKENSMITH_AWX_RECORD'], 'a') as handle:
        handle.write(json.dumps(module.params) + '\n')
    module.exit_json(changed=True)


if __name__ == '__main__':
    main()
