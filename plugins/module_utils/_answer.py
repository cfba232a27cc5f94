# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""Provider answers read field by field: a field of the wrong type or range is a clear error, never a guess."""

import math

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError, excerpt, json_kind
from ansible_collections.tokensmith.auth.plugins.module_utils._options import MAX_LIFETIME, check_text
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token, parse_time

_YEAR_10000 = 253402300800


class Answer:
    """A provider's JSON answer, read field by field: a field of the wrong type or range is a clear error
    naming the provider, the step and the field (through ``http.error``), never a crash or a guess."""

    def __init__(self, data, http, step, hint=None, path=''):
        self.data = data if isinstance(data, dict) else {}
        self.http = http
        self.step = step
        self.hint = hint
        self.path = path

    def _wrong(self, name, what):
        raise self.http.error('the answer\'s field %s%s is %s, not %s' % (self.path, name, json_kind(self.data[name]), what),
                              self.step, self.hint)

    def has(self, name):
        return self.data.get(name) is not None

    def text(self, name, required=False, secret=False):
        """A string field; a secret one is taught to the redactor and must be fit for a header.

        ``required`` may name the field for the message (``'a ticket'``).
        """
        value = self.data.get(name)
        if value is None or value == '':
            if required:
                what = required if isinstance(required, str) else ('an ' if name[0] in 'aeiou' else 'a ') + name
                raise self.http.error('the answer came without %s%s' % (self.path, what), self.step, self.hint)
            return None
        if not isinstance(value, str):
            self._wrong(name, 'a string')
        if secret:
            self.http.redactor.add(value)
            try:
                check_text(name, value, 'the answer\'s %s%s' % (self.path, name))
            except TokenError as err:
                raise self.http.error(err.message, self.step, self.hint) from None
        return value

    def identifier(self, name):
        """An id: a string or a whole number, as text."""
        value = self.data.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(name, 'a string or a whole number')
        return value

    def flag(self, name):
        value = self.data.get(name)
        if value is not None and not isinstance(value, bool):
            self._wrong(name, 'true or false')
        return value

    def mapping(self, name):
        """A nested object as an :class:`Answer` (empty when absent)."""
        value = self.data.get(name)
        if value is not None and not isinstance(value, dict):
            self._wrong(name, 'an object')
        return Answer(value, self.http, self.step, self.hint, '%s%s.' % (self.path, name))

    def words(self, name):
        """A space-separated string, or a list of strings joined with spaces (some servers send one)."""
        value = self.data.get(name)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return ' '.join(value)
        return self.text(name)

    def lifetime(self, name, default):
        """Seconds of life: a non-negative number (or decimal text); ``default`` when absent; at most MAX_LIFETIME."""
        value = self.data.get(name)
        if value is None or value == '':
            return default
        number = value
        if isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                self._wrong(name, 'a number of seconds')
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            self._wrong(name, 'a number of seconds')
        if math.isnan(number) or number < 0:
            raise self.http.error('the answer\'s field %s%s is %s, not a number of seconds from 0 up'
                                  % (self.path, name, excerpt(value, length=40)), self.step, self.hint)
        return int(min(number, MAX_LIFETIME))  # infinity too: as long as any token lives here

    def moment(self, name):
        """A point in time as epoch seconds: ISO 8601 text (any offset) or epoch milliseconds; None when absent."""
        value = self.data.get(name)
        if value is None or value == '':
            return None
        epoch = None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            epoch = value / 1000.0
        elif isinstance(value, str):
            try:
                epoch = parse_time(value)
            except ValueError:
                pass
        if epoch is None or not 0 <= epoch < _YEAR_10000:
            self._wrong(name, 'an ISO 8601 time or epoch milliseconds (years 1970 to 9999)')
        return epoch


def token_from_answer(answer, sent_at, default_expires_in, requested_scope=None, extra=None):
    """A token from an OAuth-style answer; its lifetime counts from when the request was sent."""
    access_token = answer.text('access_token', required=True, secret=True)
    expires_in = answer.lifetime('expires_in', default_expires_in)
    scope = answer.words('scope')
    if scope is None and requested_scope:
        scope = ' '.join(requested_scope)
    token_type = answer.text('token_type') or 'Bearer'
    if token_type.lower() == 'bearer':
        token_type = 'Bearer'  # RFC 6749 section 5.1: the type is case-insensitive
    return Token(access_token, token_type, sent_at + expires_in, scope, extra)
