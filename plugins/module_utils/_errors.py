# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""One error family for every failure, and the redaction every message passes through."""

import base64
import json
import re
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

MASK = '********'
EMPTY_BODY = 'empty body'
EXCERPT_LENGTH = 120   # characters of a provider's string in a message
LINE_LENGTH = 2000     # characters of a whole message, whatever it holds
SCAN_LENGTH = 16384    # characters of a provider's text ever looked at for a message

# Shorter values would mangle ordinary words in a message; secrets this short do not exist in practice.
_MIN_SECRET_LENGTH = 4


def _escaped(value):
    """The forms a message may print a string in: Python repr (str and bytes) and JSON, ASCII-only or not."""
    return {repr(value)[1:-1], ascii(value)[1:-1], repr(value.encode('utf-8'))[2:-1],
            json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


def b64_text(text):
    """The base64 of UTF-8 text (Basic credentials, Docker and npm auth, the forms a secret takes)."""
    return base64.b64encode(text.encode('utf-8')).decode('ascii')


def _encodings(value):
    """The forms a secret can take on the wire or in a message."""
    forms = {value, quote(value, safe=''), quote_plus(value, safe='')}
    for form in list(forms):
        forms.add(b64_text(form))
    for form in list(forms):
        forms.update(_escaped(form))
    return forms


class Redactor:
    """Knows every secret a flow handled and removes them (in any encoding) from text."""

    def __init__(self, secrets=()):
        self._secrets = set()
        self.longest = 0
        for secret in secrets:
            self.add(secret)

    def add(self, *values):
        for value in values:
            if isinstance(value, bytes):
                value = value.decode('utf-8', 'replace')
            if isinstance(value, str) and len(value) >= _MIN_SECRET_LENGTH:
                forms = [form for form in _encodings(value) if len(form) >= _MIN_SECRET_LENGTH]
                self._secrets.update(forms)
                self.longest = max([self.longest] + [len(form) for form in forms])

    def __call__(self, text):
        text = redact_url_userinfo(str(text))
        # Longest first, so a secret that contains another is removed whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


def json_kind(value):
    """The JSON name of a value's type, for messages that must not show the value."""
    for kind, name in ((dict, 'an object'), ((list, tuple, set), 'a list'), (str, 'a string'), (bool, 'a boolean'),
                       ((int, float), 'a number'), (type(None), 'null')):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def unexpected(err):
    """The line for a failure no code here expected (a bug): its type and text, for the user to report."""
    text = str(err)
    return 'unexpected error (%s%s); please report it' % (type(err).__name__, ': ' + text if text else '')


# Patterns are compiled on first use (re keeps them): a lookup's cache hit in a fresh worker then compiles none.
# Both are linear in the text: the userinfo pattern starts only right after "x://" (a fixed-width look-behind)
# and stops at the next "/", so no character is scanned twice; a tag stops at the next "<".
_USERINFO = r'(?<=[a-zA-Z0-9+.-]://)[^/@\s]+@'
_TAGS = r'<[^<>]*>'


def redact_url_userinfo(text):
    """Hide ``user:password@`` in any URL inside ``text``."""
    return re.sub(_USERINFO, MASK + '@', text)


def excerpt(text, redact=redact_url_userinfo, length=EXCERPT_LENGTH, tags=False):
    """A provider's string fit for a message: redacted, tag-free when asked, on one line, at most ``length``
    characters. Only the first SCAN_LENGTH characters are looked at, so a 10 MB page costs what 16 KB does."""
    text = str(text)
    if len(text) > SCAN_LENGTH:
        # A secret cut in two at the window's end is not recognised: drop as much as the longest secret form.
        margin = max(getattr(redact, 'longest', 0), 256)
        text = redact(text[:SCAN_LENGTH + margin])
        text = text[:max(0, len(text) - margin)]
    else:
        text = redact(text)
    if tags:
        text = re.sub(_TAGS, ' ', text)
    return _cut(' '.join(text.split()), length)


def _cut(text, length):
    return text[:length - 3] + '...' if len(text) > length else text


def strip_userinfo(url):
    """The URL without its userinfo, for messages."""
    parts = urlsplit(url)
    if '@' not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition('@')[2]))


class TokenError(Exception):
    """A failure to report to the user as one line: what went wrong and what to do.

    ``provider`` and ``step`` say where; ``hint`` says what to do. ``str()`` gives the line. Every
    message is passed through the flow's redactor before it leaves the collection's code.
    """

    def __init__(self, message, provider=None, step=None, hint=None):
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.step = step
        self.hint = hint
        self.redactor = None

    def detail(self):
        return self.message

    def __str__(self):
        where = ' '.join(part for part in (self.provider, self.step) if part)
        line = '%s: %s' % (where, self.detail()) if where else self.detail()
        if self.hint:
            line = '%s. %s' % (line.rstrip('.'), self.hint)
        redact = self.redactor or redact_url_userinfo
        # Redact before folding whitespace (a secret may hold some), and after (folding joins lines); every
        # provider string in it is already cut, and the line as a whole is bounded too.
        return _cut(redact(' '.join(redact(line).split())), LINE_LENGTH)


class TransportError(TokenError):
    """No answer came: the connection could not be made, broke, or stalled, through every attempt allowed."""


class TlsRefused(TokenError):
    """The TLS handshake was refused: the server's certificate is not trusted here, or the server refused this
    client. No retry heals it."""


class CheckModeStop(TokenError):
    """Check mode: going on would create, reset or delete a token at the provider, so nothing was asked that would.
    The message says what would have happened."""


class HttpStatusError(TokenError):
    """The server answered with an unexpected HTTP status.

    ``code`` and ``description`` are the provider's own (OAuth ``error``/``error_description``, or a
    ``message``); ``excerpt`` is a short, tag-stripped piece of a body that was not JSON.
    """

    def __init__(self, status, reason='', code=None, description=None, excerpt=None, **kwargs):
        super().__init__('HTTP %s' % status, **kwargs)
        self.status = status
        self.reason = reason
        self.code = code
        self.description = description
        self.excerpt = excerpt

    def detail(self):
        parts = ['HTTP %s%s' % (self.status, (' ' + self.reason) if self.reason else '')]
        if self.code:
            parts.append(self.code)
        if self.description:
            parts.append('"%s"' % self.description)
        elif self.excerpt == EMPTY_BODY:
            parts[-1] += ' (%s)' % EMPTY_BODY
        elif self.excerpt:
            parts.append('(non-JSON body: "%s")' % self.excerpt)
        return ': '.join(parts)
