#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: nexus_user_token
short_description: Get, reset or invalidate a Sonatype Nexus Repository user token
version_added: 0.1.0
description:
  - Returns the user token (C(nameCode)/C(passCode)) that build tools use instead of the user's password,
    on Nexus Repository Pro 2 and 3.
  - Every token call takes a single-use ticket that lives 20 seconds; the module gets a fresh one for every
    call and every retry, and replaces a ticket refused as expired.
  - Finds the right API by itself (O(api_version=auto)) and reports which it used.
  - An expired token (NXRM 3 with token expiry - C(isExpired), an C(expires) in the past, or HTTP 410) is replaced
    by a new one, as Sonatype's own UI does; RV(source) says so.
author:
  - tokensmith.auth contributors (@tokensmith)
extends_documentation_fragment:
  - tokensmith.auth.token_module
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - tokensmith.auth.connection
  - tokensmith.auth.nexus
attributes:
  check_mode:
    details:
      - Check mode never creates, resets or invalidates a token. V(present) reads the current token on NXRM 3.24+
        and returns it; where there is none (or it has expired) it reports C(changed) and returns every field
        null. On NXRM 2 and 3.0-3.23 reading creates a missing token, so check mode does not read either; it
        reports C(changed) with null fields. V(reset) returns null fields; V(absent) only reports what would change.
      - The null fields (and the fact, when O(register_fact=true)) keep the tasks after it templating; a
        M(tokensmith.auth.credentials_file) task in check mode then reports that it would write.
options:
  state:
    description:
      - V(present) returns the current token, creating it where NXRM 3.24+ reports none, or a new one in place of an
        expired one (then C(changed)).
      - V(reset) invalidates the current token and returns a new one.
      - V(absent) invalidates the token (C(changed) when one existed).
    type: str
    choices: [present, reset, absent]
    default: present
  register_fact:
    description:
      - Also return the token's fields as the fact C(ansible_facts.nexus_user_token). Register the result instead where
        you can - C(register) keeps the token out of fact caches.
      - Read the fact as C(ansible_facts.nexus_user_token), never as a top-level C(nexus_user_token), which
        ansible-core 2.21 deprecates and 2.24 removes (C(INJECT_FACTS_AS_VARS)).
      - Facts go to the fact cache; with a persistent cache (jsonfile, redis, AWX fact storage) the token is stored
        there.
    type: bool
    default: false
notes:
  - The result holds the token. Put C(no_log) on tasks that register or print it.
  - User tokens are a Nexus Repository Pro feature and must be enabled under Security > User Tokens.
  - Every field of the server's answers is checked; one of the wrong type is an error naming it.
seealso:
  - name: How to retrieve a user token from Nexus using REST
    description: The Sonatype support article this module automates.
    link: https://support.sonatype.com/hc/en-us/articles/213465878
'''

EXAMPLES = r'''
- name: Get the deploy user's token from NXRM 3 (credentials from NEXUS_USERNAME / NEXUS_PASSWORD)
  tokensmith.auth.nexus_user_token:
    url: https://nexus.example.com
  register: nexus
  no_log: true

# Hand the token to a build tool in a file it reads, never on a command line or through environment: - on a
# managed node Ansible puts environment: into the remote command line, where -vvvv, a log file and other users'
# ps would show it.
- name: Maven reads the token from settings.xml (0600)
  tokensmith.auth.credentials_file:
    path: ~/.m2/settings.xml
    format: maven
    target: nexus-releases
    username: "{{ nexus.name_code }}"
    password: "{{ nexus.pass_code }}"
  no_log: true
  diff: false

- name: NXRM 2 at its default context path, password from Ansible Vault
  tokensmith.auth.nexus_user_token:
    url: https://repo.example.com/nexus
    username: deployer
    password: "{{ vault_nexus_password }}"
  register: nexus2
  no_log: true

- name: Rotate the token (the old one stops working)
  tokensmith.auth.nexus_user_token:
    url: https://nexus.example.com
    username: deployer
    password: "{{ vault_nexus_password }}"
    state: reset
  register: nexus
  no_log: true

# not run by the example tests: the emulator speaks HTTPS only
- name: A local evaluation instance over plain http, accepting that the password travels in clear
  tokensmith.auth.nexus_user_token:
    url: http://localhost:8081
    username: admin
    password: "{{ vault_nexus_admin_password }}"
    allow_plain_http: true
  register: local_nexus
  no_log: true
'''

RETURN = r'''
name_code:
  description: The token's user part; null in check mode where a token would have been created or reset.
  returned: when a token is returned
  type: str
  sample: Ab3dEf9h
pass_code:
  description: The token's password part; null in check mode where a token would have been created or reset.
  returned: when a token is returned
  type: str
  sample: kQ2...
created:
  description: When the token was created, ISO 8601 UTC (servers may answer in local time; it is converted).
  returned: when a token is returned
  type: str
  sample: '2026-11-23T15:00:00Z'
expires:
  description: When the token expires, ISO 8601 UTC, when the server says (NXRM 3 with token expiry enabled); else null.
  returned: when a token is returned
  type: str
source:
  description:
    - V(read) for the user's current token, V(created) where NXRM 3.24+ had none, V(renewed) when the current one
      had expired and a new one was created, V(reset) after O(state=reset).
    - V(check_mode) in check mode where a token would have been created or reset; then every token field is null.
  returned: when a token is returned
  type: str
  sample: read
api_version:
  description: The API generation used (V(2.0), V(2.7), V(3.8) or V(3.24)).
  returned: always
  type: str
  sample: '3.24'
ansible_facts:
  description: The fact C(nexus_user_token), when O(register_fact=true); read it as C(ansible_facts.nexus_user_token).
  returned: when a token is returned (or, in check mode, would be) and O(register_fact=true)
  type: dict
  contains:
    nexus_user_token:
      description: C(name_code), C(pass_code), C(created), C(expires), C(api_version).
      type: dict
      returned: always
'''

from ansible_collections.tokensmith.auth.plugins.module_utils import _nexus
from ansible_collections.tokensmith.auth.plugins.module_utils._module import serve


def main():
    serve(_nexus.PROVIDER)


if __name__ == '__main__':
    main()
