# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A strict local stand-in for Nexla, Nuvy Nexus and Sonatype Nexus Repository, over HTTPS on loopback.

Test-only; never shipped. It follows ../shared/PROVIDERS.md to the letter and refuses anything else. One file per
provider (nexla.py, nuvy.py, nexus.py), control.py for the /_emulator/ endpoints, server.py for the plumbing and
faults, cli.py for the command line (``python tests/emulator --help``).

Paths:

- Nexla:  {url}/nexla-api/token, /token/refresh, /token/logout, GET and POST /data_sources (protected)
- Nuvy:   {url}/nexus/oauth2/token (also /oauth2/token), /nexus/oauth2/revoke (also /oauth2/revoke; RFC 7009, an extra),
          GET /nexus/api/v1/status (protected)
- NXRM:   {url}/nxrm/<version>[-oss|-nofeature]/ then /nexus for 2.x (the default context path), then
          the API of that version's generation; GET .../repository/protected/ takes nameCode:passCode.
- Control: GET /_emulator/counters, /_emulator/arrived (by path, before faults), /_emulator/issued (every token
          handed out), /_emulator/last; POST /_emulator/reset, /_emulator/reset_counters, /_emulator/config,
          /_emulator/faults, /_emulator/invalidate, /_emulator/clock (JSON bodies).
"""

from .nexla import NEXLA_KEYS
from .nexus import NEXUS_USERS
from .nuvy import NUVY_CLIENTS
from .server import Emulator, serve, start, stop

__all__ = ['Emulator', 'NEXLA_KEYS', 'NEXUS_USERS', 'NUVY_CLIENTS', 'serve', 'start', 'stop']
