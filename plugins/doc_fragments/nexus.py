# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # Sonatype Nexus Repository's URL and user, for the nexus_user_token module (tokensmith.auth.nexus).
    DOCUMENTATION = r'''
options:
  url:
    description:
      - The Nexus base URL including its context path, for example V(https://nexus.example.com) for NXRM 3 or
        V(https://repo.example.com/nexus) for a default NXRM 2.
      - Falls back to the E(NEXUS_URL) environment variable.
      - A plain C(http://) URL (such as V(http://localhost:8081)) also needs O(allow_plain_http), and the password
        then travels unencrypted.
    type: str
  username:
    description:
      - The Nexus user. May hold any UTF-8 character but a colon. Falls back to E(NEXUS_USERNAME).
    type: str
  password:
    description:
      - The user's password. Falls back to E(NEXUS_PASSWORD). Never logged, and masked in any message.
    type: str
  api_version:
    description:
      - Which user-token API to speak.
      - V(auto) tries the ticket endpoints newest first and reads the C(Server) header to pick the generation.
      - V(2.0) for NXRM 2.0-2.6, V(2.7) for NXRM 2.7+, V(3.0) for NXRM 3.0-3.7, V(3.8) for NXRM 3.8-3.23,
        V(3.24) for NXRM 3.24 and later.
      - Falls back to the E(NEXUS_API_VERSION) environment variable.
    type: str
    choices: [auto, '2.0', '2.7', '3.0', '3.8', '3.24']
    default: auto
'''

    # Where the token lookup also reads them for provider nexus; no ini entry for the password. Its variables are
    # the lookup's own (tokensmith_nexus_*): the role's nexus_* variables reach it only as arguments.
    PLUGINS = r'''
options:
  url:
    env:
      - name: NEXUS_URL
    ini:
      - section: tokensmith_nexus
        key: url
    vars:
      - name: tokensmith_nexus_url
  username:
    env:
      - name: NEXUS_USERNAME
    ini:
      - section: tokensmith_nexus
        key: username
    vars:
      - name: tokensmith_nexus_username
  password:
    env:
      - name: NEXUS_PASSWORD
    vars:
      - name: tokensmith_nexus_password
  api_version:
    env:
      - name: NEXUS_API_VERSION
    ini:
      - section: tokensmith_nexus
        key: api_version
    vars:
      - name: tokensmith_nexus_api_version
'''
