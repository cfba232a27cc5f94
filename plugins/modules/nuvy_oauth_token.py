#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: nuvy_oauth_token
short_description: Get an OAuth 2.0 access token for Nuvy Nexus with client credentials
version_added: 0.1.0
description:
  - Exchanges an App Client's O(client_id) and O(client_secret) for a Bearer access token at Nuvy's
    OAuth 2.0 token endpoint (client credentials grant, RFC 6749 section 4.4). Works with any standard
    OAuth 2.0 server too.
  - Client credentials are encoded exactly as RFC 6749 section 2.3.1 says, so secrets with characters
    such as C(+), C(%), C(:), C(/), C(&) and C(=) work. Servers that take Basic credentials as they are (as
    C(curl -u) sends them) are handled too - O(auth_method=auto) tries that form once when the first is refused.
  - Reuses a token handed back in O(token) while it stays valid for O(min_ttl) seconds, without any request.
  - Revokes a token with O(state=absent) at an RFC 7009 O(revocation_url).
  - The token's expiry comes from the server's C(expires_in), never from reading the token itself (RFC 9068 section 6).
author:
  - tokensmith.auth contributors (@tokensmith)
extends_documentation_fragment:
  - tokensmith.auth.token_module
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - tokensmith.auth.connection
  - tokensmith.auth.nuvy
attributes:
  check_mode:
    details:
      - In check mode a token is still issued or reused (later tasks need a real one); a revocation is only reported.
options:
  token:
    description:
      - A token from an earlier task, to reuse or to revoke. Either the registered result of this module (or its
        C(ansible_facts.nuvy_token)), a dict with C(access_token) and C(expires_at), or a bare access token.
      - With O(state=present) it is returned as is, with no request, while it has at least O(min_ttl)
        seconds left. A bare token's expiry is unknown, so a new token is issued instead.
    type: raw
  state:
    description:
      - V(present) returns a valid token, reusing O(token) when it can.
      - V(absent) revokes O(token) at O(revocation_url). Nuvy documents no revocation endpoint; without
        O(revocation_url) nothing is revoked and a warning says so.
    type: str
    choices: [present, absent]
    default: present
  min_ttl:
    description:
      - Seconds of life a reused token must still have. A token closer to its end is replaced. From 0 up.
      - Falls back to the E(TOKENSMITH_MIN_TTL) environment variable, as the lookup does.
    type: int
    default: 60
  revocation_url:
    description:
      - An RFC 7009 token revocation endpoint, authenticated like the token request. Needed for O(state=absent).
    type: str
  register_fact:
    description:
      - Also return the token fields as the fact C(ansible_facts.nuvy_token). Register the result instead where you
        can - C(register) keeps the token out of fact caches.
      - Read the fact as C(ansible_facts.nuvy_token), never as a top-level C(nuvy_token), which ansible-core 2.21
        deprecates and 2.24 removes (C(INJECT_FACTS_AS_VARS)).
      - Facts go to the fact cache; with a persistent cache (jsonfile, redis, AWX fact storage) the token is stored
        there until it expires.
    type: bool
    default: false
notes:
  - The result holds the access token. Put C(no_log) on tasks that register or print it, or the
    token appears in the output at C(-v) and in callbacks.
  - If no C(expires_in) comes back, the token is taken to live 3600 seconds; one above a year is taken as a year.
    Every field of the answer is checked; one of the wrong type is an error naming it.
seealso:
  - name: RFC 6749 section 4.4, Client Credentials Grant
    description: The OAuth 2.0 flow this module performs.
    link: https://www.rfc-editor.org/rfc/rfc6749#section-4.4
  - name: RFC 7009, OAuth 2.0 Token Revocation
    description: What O(state=absent) speaks.
    link: https://www.rfc-editor.org/rfc/rfc7009
'''

EXAMPLES = r'''
- name: Get a production token (credentials from NUVY_CLIENT_ID / NUVY_CLIENT_SECRET)
  tokensmith.auth.nuvy_oauth_token:
  register: nuvy
  no_log: true

- name: Call an API with it, accepting a 401 (a token revoked or rotated before its time)
  ansible.builtin.uri:
    url: https://prd.api.nuvy.ai/nexus/api/v1/status
    headers:
      Authorization: "Bearer {{ nuvy.access_token }}"
    status_code: [200, 401]
  register: status
  no_log: true

