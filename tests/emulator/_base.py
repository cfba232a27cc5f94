# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every part of the emulator shares: the answer a handler raises, and the state one lock guards."""

import collections
import threading
import time


class Reply(Exception):
    """Raised by a handler to answer at once."""

    def __init__(self, status, body=None, headers=None, content_type='application/json'):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type


class State:
    """Everything the emulator remembers; one lock guards it all."""

    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.counters = collections.Counter()
            # nuvy_basic: 'rfc' URL-decodes Basic credentials (RFC 6749 2.3.1), 'raw' takes them as they are.
            # nexla_refresh_status: a status for /token/refresh to answer with (a retired route), or None.
            # nexus_expired: how NXRM 3.24+ shows a token past its expiry: 'flag' (isExpired) or 'gone' (410).
            # nexus_post_conflict: POST answers 409 while any token (expired too) exists.
            # nexus_utc_offset: NXRM dates in this offset from UTC ('+01:00'), as a server's local time.
            self.config = dict(nexla_lifetime=3600, nuvy_lifetime=3600, nexus_ticket_lifetime=20,
                               nuvy_omit_expires_in=False, nexus_token_lifetime=None, nuvy_basic='rfc',
                               nexla_refresh_status=None, nexus_expired='flag', nexus_post_conflict=False,
                               nexus_utc_offset='Z')
            self.faults = []
            self.nexla_sessions = {}   # token -> dict(key, expires_at)
            self.nuvy_tokens = {}      # token -> dict(client, scope, expires_at)
            self.nexus_tickets = {}    # ticket -> dict(instance, user, expires_at)
            self.nexus_tokens = {}     # (instance, user) -> dict(nameCode, passCode, created)
            self.last = {}             # counter name -> dict(headers, body, query) of the last request
            self.issued = []           # every token, ticket and passCode handed out, for leak checks
            self.clock_offset = 0.0    # seconds the emulator's clock runs ahead of real time
            self.arrived = collections.Counter()  # path -> requests that arrived (before faults and delays)

    def now(self):
        """The emulator's clock: real time, moved on by /_emulator/clock so tests need not sleep."""
        return time.time() + self.clock_offset

    def take_fault(self, path):
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault['path']) and fault.get('count', 1) > 0:
                    fault['count'] = fault.get('count', 1) - 1
                    return dict(fault)
        return None
