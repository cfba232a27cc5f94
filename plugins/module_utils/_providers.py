# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The provider contract: one registry line per provider, and the base class its file implements.

The registry says what the lookup needs on a cache hit (what tells one credential from another, what is
secret, how long a token must live to be reused), so a hit never imports a provider's flow. Everything else
is the provider's own file: one subclass of :class:`Provider` there (``PROVIDER = Nexla()``), which the modules
(``serve``) and the lookup use through :func:`load` and the methods below only. A fourth provider is one
file and one line in ``PROVIDERS``.
"""

import importlib
from collections import namedtuple

from ansible_collections.tokensmith.auth.plugins.module_utils._token import TOKEN_FIELDS, Token

# module: the provider's file under module_utils; identity: the options that tell one credential from another
# (the lookup's cache identity); secrets: its secret options (each a no_log option of its argspec; a unit test
# keeps them so); default_min_ttl: the seconds of life a token must keep to be reused when none is asked.
Declared = namedtuple('Declared', 'module identity secrets default_min_ttl')

PROVIDERS = {
    'nexla': Declared('_nexla', ('api_url',), ('service_key',), 300),
    'nuvy': Declared('_nuvy', ('token_url', 'client_id', 'scope', 'auth_method'), ('client_secret',), 60),
    'nexus': Declared('_nexus', ('url', 'username', 'api_version'), ('password',), 60),
}


def min_ttl(name, options):
    """The seconds of life a token of provider ``name`` must keep to be reused: as asked, else the default."""
    value = options.get('min_ttl')
    return PROVIDERS[name].default_min_ttl if value is None else value


def load(name):
    """The provider named ``name`` (a key of ``PROVIDERS``), its file imported now."""
    return importlib.import_module('ansible_collections.tokensmith.auth.plugins.module_utils.'
                                   + PROVIDERS[name].module).PROVIDER


class Provider:
    """One provider's flow as the modules and the lookup see it.

    A subclass sets ``name``, ``fact`` and ``argspec`` and implements :meth:`fetch` (and :meth:`absent` where
    its module can end a token); the reuse rule (:meth:`obtain`) and the module's present / absent skeleton
    (:meth:`run`) are written here once.
    """

    name = None            # the key in PROVIDERS, the lookup's term, the HTTP client's label
    fact = None            # the fact a module registers
    argspec = {}           # the module's own options (the connection options are added by TokenModule)
    handed_back = ('token',)  # the options that carry a token handed back for reuse (no_log, yet returned)

    def min_ttl(self, options):
        return min_ttl(self.name, options)

    def obtain(self, options, http, token=None, renew=False, refresh=False, check_mode=False):
        """A token valid for min_ttl: ``token`` itself while it is, else :meth:`fetch`'s; ``(token, outcome)``.

        ``renew``: a server refused ``token``, so a new one whatever its expiry says. ``refresh``: refresh it
        now (where the provider can). ``check_mode``: nothing that lasts may change.
        """
        if not (renew or refresh) and token is not None and token.is_valid(self.min_ttl(options)):
            return token, dict(source='reused')
        return self.fetch(options, http, token, renew=renew, refresh=refresh, check_mode=check_mode)

    def fetch(self, options, http, token, renew, refresh, check_mode):
        """A token from the provider (``token``: the one held now, for a refresh); ``(token, outcome)``."""
        raise NotImplementedError

    def fields(self, token=None):
        """The token as the module and the lookup's ``output=token`` return it (every field null for none)."""
        return token.to_dict() if token is not None else dict.fromkeys(TOKEN_FIELDS)

    def result(self, token, register_fact, **extra):
        """A module's result: the token's fields, and the same fields as a fact when asked."""
        result = dict(self.fields(token), **extra)
        if register_fact:
            result['ansible_facts'] = {self.fact: self.fields(token)}
        return result

    def run(self, options, http, check_mode=False):
        """The module's whole behaviour, as a result dict: state ``absent`` ends the token handed back; any
        other state obtains one (``refreshed``: refreshing it now)."""
        token = Token.from_input(options.get('token'))
        state = options.get('state')
        if state == 'absent':
            return self.absent(options, http, token, check_mode)
        token, outcome = self.obtain(options, http, token, refresh=state == 'refreshed', check_mode=check_mode)
        return self.result(token, options.get('register_fact', False), changed=False, **outcome)

    def absent(self, options, http, token, check_mode):
        raise NotImplementedError
