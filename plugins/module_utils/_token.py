# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The one token shape every provider returns, and the one rule for reusing a token."""

import datetime
import math
import re
import time

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError, json_kind
from ansible_collections.tokensmith.auth.plugins.module_utils._options import check_text

TOKEN_FIELDS = ('access_token', 'token_type', 'expires_in', 'expires_at', 'scope')

# Compiled on first use (re keeps it): a lookup's cache hit (its entries hold epoch seconds) compiles nothing.
_ISO = (r'^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?'
        r'(?:(Z)|([+-])(\d\d):?(\d\d))?$')


def format_time(epoch):
    """ISO 8601 UTC with a ``Z``, to the second: ``2026-11-23T15:00:00Z``."""
    return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_time(text):
    """Epoch seconds from ISO 8601 (``Z``, any ``+hh:mm`` offset, or none for UTC; fractions allowed)."""
    match = re.match(_ISO, str(text).strip(), re.IGNORECASE)
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


def _epoch(value):
    """Epoch seconds from ISO 8601 text, or as they are (the lookup's cache entries hold them so)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError('not a finite time')
        return float(value)
    return parse_time(value)


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
                expires_at = _epoch(expires_at) if expires_at else None
            except ValueError:
                raise TokenError('the token option has an unreadable expires_at (expected ISO 8601 UTC such '
                                 'as 2026-01-31T12:00:00Z)') from None
            if not isinstance(value['access_token'], str):
                raise TokenError('the token option\'s access_token is %s, not a string: pass the result or fact of a '
                                 'previous run, or the bare token string' % json_kind(value['access_token']))
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
