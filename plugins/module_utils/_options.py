# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""One option layer for modules and the lookup: the argument specs, the checks, and a read-only view of values."""

import collections
import math
import os
import socket
from urllib.parse import urlsplit

try:
    from ansible.module_utils.errors import AnsibleFallbackNotFound
except ImportError:  # outside Ansible - the AWX credential plugins run these flows, and read no fallback
    class AnsibleFallbackNotFound(Exception):
        """Stands in for ansible-core's, which env() signals with; nothing raises it where Ansible is absent."""

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError, json_kind


MAX_TIMEOUT = 3600         # seconds per request
MAX_RETRIES = 100          # the 60 s wait budget ends retrying long before this
# No token lives longer than this here: a longer lifetime in an answer is taken as this (documented with
# expires_in in the modules), which keeps every date representable; min_ttl cannot ask for more.
MAX_LIFETIME = 366 * 86400

# What an option must be: a number within low..high (low itself only when low_allowed); a url without userinfo;
# a credential, text without control characters; verbatim, a credential sent in a header as is (printable ASCII).
Check = collections.namedtuple('Check', 'kind low high low_allowed', defaults=(None, None, True))
# What every face checks before any request, by option name (the names are shared by all providers).
CHECKS = dict(
    timeout=Check('number', 0, MAX_TIMEOUT, low_allowed=False),
    retries=Check('number', 0, MAX_RETRIES),
    min_ttl=Check('number', 0, MAX_LIFETIME),
    api_url=Check('url'), token_url=Check('url'), url=Check('url'), revocation_url=Check('url'),
    client_id=Check('credential'), client_secret=Check('credential'), username=Check('credential'),
    password=Check('credential'), service_key=Check('verbatim'),
)
TEXT_KINDS = ('url', 'credential', 'verbatim')


def check_kind(name):
    """The kind of check an option gets, or None."""
    return CHECKS[name].kind if name in CHECKS else None


# C0 and C1 controls, DEL, and the Unicode line and paragraph separators. A set, not a regular expression:
# the lookup checks every evaluation in a fresh worker, where compiling one would cost more than the check.
_CONTROL = frozenset(chr(code) for code in list(range(0x20)) + list(range(0x7f, 0xa0))) | {'\u2028', '\u2029'}


def _kind(value):
    """The type of an option's value as a playbook's author knows it (YAML calls an object a mapping)."""
    return 'a mapping' if isinstance(value, dict) else json_kind(value)


def _env_fallback(*names):
    """Like Ansible's env_fallback, but an empty variable counts as unset (AWX injects '' for a blank field)."""
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def env(*names):
    """An environment fallback: used only when the option was not given at all."""
    return (_env_fallback, list(names))


# The shared connection options; documented in the tokensmith.auth.connection doc fragment. Every face reads the same
# environment variables for them (the lookup through its PLUGINS fragment).
CONNECTION_ARGSPEC = dict(
    validate_certs=dict(type='bool', default=True, fallback=env('TOKENSMITH_VALIDATE_CERTS')),
    ca_path=dict(type='path', fallback=env('TOKENSMITH_CA_PATH')),
    client_cert=dict(type='path', fallback=env('TOKENSMITH_CLIENT_CERT')),
    client_key=dict(type='path', fallback=env('TOKENSMITH_CLIENT_KEY')),
    timeout=dict(type='float', default=30.0, fallback=env('TOKENSMITH_TIMEOUT')),
    retries=dict(type='int', default=3, fallback=env('TOKENSMITH_RETRIES')),
    use_proxy=dict(type='bool', default=True, fallback=env('TOKENSMITH_USE_PROXY')),
    allow_plain_http=dict(type='bool', default=False, fallback=env('TOKENSMITH_ALLOW_PLAIN_HTTP')),
)
# A token's life left to be reused: the same variable for every provider and face.
MIN_TTL_ENV = 'TOKENSMITH_MIN_TTL'


