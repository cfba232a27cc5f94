# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""One option layer for modules and the lookup: the argument specs, and a read-only view of values."""

from ansible.module_utils.basic import env_fallback

# The shared connection options; documented in the tokensmith.auth.connection doc fragment.
CONNECTION_ARGSPEC = dict(
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path'),
    client_cert=dict(type='path'),
    client_key=dict(type='path'),
    timeout=dict(type='float', default=30.0),
    retries=dict(type='int', default=3),
    use_proxy=dict(type='bool', default=True),
    allow_plain_http=dict(type='bool', default=False),
)


def env(*names):
    """An environment fallback: used only when the option was not given at all."""
    return (env_fallback, list(names))


class Options:
    """Option values by name, whether they came from ``module.params`` or a plugin's ``get_option``."""

    def __init__(self, values):
        self._values = dict(values)

    @classmethod
    def from_ansible_module(cls, module):
        return cls(module.params)

    @classmethod
    def from_ansible_plugin(cls, plugin, names):
        return cls((name, plugin.get_option(name)) for name in names)

    def get(self, name, default=None):
        value = self._values.get(name)
        return default if value is None else value

    def __getitem__(self, name):
        return self._values[name]
