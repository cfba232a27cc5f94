# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # Nuvy's OAuth 2.0 endpoint and client credentials, for the nuvy_oauth_token module (tokensmith.auth.nuvy).
    DOCUMENTATION = r'''
options:
  token_url:
    description:
      - The OAuth 2.0 token endpoint.
      - Nuvy production is V(https://prd.api.nuvy.ai/nexus/oauth2/token), QA is
        V(https://qa.api.nuvy.ai/nexus/oauth2/token); Nuvy's other API uses the path C(/oauth2/token) on the same hosts.
      - Falls back to the E(NUVY_TOKEN_URL) environment variable.
    type: str
    default: https://prd.api.nuvy.ai/nexus/oauth2/token
  client_id:
    description:
      - The App Client's identifier. Falls back to the E(NUVY_CLIENT_ID) environment variable.
    type: str
  client_secret:
    description:
      - The App Client's secret. Falls back to the E(NUVY_CLIENT_SECRET) environment variable.
      - Never logged, and masked in any message.
    type: str
  scope:
    description:
      - Scopes to request, sent space-separated. When empty, no scope is sent and the App Client's defaults apply.
    type: list
    elements: str
    default: []
  auth_method:
    description:
      - How the client authenticates; exactly one mechanism is used per request.
      - V(client_secret_basic) sends an C(Authorization) Basic header with the id and secret form-encoded
        first, exactly as RFC 6749 section 2.3.1 says.
      - V(client_secret_basic_raw) sends them in the Basic header as they are, as C(curl -u) (Nuvy's own
        examples), requests-oauthlib and Authlib do; for servers that do not URL-decode Basic credentials.
      - V(client_secret_post) sends C(client_id) and C(client_secret) in the form body.
      - V(auto) sends the RFC form first and, only when the server answers 401 C(invalid_client) and the two forms
        differ (the id or secret holds characters such as C(+), C(/), C(=), C(%), C(:), C(&) or a space), retries once with the raw
        form. So it costs one extra request at most, and only on failure. The lookup's cache remembers which form
        worked and sends that one first next time; the result's C(auth_method) says which was used.
      - Falls back to the E(NUVY_AUTH_METHOD) environment variable.
    type: str
    choices: [auto, client_secret_basic, client_secret_basic_raw, client_secret_post]
    default: auto
'''

    # Where the token lookup also reads them for provider nuvy; no ini entry for the secret. Its variables are the
    # lookup's own (tokensmith_nuvy_*): the role's nuvy_* variables reach it only as arguments.
    PLUGINS = r'''
options:
  token_url:
    env:
      - name: NUVY_TOKEN_URL
    ini:
      - section: tokensmith_nuvy
        key: token_url
    vars:
      - name: tokensmith_nuvy_token_url
  client_id:
    env:
      - name: NUVY_CLIENT_ID
    ini:
      - section: tokensmith_nuvy
        key: client_id
    vars:
      - name: tokensmith_nuvy_client_id
  client_secret:
    env:
      - name: NUVY_CLIENT_SECRET
    vars:
      - name: tokensmith_nuvy_client_secret
  scope:
    vars:
      - name: tokensmith_nuvy_scope
  auth_method:
    env:
      - name: NUVY_AUTH_METHOD
    ini:
      - section: tokensmith_nuvy
        key: auth_method
    vars:
      - name: tokensmith_nuvy_auth_method
'''
