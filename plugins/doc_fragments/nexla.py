# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # Nexla's endpoint and credential, for the nexla_token module (tokensmith.auth.nexla).
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - The Nexla API base URL. Older documents show V(https://api.nexla.io); self-hosted installs have their own.
      - Falls back to the E(NEXLA_API_URL) environment variable.
    type: str
    default: https://dataops.nexla.io/nexla-api
  service_key:
    description:
      - The service key, exactly as the Nexla UI shows it. It is sent after C(Basic) verbatim, never re-encoded.
      - Falls back to the E(NEXLA_SERVICE_KEY) environment variable. Never logged, and masked in any message.
    type: str
'''

    # Where the token lookup also reads them for provider nexla; no ini entry for the key. Its variables are the
    # lookup's own (tokensmith_nexla_*): the role's nexla_* variables reach it only as arguments.
    PLUGINS = r'''
options:
  api_url:
    env:
      - name: NEXLA_API_URL
    ini:
      - section: tokensmith_nexla
        key: api_url
    vars:
      - name: tokensmith_nexla_api_url
  service_key:
    env:
      - name: NEXLA_SERVICE_KEY
    vars:
      - name: tokensmith_nexla_service_key
'''