def require(options, names, argspec, error, step=None):
    """Fail on the first of the options ``names`` that nothing set, naming the environment variable it falls back
    to (from ``argspec``) and where the environment was read: a module reads the host that runs it (a managed node
    does not see the controller's environment); the lookup - and the roles, which use it - the controller's."""
    for name in names:
        if not options.get(name):
            variable = argspec[name]['fallback'][1][0]
            if options.face == 'lookup':
                hint = ('Give %s (the role variable %s_%s, or the lookup\'s %s argument or tokensmith_%s_%s variable), or '
                        'set %s in the environment of the controller (%s), where the lookup runs'
                        % (name, options.provider, name, name, options.provider, name, variable, socket.gethostname()))
            else:
                hint = ('Set %s, or the %s environment variable on the host that runs this module (%s); a module on a '
                        'managed node does not see the controller\'s environment: delegate it to localhost or give the '
                        'option' % (name, variable, socket.gethostname()))
            raise error('%s is required' % name, step, hint)


def refuse_containers(values, names):
    """Text options given as a list or a mapping: Ansible would quietly send their str(), or print them."""
    for name in names:
        value = values.get(name)
        if check_kind(name) in TEXT_KINDS and isinstance(value, (dict, list, tuple, set)):
            raise TokenError('%s must be a string, not %s' % (name, _kind(value)),
                             hint='Pass a single string (quote it in YAML); the value is not shown')


def has_control_character(value):
    return not _CONTROL.isdisjoint(value)


def check_text(name, value, what=None):
    """A credential or token that will travel in a request: printable text, named but never shown when wrong."""
    what = what or name
    if has_control_character(value):
        trailing = value != value.rstrip('\r\n')
        raise TokenError('%s holds %s' % (what, 'a trailing newline' if trailing else 'a control character'),
                         hint='Remove it, for example with "| trim" (a YAML | block or a file adds a newline); '
                              'the value is not shown')


def check_verbatim(name, value, what=None):
    """A credential sent in a header exactly as given: printable ASCII only."""
    check_text(name, value, what)
    if not (value.isascii() and value.isprintable()) or ' ' in value:  # printable ASCII is \x20-\x7e
        raise TokenError('%s holds a space or a character outside printable ASCII, which cannot be sent verbatim in '
                         'an HTTP header' % (what or name),
                         hint='Copy it again, whole and exactly as the provider shows it; the value is not shown')


def _check_number(name, value, low, high, low_allowed):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TokenError('%s must be a number, not %s' % (name, _kind(value)))
    if value < low or value > high or (value == low and not low_allowed):
        raise TokenError('%s must be %s %s and at most %s, not %s'
                         % (name, 'at least' if low_allowed else 'greater than', low, high, value))


def _check_url(name, value):
    netloc = urlsplit(value).netloc
    if '@' in netloc:
        raise TokenError('%s must not carry credentials before the host (user:password@): they would be logged with '
                         'the URL' % name,
                         hint='Remove them from the URL and give them in the credential options; the URL is not shown')


def check_options(values, names):
    """Every check of CHECKS that applies to ``names``; the first failure raises a clear TokenError."""
    refuse_containers(values, names)
    for name in names:
        value = values.get(name)
        if value is None or name not in CHECKS:
            continue
        check = CHECKS[name]
        kind = check.kind
        if kind == 'number':
            _check_number(name, value, check.low, check.high, check.low_allowed)
        elif not isinstance(value, str):
            continue  # numbers given for text options: Ansible made them text already, or will
        elif kind == 'url':
            _check_url(name, value)
        elif kind == 'credential':
            check_text(name, value)
        elif kind == 'verbatim':
            check_verbatim(name, value)


class Options:
    """Option values by name, whether they came from ``module.params`` or a plugin's ``get_option``.

    An empty string counts as unset, as AWX credential injectors and blank environment variables give it.
    """

    def __init__(self, values, face='module', provider=None):
        self._values = dict(values)
        self.face = face          # where the values came from: a module's parameters, or the lookup's options
        self.provider = provider  # the lookup's term, for messages that name its variables

    @classmethod
    def from_ansible_module(cls, module):
        check_options(module.params, module.params)
        return cls(module.params)

    @classmethod
    def from_ansible_plugin(cls, plugin, names, provider=None):
        options = cls(((name, plugin.get_option(name)) for name in names), face='lookup', provider=provider)
        check_options(options._values, names)
        return options

    def get(self, name, default=None):
        value = self._values.get(name)
        return default if value is None or value == '' else value

    def __getitem__(self, name):
        return self._values[name]
