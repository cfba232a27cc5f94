# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The token lookup's work: the provider flows of the modules, behind the controller-side cache."""

import base64

from ansible_collections.tokensmith.auth.plugins.module_utils import _nexla, _nexus, _nuvy
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import Redactor, TokenError
from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient
from ansible_collections.tokensmith.auth.plugins.module_utils._options import CONNECTION_ARGSPEC, Options
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token
from ansible_collections.tokensmith.auth.plugins.plugin_utils._cache import TokenCache, default_cache_dir

PROVIDERS = {'nexla': _nexla, 'nuvy': _nuvy, 'nexus': _nexus}
OUTPUTS = ('secret', 'header', 'token')
LOOKUP_OPTIONS = ('output', 'cache', 'cache_dir', 'min_ttl')


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
    """One lookup of one provider's token; ``warn`` receives (redacted) warnings."""

    def __init__(self, provider_name, get_option, warn):
        if provider_name not in PROVIDERS:
            raise TokenError('unknown provider %r' % (provider_name,), hint='Use one of: %s' % ', '.join(sorted(PROVIDERS)))
        self.name = provider_name
        self.provider = PROVIDERS[provider_name]
        self.options = Options((name, get_option(name)) for name in option_names(self.provider))
        output = self.options.get('output', 'secret')
        if output not in OUTPUTS:
            raise TokenError('output must be one of %s, not %r' % (', '.join(OUTPUTS), output))
        self.output = output
        self.secrets = [self.options.get(name) or '' for name in self.provider.SECRETS]
        self.warn = warn
        self.http = HttpClient(self.options, self.provider.PROVIDER, Redactor(self.secrets), warn)

    def identity(self):
        return [self.name] + [self.options.get(name) for name in self.provider.IDENTITY]

    def token(self):
        """A valid token, from the cache when it holds one, else from the provider (stored for the others)."""
        cache = None
        secret = '\0'.join(self.secrets)
        if self.options.get('cache', True) and secret.strip('\0'):
            cache = TokenCache.open(self.options.get('cache_dir') or default_cache_dir(), self.warn)
        if cache is None:
            return self.provider.obtain(self.options, self.http)[0]
        identity = self.identity()
        token = self._valid(cache.peek(identity, secret))
        if token is not None:
            return token
        with cache.entry(identity, secret) as entry:
            # Whoever held the lock before us may have fetched it already: single flight.
            stored = self._token_from(entry.load())
            token, source = self.provider.obtain(self.options, self.http, stored)
            if source != 'reused':
                entry.store(token.to_dict())
            return token

    def _token_from(self, data):
        try:
            token = Token.from_input(data) if data else None
        except TokenError:
            return None
        if token is not None:
            self.http.redactor.add(token.access_token)
        return token

    def _valid(self, data):
        token = self._token_from(data)
        return token if token is not None and token.is_valid(self.provider.min_ttl(self.options)) else None

    def result(self):
        token = self.token()
        return self.provider.fields(token) if self.output == 'token' else render(token, self.output)

    def error(self, err):
        """The one-line, redacted message for a failure."""
        return self.http.redactor(str(err))
