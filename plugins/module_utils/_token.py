# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The one token shape every provider returns, the one rule for reusing a token, and answers read field by field."""

import datetime
import math
import re
import time

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._options import check_text

TOKEN_FIELDS = ('access_token', 'token_type', 'expires_in', 'expires_at', 'scope')
# A lifetime beyond this is taken as this: no provider here issues longer ones, and it keeps every date
# representable. Documented with expires_in in the modules.
MAX_LIFETIME = 366 * 86400
_YEAR_10000 = 253402300800

_ISO = re.compile(r'^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?'
                  r'(?:(Z)|([+-])(\d\d):?(\d\d))?$', re.IGNORECASE)


def format_time(epoch):
    """ISO 8601 UTC with a ``Z``, to the second: ``2026-11-23T15:00:00Z``."""
    return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_time(text):
    """Epoch seconds from ISO 8601 (``Z``, any ``+hh:mm`` offset, or none for UTC; fractions allowed)."""
    match = _ISO.match(str(text).strip())
    if not match:
        raise ValueError('not an ISO 8601 time: %r' % (text,))
    groups = match.groups()
    try:
        moment = datetime.datetime(*(int(part) for part in groups[:6]), tzinfo=datetime.timezone.utc)
    except ValueError:
        raise ValueError('not a valid date: %r' % (text,)) from None
    offset = 0
    if groups[8]:
        offset = (int(groups[9]) * 60 + int(groups[10])) * 60 * (1 if groups[8] == '+' else -1)
    return moment.timestamp() - offset + (float('0.' + groups[6]) if groups[6] else 0.0)


def _kind(value):
    """The JSON name of a value's type, for messages that must not show the value."""
    for kind, name in ((dict, 'an object'), (list, 'a list'), (str, 'a string'), (bool, 'a boolean'),
                       ((int, float), 'a number'), (type(None), 'null')):
        if isinstance(value, kind):
            return name
    return type(value).__name__


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
        raise self.http.error('the answer\'s field %s%s is %s, not %s' % (self.path, name, _kind(self.data[name]), what),
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
                                  % (self.path, name, value), self.step, self.hint)
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


class Token:
    """An access credential with a known or unknown end of life.

    ``expires_at`` is epoch seconds (``None`` when unknown). ``extra`` carries provider fields that
    are not secrets (Nexla's user and org, Nexus' ``created``...).
    """

    def __init__(self, access_token, token_type='Bearer', expires_at=None, scope=None, extra=None):
        self.access_token = access_token
        self.token_type = token_type
        self.expires_at = expires_at
        self.scope = scope
        self.extra = dict(extra or {})

    @classmethod
    def from_answer(cls, answer, sent_at, default_expires_in, requested_scope=None, extra=None):
        """A token from an OAuth-style answer; its lifetime counts from when the request was sent."""
        access_token = answer.text('access_token', required=True, secret=True)
        expires_in = answer.lifetime('expires_in', default_expires_in)
        scope = answer.words('scope')
        if scope is None and requested_scope:
            scope = ' '.join(requested_scope)
        token_type = answer.text('token_type') or 'Bearer'
        if token_type.lower() == 'bearer':
            token_type = 'Bearer'  # RFC 6749 section 5.1: the type is case-insensitive
        return cls(access_token, token_type, sent_at + expires_in, scope, extra)

    @classmethod
    def from_input(cls, value):
        """A token handed back by the user: a result or fact of a module, or a bare token string."""
        if value is None or value == '' or value == {}:
            return None
        if isinstance(value, dict):
            if not value.get('access_token'):
                raise TokenError('the token option is a dict without access_token: pass the result or fact '
                                 'of a previous run, or the bare token string')
            expires_at = value.get('expires_at')
            try:
                expires_at = parse_time(expires_at) if expires_at else None
            except ValueError:
                raise TokenError('the token option has an unreadable expires_at (expected ISO 8601 UTC such '
                                 'as 2026-01-31T12:00:00Z)') from None
            if not isinstance(value['access_token'], str):
                raise TokenError('the token option\'s access_token is %s, not a string: pass the result or fact of a '
                                 'previous run, or the bare token string' % _kind(value['access_token']))
            extra = dict((k, v) for k, v in value.items() if k not in TOKEN_FIELDS and k != 'source')
            token = cls(value['access_token'], str(value.get('token_type') or 'Bearer'),
                        expires_at, value.get('scope'), extra)
        else:
            token = cls(str(value).strip())
        check_text('token', token.access_token, 'the token option\'s access token')
        return token

    def remaining(self, now=None):
        """Seconds of life left, or ``None`` when the expiry is unknown."""
        if self.expires_at is None:
            return None
        return self.expires_at - (time.time() if now is None else now)

    def is_valid(self, min_ttl, now=None):
        """The reuse rule: valid while ``expires_at - now >= min_ttl``; an unknown expiry is not valid."""
        remaining = self.remaining(now)
        return remaining is not None and remaining >= min_ttl

    def to_dict(self, now=None):
        remaining = self.remaining(now)
        result = dict(self.extra)
        result.update(
            access_token=self.access_token,
            token_type=self.token_type,
            expires_in=None if remaining is None else max(0, int(remaining)),
            expires_at=None if self.expires_at is None else format_time(self.expires_at),
            scope=self.scope,
        )
        return result


def effective_min_ttl(options, default):
    """The reuse margin a caller asked for, or the provider's default when it asked for none."""
    value = options.get('min_ttl')
    return default if value is None else value


def module_result(fields, fact, register_fact, **extra):
    """A module's result: the token's fields, and the same fields as a fact when asked."""
    result = dict(fields, **extra)
    if register_fact:
        result['ansible_facts'] = {fact: fields}
    return result