- name: On a 401, get a new token and call once more (a skipped task's register would replace nuvy, so a new name)
  when: status.status == 401
  block:
    - name: A new token (none handed back, so none reused)
      tokensmith.auth.nuvy_oauth_token:
      register: nuvy_renewed
      no_log: true
    - name: The call again
      ansible.builtin.uri:
        url: https://prd.api.nuvy.ai/nexus/api/v1/status
        headers:
          Authorization: "Bearer {{ nuvy_renewed.access_token }}"
      no_log: true

- name: Later in the play, reuse the token while it has 5 minutes left (no request)
  tokensmith.auth.nuvy_oauth_token:
    token: "{{ nuvy }}"
    min_ttl: 300
  register: nuvy
  no_log: true

- name: A QA token with scopes, the secret kept in Ansible Vault
  tokensmith.auth.nuvy_oauth_token:
    token_url: https://qa.api.nuvy.ai/nexus/oauth2/token
    client_id: my-app-client
    client_secret: "{{ vault_nuvy_client_secret }}"
    scope:
      - pipelines.read
      - pipelines.write
  register: nuvy_qa
  no_log: true

# not run by the example tests: the emulator decodes Basic credentials per RFC 6749 (as Nuvy does)
- name: A server known to take Basic credentials as they are (curl -u style), no RFC form first
  tokensmith.auth.nuvy_oauth_token:
    client_id: my-app-client
    client_secret: "{{ vault_nuvy_client_secret }}"
    auth_method: client_secret_basic_raw
  register: nuvy
  no_log: true

- name: Or send the credentials in the form body
  tokensmith.auth.nuvy_oauth_token:
    client_id: my-app-client
    client_secret: "{{ vault_nuvy_client_secret }}"
    auth_method: client_secret_post
  register: nuvy
  no_log: true

- name: The token as a fact too (read it as ansible_facts.nuvy_token; it goes to the fact cache)
  tokensmith.auth.nuvy_oauth_token:
    register_fact: true
  no_log: true

- name: Share connection settings across tasks with the action group, against a corporate OAuth 2.0 server
  module_defaults:
    group/tokensmith.auth.tokens:
      ca_path: /etc/pki/corp-ca.pem
      timeout: 10
  block:
    - name: Token
      tokensmith.auth.nuvy_oauth_token:
        token_url: https://auth.example.com/oauth2/token
        client_id: my-app-client
        client_secret: "{{ vault_nuvy_client_secret }}"
      register: corporate
      no_log: true

    - name: Revoke it at the server's RFC 7009 endpoint (not documented by Nuvy, common elsewhere)
      tokensmith.auth.nuvy_oauth_token:
        state: absent
        token: "{{ corporate }}"
        token_url: https://auth.example.com/oauth2/token
        revocation_url: https://auth.example.com/oauth2/revoke
        client_id: my-app-client
        client_secret: "{{ vault_nuvy_client_secret }}"
'''

RETURN = r'''
access_token:
  description: The Bearer access token.
  returned: when O(state=present)
  type: str
  sample: eyJhbGciOiJSUzI1NiJ9...
token_type:
  description: The token type, normalised to C(Bearer) for bearer tokens.
  returned: when O(state=present)
  type: str
  sample: Bearer
expires_in:
  description: Seconds of life left when the module finished.
  returned: when O(state=present)
  type: int
  sample: 3599
expires_at:
  description: When the token expires, ISO 8601 UTC, counted from when the request was sent.
  returned: when O(state=present)
  type: str
  sample: '2026-11-23T16:00:00Z'
scope:
  description: The granted scope, space-separated; the requested one when the server does not say; null when neither.
  returned: when O(state=present)
  type: str
  sample: pipelines.read pipelines.write
source:
  description: V(issued) when a new token was requested, V(reused) when O(token) was still valid.
  returned: when O(state=present)
  type: str
  sample: issued
auth_method:
  description:
    - The client authentication that the server accepted for this token - V(client_secret_basic) (the RFC 6749
      form), V(client_secret_basic_raw) or V(client_secret_post). Hand the token back in O(token) and, with
      O(auth_method=auto), the next new token is asked for with this one first.
  returned: when O(state=present)
  type: str
  sample: client_secret_basic
revoked:
  description: Whether a revocation request was made and accepted.
  returned: when O(state=absent)
  type: bool
  sample: true
ansible_facts:
  description: The fact C(nuvy_token), when O(register_fact=true); read it as C(ansible_facts.nuvy_token).
  returned: when O(state=present) and O(register_fact=true)
  type: dict
  contains:
    nuvy_token:
      description: The token fields (C(access_token), C(token_type), C(expires_in), C(expires_at), C(scope), C(auth_method)).
      type: dict
      returned: always
'''

from ansible_collections.tokensmith.auth.plugins.module_utils import _nuvy
from ansible_collections.tokensmith.auth.plugins.module_utils._module import serve


def main():
    serve(_nuvy.PROVIDER)


if __name__ == '__main__':
    main()
