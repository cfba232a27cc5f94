# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The token lookup's work: the provider flows of the modules, behind the controller-side caches.

Ansible evaluates a lookup in a freshly forked worker for every task and host, so what a cache hit costs is
paid thousands of times: a hit imports only the cache and the cipher. A provider's flow (and requests) is
imported when a token must be fetched, and only that provider's.
"""

import contextlib
import time

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import CheckModeStop, Redactor, TokenError, b64_text
from ansible_collections.tokensmith.auth.plugins.module_utils._options import CONNECTION_ARGSPEC, Options
from ansible_collections.tokensmith.auth.plugins.module_utils._providers import PROVIDERS, load, min_ttl
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token
from ansible_collections.tokensmith.auth.plugins.plugin_utils._cache import StoreDown, open_caches

OUTPUTS = ('secret', 'header', 'token')
CACHE_OPTIONS = ('cache', 'cache_dir', 'cache_url', 'cache_key', 'cache_password', 'cache_sentinel_password',
                 'cache_ca_path', 'cache_cluster')
LOOKUP_OPTIONS = ('output', 'min_ttl', 'renew', 'on_error') + CACHE_OPTIONS
HOLD_MAX = 60  # seconds a token that came back already under min_ttl is served before asking again
HOLD_EXPIRED = 10  # seconds a token that came back with no life at all (expires_in: 0) is served
NAMESPACE = 'tokensmith_'  # the lookup's play variables: tokensmith_<option>, tokensmith_<provider>_<option>
DOCS_HINT = 'ansible-doc -t lookup tokensmith.auth.token lists the options and the variables that set them'


def option_names(declared):
    """The options the lookup reads for a provider: its identity and secrets, and the shared ones."""
    return declared.identity + declared.secrets + tuple(CONNECTION_ARGSPEC) + LOOKUP_OPTIONS


def _closest(name, candidates):
    import difflib  # pylint: disable=import-outside-toplevel  # only on this error path: a hit never pays for it
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return ' (did you mean %s?)' % close[0] if close else ''


def refuse_unknown(terms, keywords, variables, defined, sources):
    """Refuse, by name and before anything is sent: a keyword the lookup does not define, a keyword that none of the
    terms' providers reads, and a play variable in the lookup's namespace (tokensmith_...) that sets no option.

    Ansible's set_options drops unknown keywords silently: a misspelt token_url would leave the default, production
    URL in place and send the credentials there. ``defined``: the option names; ``sources``: variable -> option.
    """
    options = set(name for name in defined if not name.startswith('_'))
    for name in sorted(keywords):
        if name not in options:
            raise TokenError('unknown option %s%s' % (name, _closest(name, options)), hint=DOCS_HINT)
    providers = [term for term in terms if term in PROVIDERS]
    for name in sorted(keywords):
        if providers and not any(name in option_names(PROVIDERS[term]) for term in providers):
            owners = sorted(term for term in PROVIDERS if name in option_names(PROVIDERS[term]))
            raise TokenError('%s is not an option of %s (it is one of %s)'
                             % (name, ' or '.join(providers), ' and '.join(owners)),
                             hint='Remove it, or add that provider to the terms')
    for name in sorted(variables):
        if name.startswith(NAMESPACE) and name not in sources:
            raise TokenError('unknown variable %s: the lookup reads the %s* variables and this one sets no option%s'
                             % (name, NAMESPACE, _closest(name, sources)), hint=DOCS_HINT)


def render(token, output):
    """The bare secret, or (``header``) a ready Authorization value."""
    if output == 'header':
        if token.token_type == 'Basic':
            return 'Basic ' + b64_text(token.access_token)
        return 'Bearer ' + token.access_token
    return token.access_token


class TokenLookup:
    """One lookup of one provider's token for ``plugin`` (its options); ``warn`` receives redacted warnings."""

    def __init__(self, provider_name, plugin, warn, check_mode=False):
        if provider_name not in PROVIDERS:
            raise TokenError('unknown provider %r' % (provider_name,), hint='Use one of: %s' % ', '.join(sorted(PROVIDERS)))
        self.name = provider_name
        self.declared = PROVIDERS[provider_name]
        self.options = Options.from_ansible_plugin(plugin, option_names(self.declared), provider_name)
        output = self.options.get('output', 'secret')
        if output not in OUTPUTS:
            raise TokenError('output must be one of %s, not %r' % (', '.join(OUTPUTS), output))
        self.output = output
        self.secrets = [self.options.get(name) or '' for name in self.declared.secrets]
        self.redactor = Redactor(self.secrets)
        renew = self.options.get('renew')
        self.redactor.add(*(renew.values() if isinstance(renew, dict) else [renew]))
        self.redactor.add(self.options.get('cache_key'), self.options.get('cache_password'),
                          self.options.get('cache_sentinel_password'))
        self.warn = lambda message: warn(self.redactor(message))
        self.check_mode = check_mode
        self._http = None
        self._provider = None

    @property
    def provider(self):
        """The provider's flow, imported when a token must be fetched (or its fields returned)."""
        if self._provider is None:
            self._provider = load(self.name)
        return self._provider

    @property
    def http(self):
        # Built on first use: a cache hit needs no HTTP client, and a forked worker then never imports requests.
        if self._http is None:
            from ansible_collections.tokensmith.auth.plugins.module_utils._http import HttpClient  # pylint: disable=import-outside-toplevel
            self._http = HttpClient(self.options, self.name, self.redactor, self.warn)
        return self._http

    def identity(self):
        return [self.name] + [self.options.get(name) for name in self.declared.identity]

    def token(self):
        """A valid token and where it came from: from the first cache that holds one (the local one, then the
        shared one), else from the provider; what is fetched is stored in every cache on the way back.

        ``renew`` (an option) is True to get a new token whatever the caches hold, or the token (or header)
        a server refused: then only while the caches still hold that one, so many hosts that saw the same
        dead token cause one new request. Returns ``(token, source)``, source ``cached`` or the provider's.
        """
        secret = '\0'.join(self.secrets)
        caches = open_caches(self.options, self.warn) if secret.strip('\0') else []
        return self._through(caches, self.identity(), secret, self.options.get('renew'))

    def _through(self, caches, identity, secret, renew, current=None):
        """The token from ``caches[0]`` or, holding its lock (single flight), from the rest; ``current`` is the
        token an outer cache held, for the provider to refresh or renew."""
        if not caches:
            refused = renew is True or (current is not None and self._refused(current, renew))
            token, outcome = self.provider.obtain(self.options, self.http, current, renew=refused,
                                                  check_mode=self.check_mode)
            return token, outcome['source']
        cache, rest = caches[0], caches[1:]
        try:
            token = self._usable(cache.peek(identity, secret))
            if token is not None and not self._refused(token, renew):
                return token, 'cached'
            with cache.entry(identity, secret) as entry:
                stored = entry.load()
                token = self._usable(stored)  # whoever held the lock before us may have fetched it
                if token is not None and not self._refused(token, renew):
                    return token, 'cached'
                token, source = self._through(rest, identity, secret, renew, self._token_from(stored) or current)
                with contextlib.suppress(StoreDown):  # the token is fetched; a store that fails now is reported
                    entry.store(self._entry(token), token.expires_at)
                return token, source
        except StoreDown:  # this cache failed (reported once); carry on with the others
            return self._through(rest, identity, secret, renew, current)

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
        """What the cache keeps: the token (its expiry in epoch seconds, read back without parsing a date), and
        how long to hold one that came back already short-lived."""
        entry = {'token': dict(token.to_dict(), expires_at=token.expires_at)}
        if not token.is_valid(min_ttl(self.name, self.options)):
            # The provider can do no better right now (a Nexus token near its server-side expiry, an OAuth
            # server issuing tokens shorter than min_ttl): hold it for a while instead of asking per lookup.
            remaining = token.remaining() or 0
            hold = HOLD_EXPIRED if remaining <= 0 else max(1.0, min(HOLD_MAX, remaining / 2))
            entry['hold_until'] = time.time() + hold
        return entry

    def _usable(self, stored):
        token = self._token_from(stored)
        if token is None:
            return None
        if token.is_valid(min_ttl(self.name, self.options)):
            return token
        held = stored.get('hold_until')
        return token if held and time.time() < held else None

    def result(self):
        try:
            token, source = self.token()
        except CheckModeStop as err:
            # Nothing that would create, reset or delete a token was asked (and nothing is cached): the play's
            # check mode goes on with empty values, as the module's does.
            self.warn('%s; the lookup returns empty values' % err)
            return dict(self.provider.fields(None), source='check_mode') if self.output == 'token' else ''
        if self.output == 'token':
            return dict(self.provider.fields(token), source=source)
        return render(token, self.output)

    def error(self, err):
        """The one-line, redacted message for a failure."""
        return self.redactor(str(err))
