# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The leak check, written once: no form of any test secret, of any token, ticket or passCode the emulator issued,
or of a value a test names, in a captured output. The shell reaches it through ``python tests/emulator no-secrets``,
YAML through the ``tokensmith_no_secrets`` test action (setup_tokensmith)."""

import base64
import codecs
import json
from urllib.parse import quote, quote_plus

from .credentials import PAIRS, SECRETS

MIN_LENGTH = 4  # shorter values would match ordinary words; no secret here is this short


def forms(value):
    """A value as it is, trimmed, URL- or base64-encoded, or escaped (Python repr, JSON): how output may show it."""
    found = {value, value.strip(), quote(value, safe=''), quote_plus(value, safe='')}
    found |= {base64.b64encode(form.encode('utf-8')).decode('ascii') for form in list(found)}
    found |= {escaped for form in list(found) for escaped in (repr(form)[1:-1], json.dumps(form)[1:-1])}
    return set(form for form in found if len(form) >= MIN_LENGTH)


def unescape(value):
    """A value given on a command line may hold \\n and other escapes (printf %b style)."""
    return codecs.decode(value, 'unicode_escape') if '\\' in value else value


def known():
    """Every test secret, as it is and as it travels: with the newline a YAML block or a file adds, and in the
    user:secret pairs of Basic credentials (as they are and form-encoded, RFC 6749 section 2.3.1)."""
    values = set(SECRETS) | set(secret + '\n' for secret in SECRETS)
    for user, secret in PAIRS:
        values |= {'%s:%s' % (user, secret), '%s:%s' % (quote_plus(user), quote_plus(secret))}
    return values


def leaks(text, values):
    """Every form of every value (each test secret too) that ``text`` holds."""
    found = []
    for value in known() | set(value for value in values if value):
        found.extend(form for form in forms(value) if form in text)
    return found


def check_file(path, values=()):
    """``(ok, line)`` for the file at ``path``: the line says how much was checked, or how many forms leaked (never
    which: the line goes into logs too)."""
    with open(path, encoding='utf-8', errors='replace') as handle:
        text = handle.read()
    found = leaks(text, values)
    if found:
        return False, 'LEAK: %d secret form(s) found in %s' % (len(found), path)
    return True, 'no secret in %s (%d bytes, %d values checked)' % (path, len(text), len(known() | set(values)))
