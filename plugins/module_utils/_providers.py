# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""What the collection knows of each provider before running its flow.

Where the flow is, what tells one credential from another (the lookup's cache identity), what is secret about
it, and how many seconds of life a token must keep to be reused by default. The lookup reads only this on a
cache hit, so a hit never imports a provider's flow.
"""

from collections import namedtuple


class Provider(namedtuple('Provider', 'module identity secrets default_min_ttl')):
    def min_ttl(self, options):
        """The seconds of life a token must keep to be reused: what the caller asked for, else the default."""
        value = options.get('min_ttl')
        return self.default_min_ttl if value is None else value


PROVIDERS = {
    'nexla': Provider('_nexla', ('api_url',), ('service_key',), 300),
    'nuvy': Provider('_nuvy', ('token_url', 'client_id', 'scope', 'auth_method'), ('client_secret',), 60),
    'nexus': Provider('_nexus', ('url', 'username', 'api_version'), ('password',), 60),
}
