# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's own endpoints under /_emulator/: what tests read (counters, issued values) and set (faults...)."""

from ._base import Reply


class ControlRoutes:
    ROUTES = {
        ('GET', '/_emulator/counters'): 'control_counters',
        ('GET', '/_emulator/last'): 'control_last',
        ('GET', '/_emulator/issued'): 'control_issued',
        ('GET', '/_emulator/arrived'): 'control_arrived',
        ('POST', '/_emulator/reset'): 'control_reset',
        ('POST', '/_emulator/reset_counters'): 'control_reset_counters',
        ('POST', '/_emulator/config'): 'control_config',
        ('POST', '/_emulator/faults'): 'control_faults',
        ('POST', '/_emulator/invalidate'): 'control_invalidate',
        ('POST', '/_emulator/clock'): 'control_clock',
    }

    def control_counters(self):
        return dict(self.state.counters)

    def control_last(self):
        return self.state.last

    def control_issued(self):
        return self.state.issued

    def control_arrived(self):
        return dict(self.state.arrived)

    def control_reset(self):
        self.state.reset()
        return {'reset': True}

    def control_reset_counters(self):
        with self.state.lock:
            self.state.counters.clear()
            self.state.arrived.clear()
        return {'reset': 'counters'}

    def control_config(self):
        changes = self._json_body() or {}
        for name, value in changes.items():
            if isinstance(value, str) and value.lstrip('-').isdigit():
                changes[name] = int(value)  # a templated number that arrived as text
            elif not isinstance(value, (int, float, bool, str, type(None))):
                raise Reply(400, {'message': 'config %s must be a number, a boolean or a string' % name})
        with self.state.lock:
            self.state.config.update(changes)
            return dict(self.state.config)

    def control_faults(self):
        """Body: a fault or a list of them: path (prefix), and status, retry_after, delay, reset,
        body (html|truncated|empty|echo, or a JSON object to answer with), raw (JSON text to answer with),
        count (default 1). An empty list clears them."""
        faults = self._json_body()
        faults = faults if isinstance(faults, list) else [faults]
        with self.state.lock:
            if not faults:
                self.state.faults = []
            self.state.faults.extend(f for f in faults if f)
            return {'faults': len(self.state.faults)}

    def control_clock(self):
        """Body: {"advance": seconds}: the emulator's clock jumps ahead (sessions, tickets and tokens age)."""
        advance = (self._json_body() or {}).get('advance', 0)
        if not isinstance(advance, (int, float)) or isinstance(advance, bool):
            raise Reply(400, {'message': 'advance must be a number of seconds'})
        with self.state.lock:
            self.state.clock_offset += advance
            return {'offset': self.state.clock_offset}

    def control_invalidate(self):
        """Body: {"provider": "nexla"|"nuvy"|"nexus"}: every token of that provider stops working."""
        provider = (self._json_body() or {}).get('provider')
        with self.state.lock:
            if provider in ('nexla', None):
                self.state.nexla_sessions.clear()
            if provider in ('nuvy', None):
                self.state.nuvy_tokens.clear()
            if provider in ('nexus', None):
                self.state.nexus_tokens.clear()
        return {'invalidated': provider or 'all'}
