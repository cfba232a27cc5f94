# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""Nexla: a session token from a service key, refreshed before it ends, logged out when asked."""

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import HttpStatusError
from ansible_collections.tokensmith.auth.plugins.module_utils._options import env
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token, effective_min_ttl, module_result

PROVIDER = 'nexla'
DEFAULT_API_URL = 'https://dataops.nexla.io/nexla-api'
ACCEPT = 'application/vnd.nexla.api.v1+json'
DEFAULT_EXPIRES_IN = 3600  # Nexla sessions last about an hour; used only when expires_in is missing
DEFAULT_MIN_TTL = 300
FACT = 'nexla_token'
# What tells one credential from another (for the lookup's cache), and what is secret about it.
IDENTITY = ('api_url',)
SECRETS = ('service_key',)

ARGSPEC = dict(
    api_url=dict(type='str', default=DEFAULT_API_URL, fallback=env('NEXLA_API_URL')),
    service_key=dict(type='str', no_log=True, fallback=env('NEXLA_SERVICE_KEY')),
    token=dict(type='raw', no_log=True),
    state=dict(type='str', default='present', choices=['present', 'refreshed', 'absent']),
    min_ttl=dict(type='int', default=DEFAULT_MIN_TTL),
    register_fact=dict(type='bool', default=True),
)

KEY_REJECTED = ('The service key was rejected: it may be revoked, or belong to another Nexla environment than '
                'api_url. Check service_key (or NEXLA_SERVICE_KEY) and api_url')
SESSION_ENDED = ('The session token has expired or was logged out, and no service_key is set to log in again: set '
                 'service_key (or NEXLA_SERVICE_KEY), or copy a fresh token from the Nexla UI')


def _public(data):
    """The account fields worth returning; never the user's or the org membership's api_key."""
    user = data.get('user') if isinstance(data.get('user'), dict) else {}
    org = data.get('org') if isinstance(data.get('org'), dict) else {}
    membership = data.get('org_membership') if isinstance(data.get('org_membership'), dict) else {}
    return dict(user=dict(id=user.get('id'), email=user.get('email'), full_name=user.get('full_name')),
                org=dict(id=org.get('id', membership.get('org_id')), name=org.get('name')))


class NexlaFlow:
    def __init__(self, options, http):
        self.http = http
        self.api_url = str(options.get('api_url')).rstrip('/')
        self.service_key = options.get('service_key')
        http.redactor.add(self.service_key)

    def _post(self, step, path, authorization, decode=True):
        # Nexla wants an empty POST (Content-Length: 0, which requests sends for a body-less POST).
        headers = {'Authorization': authorization, 'Accept': ACCEPT}
        if decode:
            return self.http.json(step, 'POST', self.api_url + path, headers=headers)
        return self.http.request(step, 'POST', self.api_url + path, headers=headers)

    def _session(self, step, path, authorization):
        data, sent_at = self._post(step, path, authorization)
        membership = data.get('org_membership') if isinstance(data.get('org_membership'), dict) else {}
        user = data.get('user') if isinstance(data.get('user'), dict) else {}
        self.http.redactor.add(data.get('access_token'), user.get('api_key'), membership.get('api_key'))
        if not data.get('access_token'):
            raise self.http.error('Nexla answered without an access_token', step,
                                  'Check that api_url points at the Nexla API (it ends in /nexla-api for the '
                                  'hosted service)')
        return Token.from_response(data, sent_at, DEFAULT_EXPIRES_IN, extra=_public(data))

    def login(self):
        step = 'login'
        if not self.service_key:
            raise self.http.error('no token to reuse and no service_key to log in with', step,
                                  'Set service_key (or NEXLA_SERVICE_KEY), or pass a session token in token')
        try:
            # The key goes after "Basic " verbatim: it is not user:password and must not be encoded again.
            return self._session(step, '/token', 'Basic ' + self.service_key)
        except HttpStatusError as err:
            if err.status == 401:
                err.hint = KEY_REJECTED
            raise

    def refresh(self, token):
        """Refresh, or log in with the key when refresh is refused; ``(token, source)``."""
        try:
            fresh = self._session('refresh', '/token/refresh', 'Bearer ' + token.access_token)
        except HttpStatusError as err:
            if err.status not in (401, 404):
                raise
            if not self.service_key:
                err.hint = SESSION_ENDED
                raise
            return self.login(), 'issued'
        # Refresh restarts the session's clock; the account fields stay what the token had.
        fresh.extra = dict(token.extra, **dict((k, v) for k, v in fresh.extra.items() if any(v.values())))
        return fresh, 'refreshed'

    def logout(self, token):
        """True when a live session ended; False when it was already dead."""
        try:
            self._post('logout', '/token/logout', 'Bearer ' + token.access_token, decode=False)
        except HttpStatusError as err:
            if err.status in (400, 401):
                return False
            raise
        return True


def obtain(options, http, token=None, refresh=False):
    """A session valid for min_ttl: reuse, else refresh (log in if refused), else log in; ``(token, source)``."""
    if not refresh and token is not None and token.is_valid(min_ttl(options)):
        return token, 'reused'
    flow = NexlaFlow(options, http)
    if token is not None:
        return flow.refresh(token)
    return flow.login(), 'issued'


def min_ttl(options):
    return effective_min_ttl(options, DEFAULT_MIN_TTL)


# The token as the module returns it (for Nexla with user and org).
fields = Token.to_dict


def run(options, http, check_mode=False):
    token = Token.from_input(options.get('token'))
    state = options.get('state')
    if state == 'absent':
        flow = NexlaFlow(options, http)
        if token is None:
            raise http.error('state=absent needs the session token to log out', 'logout',
                             'Pass the token (or the registered result) in the token option')
        if check_mode:
            alive = token.remaining() is None or token.remaining() > 0
            return dict(changed=alive, msg='The session would be logged out (check mode)' if alive else
                        'The session has already expired')
        ended = flow.logout(token)
        return dict(changed=ended, msg='Logged out' if ended else 'The session was already invalid')
    token, source = obtain(options, http, token, refresh=state == 'refreshed')
    return module_result(fields(token), FACT, options.get('register_fact', True), changed=False, source=source)
