# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The token lookup's work: the provider flows of the modules, behind the controller-side cache."""

import base64
import time

from ansible_collections.tokensmith.auth.plugins.module_utils import _nexla, _nexus, _nuvy
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import Redactor, TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._options import CONNECTION_ARGSPEC, Options
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token
from ansible_collections.tokensmith.auth.plugins.plugin_utils._cache import TokenCache, default_cache_dir

PROVIDERS = {'nexla': _nexla, 'nuvy': _nuvy, 'nexus': _nexus}
OUTPUTS = ('secret', 'header', 'token')
LOOKUP_OPTIONS = ('output', 'cache', 'cache_dir', 'min_ttl', 'renew')
HOLD_MAX = 60  # seconds a token that came back already under min_ttl is served before asking again


def option_names(provider):
    """The options the lookup reads for ``provider``: its identity and secrets, and the shared ones."""
    return tuple(provider.IDENTITY) + tuple(provider.SECRETS) + tuple(CONNECTION_ARGSPEC) + LOOKUP_OPTIONS


def render(token, output):
    """The bare secret, or (``header``) a ready Authorization value."""
    if output == 'header':
        if token.token_type == 'Basic':
            return 'Basic ' + base64.b64encode(token.access_token.encode('utf-8')).decode('ascii')
        return 'Bearer ' + token.access_token
    return token.access_token


class TokenLookup:
    """One lookup of one provider's token for ``plugin`` (its options); ``warn`` receives redacted warnings."""

    def __init__(self, provider_name, plugin, warn):
        if provider_name not in PROVIDERS:
            raise TokenError('unknown provider %r' % (provider_name,), hint='Use one of: %s' % ', '.join(sorted(PROVIDERS)))
        self.name = provider_name
        self.provider = PROVIDERS[provider_name]
        self.options = Options.from_ansible_plugin(plugin, option_names(self.provider))
        output = self.options.get('output', 'secret')
        if output not in OUTPUTS:
            raise TokenError('output must be one of %s, not %r' % (', '.join(OUTPUTS), output))
        self.output = output
        self.secrets = [self.options.get(name) or '' for name in self.provider.SECRETS]
        self.warn = warn
        self.redactor = Redactor(self.secrets)
        renew = self.options.get('renew')
        self.redactor.add(*(renew.values() if isinstance(renew, dict) else [renew]))
        self._http = None

    @property
    def http(self):
        # Built on first use: a cache hit needs no HTTP client, and a forked worker then never imports requests.
        if self._http is None:
            from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient  # pylint: disable=import-outside-toplevel
            self._http = HttpClient(self.options, self.provider.PROVIDER, self.redactor, self.warn)
        return self._http

    def identity(self):
        return [self.name] + [self.options.get(name) for name in self.provider.IDENTITY]

    def token(self):
        """A valid token, from the cache when it holds one, else from the provider (stored for the others).

        ``renew`` (an option) is True to get a new token whatever the cache holds, or the token (or header)
        a server refused: then only while the cache still holds that one, so many hosts that saw the same
        dead token cause one new request.
        """
        renew = self.options.get('renew')
        cache = None
        secret = '\0'.join(self.secrets)
        if self.options.get('cache', True) and secret.strip('\0'):
            cache = TokenCache.open(self.options.get('cache_dir') or default_cache_dir(), self.warn)
        if cache is None:
            return self.provider.obtain(self.options, self.http, renew=bool(renew))[0]
        identity = self.identity()
        stored = cache.peek(identity, secret)
        token = self._usable(stored)
        if token is not None and not self._refused(token, renew):
            return token
        with cache.entry(identity, secret) as entry:
            stored = entry.load()
            current = self._token_from(stored)
            token = self._usable(stored)  # whoever held the lock before us may have fetched it: single flight
            if token is not None and not self._refused(token, renew):
                return token
            token, _outcome = self.provider.obtain(self.options, self.http, current,
                                                   renew=current is not None and self._refused(current, renew))
            entry.store(self._entry(token), token.expires_at)
            return token

    def _refused(self, token, renew):
        """Whether ``renew`` asks to replace ``token``: always for True, else when it is the refused one."""
        if renew is True or not renew:
            return bool(renew)
        if isinstance(renew, dict):
            renew = renew.get('access_token') or '%s:%s' % (renew.get('name_code'), renew.get('pass_code'))
        return str(renew) in (render(token, 'secret'), render(token, 'header'))

    def _token_from(self, stored):
        try:
            token = Token.from_input(stored.get('token')) if isinstance(stored, dict) else None
        except TokenError:
            return None
        if token is not None:
            self.redactor.add(token.access_token)
        return token

    def _entry(self, token):
        """What the cache keeps: the token, and how long to hold one that came back already short-lived."""
        entry = {'token': token.to_dict()}
        if not token.is_valid(self.provider.min_ttl(self.options)):
            # The provider can do no better right now (a Nexus token near its server-side expiry, an OAuth
            # server issuing tokens shorter than min_ttl): hold it for a while instead of asking per lookup.
            entry['hold_until'] = time.time() + max(1.0, min(HOLD_MAX, (token.remaining() or 0) / 2))
        return entry

    def _usable(self, stored):
        token = self._token_from(stored)
        if token is None:
            return None
        if token.is_valid(self.provider.min_ttl(self.options)):
            return token
        held = stored.get('hold_until')
        return token if held and time.time() < held and token.is_valid(0) else None

    def result(self):
        token = self.token()
        return self.provider.fields(token) if self.output == 'token' else render(token, self.output)

    def error(self, err):
        """The one-line, redacted message for a failure."""
        return self.redactor(str(err))
