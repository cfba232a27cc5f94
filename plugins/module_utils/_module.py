# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The base of every module: shared options, secret hygiene, and failures as one clean line."""

import socket
import sys
import traceback
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import Redactor, TokenError, unexpected
from ansible_collections.tokensmith.auth.plugins.module_utils._http import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, HttpClient)
from ansible_collections.tokensmith.auth.plugins.module_utils._options import (
    CHECKS, CONNECTION_ARGSPEC, TEXT_KINDS, Options, check_kind, refuse_containers)


def _leaves(value):
    """Every scalar inside ``value``, as text: what AnsibleModule masks for a no_log option."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield str(value)


class TokenModule(AnsibleModule):
    """An AnsibleModule with the shared connection options and the token-reuse masking fixed.

    AnsibleModule masks, anywhere in the result, every value equal to part of a no_log option. A
    token handed back for reuse (``handed_back`` options) would come out as
    ``VALUE_SPECIFIED_IN_NO_LOG_PARAMETER``, and so would any field equal to one of its parts
    ("Bearer", its expiry...). So ``invocation`` is masked once, up front, and only then are the
    handed-back values dropped from the mask list; real secrets stay masked everywhere.
    """

    def __init__(self, argument_spec, handed_back=('token',), **kwargs):
        spec = dict(CONNECTION_ARGSPEC)
        spec.update(argument_spec)
        super().__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:  # before anything uses it, with where and how to install it
            self.fail_json(msg=missing_requests(), exception=str(REQUESTS_IMPORT_ERROR))
        self._mask_refused_inputs()
        # invocation is masked now, with every no_log value; only then may handed-back tokens leave the mask.
        self._invocation = {'module_args': remove_values(self.params, self.no_log_values)}
        secrets = self._unmask_handed_back(spec, handed_back)
        self.redactor = self._redactor_for(secrets, handed_back)
        try:
            refuse_containers(self._given, spec)  # a text option given as a list or mapping, by name only
            self.options = Options.from_ansible_module(self)
        except TokenError as err:
            self.fail_json(msg=str(err))

    def _unmask_handed_back(self, spec, handed_back):
        """Drop from the mask list what only a handed-back token holds (so the result can carry the token and
        its parts); what a real secret also holds stays masked. Returns the real secrets' values."""
        secrets = set()
        for name, option in spec.items():
            if option.get('no_log') and name not in handed_back:
                secrets.update(_leaves(self.params.get(name)))
        returned = set()
        for name in handed_back:
            returned.update(_leaves(self.params.get(name)))
        self.no_log_values.difference_update(returned - secrets)
        return secrets

    def _redactor_for(self, secrets, handed_back):
        """What errors and warnings must never show: every secret, and the handed-back tokens too (a token is
        returned only where the user asked for it, never inside a message)."""
        redactor = Redactor(secrets | self.no_log_values)
        for name in handed_back:
            token = self.params.get(name)
            redactor.add(token.get('access_token') if isinstance(token, dict) else token)
        return redactor

    def _mask_refused_inputs(self):
        """Credentials in a URL's userinfo, and text options given as a list or mapping (which Ansible quietly
        turned into their str()), are refused once the module is set up; until then, and in ``invocation``,
        they are masked like any secret."""
        for name, value in self._given.items():
            if check_kind(name) in TEXT_KINDS:
                self.no_log_values.update(_leaves(value), value if isinstance(value, list) else value.keys(),
                                          [str(self.params.get(name))])
        for name, check in CHECKS.items():
            url = str(self.params.get(name) or '')
            netloc = urlsplit(url).netloc if check.kind == 'url' else ''
            if '@' in netloc:
                userinfo = netloc.rpartition('@')[0]
                self.no_log_values.update(value for value in (url, userinfo, userinfo.partition(':')[2]) if value)

    def _load_params(self):
        # The one private method overridden, as no public way gives the task's arguments before type conversion
        # (which turns a list given for a text option into its str(), secrets included).
        super()._load_params()
        # What the task gave, before type conversion turns a list into its str() (refused for text options).
        self._given = dict((name, value) for name, value in self.params.items() if isinstance(value, (dict, list)))

    def http(self, provider):
        """The shared HTTP client for one provider flow, reporting through this module."""
        return HttpClient(self.options, provider, self.redactor, self.warn)

    def exit_json(self, **kwargs):
        kwargs.setdefault('invocation', getattr(self, '_invocation', None) or {'module_args': self.params})
        super().exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        redactor = getattr(self, 'redactor', None)
        if redactor:
            msg = redactor(msg)
            if 'exception' in kwargs:
                kwargs['exception'] = redactor(kwargs['exception'])
        if hasattr(self, '_invocation'):
            kwargs.setdefault('invocation', self._invocation)
        super().fail_json(msg=msg, **kwargs)

    def run(self, flow):
        """Run ``flow()`` and exit with its result dict, or fail with one clean line."""
        try:
            result = flow()
        except TokenError as err:
            self.fail_json(msg=str(err))
        except Exception as err:  # pylint: disable=broad-except  # a bug must not leak secrets either
            self.fail_json(msg=unexpected(err), exception=traceback.format_exc())
        else:
            self.exit_json(**result)


def missing_requests():
    """Which host and interpreter lack requests, and how to get it there."""
    return ('the Python library requests is missing on %s for %s (Python %d.%d): install it there - Debian\'s or '
            'Ubuntu\'s python3-requests, or pip install requests for that interpreter (a virtualenv where the system '
            'Python is externally managed), or set ansible_python_interpreter to a Python that has it'
            % (socket.gethostname(), sys.executable, sys.version_info[0], sys.version_info[1]))


def serve(provider):
    """The whole main() of a provider's module (``provider``: its :class:`Provider`): its options, its flow,
    one clean exit."""
    module = TokenModule(argument_spec=provider.argspec, supports_check_mode=True, handed_back=provider.handed_back)
    module.run(lambda: provider.run(module.options, module.http(provider.name), module.check_mode))
