#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: nexla_token
short_description: Get, refresh and log out Nexla session tokens from a service key
version_added: 0.1.0
description:
  - Logs in to the Nexla API with a service key and returns the session token (about an hour of life).
  - Reuses a token handed back in O(token) while it has O(min_ttl) seconds left, without any request;
    refreshes it with C(/token/refresh) when it is close to its end or its end is unknown; logs in again
    with O(service_key) when the refresh is refused with any HTTP 4xx (Nexla's own SDK no longer calls
    C(/token/refresh), so the route may be retired), in one request, and says so in RV(refresh_refused).
  - Logs a session out with O(state=absent).
  - Never returns the C(api_key) values Nexla sends with a session (C(user.api_key), C(org_membership.api_key)).
author:
  - tokensmith.auth contributors (@tokensmith)
extends_documentation_fragment:
  - tokensmith.auth.token_module
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - tokensmith.auth.connection
  - tokensmith.auth.nexla
attributes:
  check_mode:
    details:
      - In check mode a token is still issued, refreshed or reused (later tasks need a real one); a logout is only reported.
options:
  token:
    description:
      - A session from an earlier task, to reuse, refresh or log out. Either the registered result of this module (or
        its C(ansible_facts.nexla_token)), or a bare session token (for example copied from the Nexla UI).
      - A bare token's expiry is unknown, so with O(state=present) it is refreshed rather than reused.
    type: raw
  state:
    description:
      - V(present) returns a session with at least O(min_ttl) seconds left, reusing, refreshing or
        logging in, whichever is the least work.
      - V(refreshed) refreshes O(token) now (or logs in when there is none).
      - V(absent) logs O(token) out. A session that is already invalid counts as logged out.
    type: str
    choices: [present, refreshed, absent]
    default: present
  min_ttl:
    description:
      - Seconds of life a reused session must still have; one closer to its end is refreshed. From 0 up.
      - Falls back to the E(TOKENSMITH_MIN_TTL) environment variable, as the lookup does.
    type: int
    default: 300
  register_fact:
    description:
      - Also return the session's fields, user and org as the fact C(ansible_facts.nexla_token). Register the result
        instead where you can - C(register) keeps the session out of fact caches.
      - Read the fact as C(ansible_facts.nexla_token), never as a top-level C(nexla_token), which ansible-core 2.21
        deprecates and 2.24 removes (C(INJECT_FACTS_AS_VARS)).
      - Facts go to the fact cache; with a persistent cache (jsonfile, redis, AWX fact storage) the session is stored
        there until it expires.
    type: bool
    default: false
notes:
  - Every request sends C(Accept) V(application/vnd.nexla.api.v1+json), as Nexla requires.
  - Every field of Nexla's answer is checked; one of the wrong type is an error naming it. An C(expires_in) above a
    year is taken as a year.
  - The result holds the session token. Put C(no_log) on tasks that register or print it.
seealso:
  - module: tokensmith.auth.nuvy_oauth_token
  - module: tokensmith.auth.nexus_user_token
'''

EXAMPLES = r'''
- name: Log in with the service key from NEXLA_SERVICE_KEY
  tokensmith.auth.nexla_token:
  register: nexla
  no_log: true

- name: Call the Nexla API with the session
  ansible.builtin.uri:
    url: https://dataops.nexla.io/nexla-api/data_sources
    headers:
      Authorization: "Bearer {{ nexla.access_token }}"
      Accept: application/vnd.nexla.api.v1+json
  no_log: true

- name: A long play - before each phase, reuse the session or refresh it when under 10 minutes
  tokensmith.auth.nexla_token:
    token: "{{ nexla }}"
    min_ttl: 600
  register: nexla
  no_log: true

- name: A session the API refused (HTTP 401 - logged out elsewhere, or expired) - refresh it now, or log in again
  tokensmith.auth.nexla_token:
    token: "{{ nexla }}"
    state: refreshed
  register: nexla
  no_log: true

- name: Provision pipelines and always log out at the end
  block:
    - name: Log in, the key from Ansible Vault
      tokensmith.auth.nexla_token:
        service_key: "{{ vault_nexla_service_key }}"
      register: session
      no_log: true
    - name: Create the data source
      ansible.builtin.uri:
        url: https://dataops.nexla.io/nexla-api/data_sources
        method: POST
        body_format: json
        body: {name: orders}
        headers:
          Authorization: "Bearer {{ session.access_token }}"
          Accept: application/vnd.nexla.api.v1+json
        status_code: [200, 201]
      no_log: true
  always:
    - name: Log the session out
      tokensmith.auth.nexla_token:
        state: absent
        token: "{{ session }}"
      when: session.access_token is defined

- name: Self-hosted Nexla with a private CA, settings shared through the action group
  module_defaults:
    group/tokensmith.auth.tokens:
      api_url: https://nexla.internal.example.com/nexla-api
      ca_path: /etc/pki/internal-ca.pem
  block:
    - name: Log in
      tokensmith.auth.nexla_token:
        service_key: "{{ vault_nexla_service_key }}"
      register: internal
      no_log: true
'''

RETURN = r'''
access_token:
  description: The session token, for C(Authorization) C(Bearer).
  returned: when O(state) is V(present) or V(refreshed)
  type: str
  sample: 9f8b6c...
token_type:
  description: Always C(Bearer).
  returned: when O(state) is V(present) or V(refreshed)
  type: str
  sample: Bearer
expires_in:
  description: Seconds of life left when the module finished.
  returned: when O(state) is V(present) or V(refreshed)
  type: int
  sample: 3599
expires_at:
  description: When the session ends, ISO 8601 UTC, counted from when the request was sent.
  returned: when O(state) is V(present) or V(refreshed)
  type: str
  sample: '2026-11-23T16:00:00Z'
scope:
  description: Always null; Nexla sessions have no scope.
  returned: when O(state) is V(present) or V(refreshed)
  type: str
source:
  description: V(issued) after a login, V(refreshed) after a refresh, V(reused) when O(token) was still valid.
  returned: when O(state) is V(present) or V(refreshed)
  type: str
  sample: issued
refresh_refused:
  description:
    - The HTTP status with which C(/token/refresh) refused the session (for example V(405) where the route is
      retired, V(401) for a dead session), after which the module logged in again with O(service_key).
  returned: when a refresh was refused and the module logged in again
  type: int
  sample: 405
user:
  description: The account the session belongs to (never its api_key).
  returned: when O(state) is V(present) or V(refreshed), and known
  type: dict
  contains:
    id:
      description: User id.
      type: int
      returned: always
    email:
      description: User e-mail.
      type: str
      returned: always
    full_name:
      description: User name.
      type: str
      returned: always
org:
  description: The organisation of the session (never the membership's api_key).
  returned: when O(state) is V(present) or V(refreshed), and known
  type: dict
  contains:
    id:
      description: Org id.
      type: int
      returned: always
    name:
      description: Org name.
      type: str
      returned: always
ansible_facts:
  description: The fact C(nexla_token), when O(register_fact=true); read it as C(ansible_facts.nexla_token).
  returned: when O(state) is V(present) or V(refreshed), and O(register_fact=true)
  type: dict
  contains:
    nexla_token:
      description: The token fields, C(user) and C(org), as returned.
      type: dict
      returned: always
'''

from ansible_collections.tokensmith.auth.plugins.module_utils import _nexla
from ansible_collections.tokensmith.auth.plugins.module_utils._module import serve


def main():
    serve(_nexla.PROVIDER)


if __name__ == '__main__':
    main()
