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
  - Safe under C(become) in a directory another user controls. The path is walked one directory at a time and a
    symbolic link is followed only where no one but root or the running user can have made it; the file itself
    is never a link. A file that is not a regular file, has other hard links, or belongs to someone other than
    the running user or O(owner) is refused, never read. A directory that group or others can write gives a
    warning.
  - Writers of one file take turns (a lock on its directory, waited for up to 30 seconds), so concurrent tasks
    delegated to one host all keep their entries.
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
      - The file to write, created when missing (its missing directories too, mode 0700, with O(owner) and
        O(group)).
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
      - In check mode it may be empty or null (a token module in check mode creates no token); the module then
        reports that it would write the file.
    type: str
    required: true
  password:
    description:
      - The password to write (a Nexus user token's C(passCode)). Never logged.
    type: str
    required: true
  owner:
    description:
      - The owner of the file (and of the directories created for it), a user name or a uid.
      - When not set, an existing file keeps its owner and a new one belongs to the user running the module.
    type: str
  group:
    description:
      - The group of the file (and of the directories created for it), a group name or a gid.
      - When not set, an existing file keeps its group.
    type: str
  mode:
    description:
      - The file's mode, in octal (quote it - V('0640')). The default keeps the credential readable by its owner
        only, also in a file that was more open before.
    type: raw
    default: '0600'
notes:
  - What is kept when an entry is written - C(.netrc), C(.npmrc) - every other byte, comments and quoting
    included; C(settings.xml) - the XML declaration, comments and C(DOCTYPE) around the root element, and every
    element, attribute and comment inside it, re-indented, with entity references written out as their text;
    C(config.json) - every key, re-indented and sorted; C(pip.conf) - every section and key, not its comments.
'''

EXAMPLES = r'''
- name: The deploy user's Nexus user token (NEXUS_USERNAME / NEXUS_PASSWORD from the environment)
  tokensmith.auth.nexus_user_token:
    url: https://nexus.example.com
  register: nexus
  no_log: true

- name: Maven deploys to Nexus with it
  tokensmith.auth.credentials_file:
    path: ~/.m2/settings.xml
    format: maven
    target: nexus-releases
    username: "{{ nexus.name_code }}"
    password: "{{ nexus.pass_code }}"
  no_log: true
  diff: false

- name: npm uses it for the Nexus registry (under become, owner and group give the file to the user who builds)
  tokensmith.auth.credentials_file:
    path: ~/.npmrc
    format: npmrc
    target: https://nexus.example.com/repository/npm-group/
    username: "{{ nexus.name_code }}"
    password: "{{ nexus.pass_code }}"
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

import grp
import os
import pwd

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.tokensmith.auth.plugins.module_utils import _safe_file
from ansible_collections.tokensmith.auth.plugins.module_utils._credentials_files import FORMATS
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError


def _id(value, by_name, kind):
    """A user or group id from a name or a number; -1 when not given."""
    if value in (None, ''):
        return -1
    try:
        return by_name(value)[2]
    except KeyError:
        if str(value).isdigit():
            return int(value)
        raise TokenError('%s %s does not exist on this host' % (kind, value), hint='Give an existing name or a number')


def _mode(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if text and all(char in '01234567' for char in text) and int(text, 8) <= 0o7777:
        return int(text, 8)
    raise TokenError('mode %r is not an octal mode' % (value,), hint="Give it quoted, such as '0600'")


def write(module):
    """Merge and replace; returns ``changed``. Every step works on descriptors opened without following links."""
    params = module.params
    path = os.path.abspath(params['path'])
    owner, group = _id(params['owner'], pwd.getpwnam, 'owner'), _id(params['group'], grp.getgrnam, 'group')
    mode = _mode(params['mode'])
    directory = _safe_file.open_directory(os.path.dirname(path), create=not module.check_mode, owner=owner, group=group)
    if directory is None:  # check mode, directory missing: all of it would be new
        FORMATS[params['format']]('', params['target'], params['username'], params['password'])
        return True
    existing = None
    try:
        loose = _safe_file.loose_directory(directory)
        if loose:
            module.warn('%s: another user could replace the file, because %s; tighten the directory'
                        % (path, loose))
        if not module.check_mode:
            _safe_file.lock(directory, path)
        name = os.path.basename(path)
        # Without owner the file keeps its owner, so anyone's may be merged; with one, only theirs or ours.
        existing, info = _safe_file.open_existing(directory, name, path, None if owner == -1 else {os.geteuid(), owner})
        try:
            current = _safe_file.read_text(existing) if existing is not None else None
        except (OSError, UnicodeDecodeError) as err:
            raise TokenError('cannot read %s (%s)' % (path, err.__class__.__name__),
                             hint='Fix its permissions or encoding, or remove it') from None
        wanted = FORMATS[params['format']](current or '', params['target'], params['username'], params['password'])
        # An existing file keeps its owner and group unless told otherwise, as Ansible's atomic_move does.
        same = False
        if info is not None:
            owner = info.st_uid if owner == -1 else owner
            group = info.st_gid if group == -1 else group
            same = (owner, group, mode) == (info.st_uid, info.st_gid, info.st_mode & 0o7777)
        if wanted == current and same:
            return False
        if module.check_mode:
            return True
        if wanted == current:
            if (owner, group) != (info.st_uid, info.st_gid):
                os.fchown(existing, owner, group)
            os.fchmod(existing, mode)
        else:
            _safe_file.replace(directory, name, wanted, owner, group, mode)
        return True
    finally:
        if existing is not None:
            os.close(existing)
        os.close(directory)


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
    if not module.params['username'] or not module.params['password']:
        if module.check_mode:  # a token module in check mode obtained no token (it would have created one)
            module.exit_json(changed=True, path=path, msg='check mode: no credential to compare, as none was obtained '
                             'in check mode; the file would be written')
        module.fail_json(msg='%s: username and password must not be empty or null: pass the name_code and pass_code '
                         'of a token module run that was not in check mode' % path)
    try:
        changed = write(module)
    except TokenError as err:
        module.fail_json(msg='%s: %s' % (path, err))
    except OSError as err:
        module.fail_json(msg='cannot write %s (%s): check the path and its permissions'
                         % (path, err.strerror or err.__class__.__name__))
    module.exit_json(changed=changed, path=path)


if __name__ == '__main__':
    main()
