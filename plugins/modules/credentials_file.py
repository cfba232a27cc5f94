#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: credentials_file
short_description: Merge a credential into the file a build tool reads (Maven, npm, pip, netrc, Docker)
version_added: 0.1.0
description:
  - Writes a user name and password (such as a Nexus user token's C(nameCode) and C(passCode)) into one entry of a
    build tool's configuration file, leaving every other entry as it is.
  - Writes only when the entry differs, so a second run reports no change. Never returns the file's content or a diff.
  - Used by the role C(tokensmith.auth.nexus); usable on its own.
author:
  - tokensmith.auth contributors (@tokensmith)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
    details:
      - No diff is ever returned, because it would show the credential.
  platform:
    platforms: posix
options:
  path:
    description:
      - The file to write, created when missing (its directory too, mode 0700).
    type: path
    required: true
  format:
    description:
      - V(maven) - a C(<server>) entry with C(<id>) O(target) in Maven's C(settings.xml).
      - V(npmrc) - a C(//registry/path/:_auth) line for the registry URL O(target) in C(.npmrc).
      - V(pip) - C([global] index-url) in C(pip.conf), the index URL O(target) with the credentials in it.
      - V(netrc) - a C(machine) O(target) entry in C(.netrc) (pip, curl and git read it).
      - V(docker) - C(auths.<target>.auth) in Docker's C(config.json).
    type: str
    required: true
    choices: [maven, npmrc, pip, netrc, docker]
  target:
    description:
      - Which entry - the Maven server id, the npm registry URL, the pip index URL, the netrc machine (host name),
        or the Docker registry (host, or host:port).
    type: str
    required: true
  username:
    description:
      - The user name to write (a Nexus user token's C(nameCode)).
    type: str
    required: true
  password:
    description:
      - The password to write (a Nexus user token's C(passCode)). Never logged.
    type: str
    required: true
  owner:
    description:
      - The owner of the file (and of a directory created for it).
    type: str
  group:
    description:
      - The group of the file.
    type: str
  mode:
    description:
      - The file's mode. The default keeps the credential readable by its owner only.
    type: raw
    default: '0600'
notes:
  - Comments in C(pip.conf) are not kept when the file is rewritten; other entries are.
'''

EXAMPLES = r'''
- name: Maven deploys to Nexus with the user token
  tokensmith.auth.credentials_file:
    path: ~/.m2/settings.xml
    format: maven
    target: nexus-releases
    username: "{{ nexus_user_token.name_code }}"
    password: "{{ nexus_user_token.pass_code }}"
  no_log: true
  diff: false

- name: npm uses the token for the Nexus registry
  tokensmith.auth.credentials_file:
    path: /home/ci/.npmrc
    owner: ci
    format: npmrc
    target: https://nexus.example.com/repository/npm-group/
    username: "{{ nexus_user_token.name_code }}"
    password: "{{ nexus_user_token.pass_code }}"
  no_log: true
  diff: false
'''

RETURN = r'''
path:
  description: The file written (or that would be written).
  returned: always
  type: str
  sample: /home/ci/.m2/settings.xml
'''

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tokensmith.auth.plugins.module_utils._build_configs import FORMATS
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            format=dict(type='str', required=True, choices=sorted(FORMATS)),
            target=dict(type='str', required=True),
            username=dict(type='str', required=True),
            password=dict(type='str', required=True, no_log=True),
            owner=dict(type='str'),
            group=dict(type='str'),
            mode=dict(type='raw', default='0600'),
        ),
        supports_check_mode=True,
    )
    path = module.params['path']
    try:
        with open(path, encoding='utf-8') as handle:
            current = handle.read()
    except FileNotFoundError:
        current = None
    except (OSError, UnicodeDecodeError) as err:
        module.fail_json(msg='cannot read %s (%s): fix its permissions or remove it' % (path, err.__class__.__name__))
    try:
        wanted = FORMATS[module.params['format']](current or '', module.params['target'], module.params['username'],
                                                  module.params['password'])
    except TokenError as err:
        module.fail_json(msg='%s: %s' % (path, err))
    changed = wanted != current
    if changed and not module.check_mode:
        directory = os.path.dirname(path) or '.'
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
            module.set_owner_if_different(directory, module.params['owner'], False)
        # mkstemp makes the file 0600; mode and owner are set before it takes the real name, so the
        # credential is never readable by others, not even for a moment.
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix='.tokensmith-')
        try:
            with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
                handle.write(wanted)
            module.set_mode_if_different(temporary, module.params['mode'], False)
            module.set_owner_if_different(temporary, module.params['owner'], False)
            module.set_group_if_different(temporary, module.params['group'], False)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    if os.path.exists(path):
        changed = module.set_mode_if_different(path, module.params['mode'], changed)
        changed = module.set_owner_if_different(path, module.params['owner'], changed)
        changed = module.set_group_if_different(path, module.params['group'], changed)
    module.exit_json(changed=changed, path=path)


if __name__ == '__main__':
    main()
