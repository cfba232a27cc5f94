# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""Nexla: a session token from a service key, refreshed before it ends, logged out when asked."""

from ansible_collections.tokensmith.auth.plugins.module_utils._answer import Answer, token_from_answer
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import HttpStatusError
from ansible_collections.tokensmith.auth.plugins.module_utils._options import MIN_TTL_ENV, env
from ansible_collections.tokensmith.auth.plugins.module_utils._providers import PROVIDERS, Provider

DEFAULT_API_URL = 'https://dataops.nexla.io/nexla-api'
ACCEPT = 'application/vnd.nexla.api.v1+json'
DEFAULT_EXPIRES_IN = 3600  # Nexla sessions last about an hour; used only when expires_in is missing

ARGSPEC = dict(
    api_url=dict(type='str', default=DEFAULT_API_URL, fallback=env('NEXLA_API_URL')),
    service_key=dict(type='str', no_log=True, fallback=env('NEXLA_SERVICE_KEY')),
    token=dict(type='raw', no_log=True),
    state=dict(type='str', default='present', choices=['present', 'refreshed', 'absent']),
    min_ttl=dict(type='int', default=PROVIDERS['nexla'].default_min_ttl, fallback=env(MIN_TTL_ENV)),
    register_fact=dict(type='bool', default=False),
)

KEY_REJECTED = ('The service key was rejected: it may be revoked, or belong to another Nexla environment than '
                'api_url. Check service_key (or NEXLA_SERVICE_KEY) and api_url')
SESSION_ENDED = ('The session token has expired or was logged out, and no service_key is set to log in again: set '
                 'service_key (or NEXLA_SERVICE_KEY), or copy a fresh token from the Nexla UI')


API_URL_HINT = 'Check that api_url points at the Nexla API (it ends in /nexla-api for the hosted service)'
NO_API = ('No Nexla API at %s (no /token there): check api_url (or NEXLA_API_URL) - the hosted service is '
          'https://dataops.nexla.io/nexla-api, a self-hosted one ends in /nexla-api too')


def session_from(data, sent_at, http, step):
    """The session in a /token or /token/refresh answer, with the account fields worth returning.

    The user's and the org membership's ``api_key`` are secrets: taught to the redactor, never returned.
    """
    answer = Answer(data, http, step, API_URL_HINT)
    user, membership, org = answer.mapping('user'), answer.mapping('org_membership'), answer.mapping('org')
    user.text('api_key', secret=True)
    membership.text('api_key', secret=True)
    public = dict(user=dict(id=user.identifier('id'), email=user.text('email'), full_name=user.text('full_name')),
                  org=dict(id=org.identifier('id') if org.has('id') else membership.identifier('org_id'),
                           name=org.text('name')))
    return token_from_answer(answer, sent_at, DEFAULT_EXPIRES_IN, extra=public)


class NexlaFlow:
    def __init__(self, options, http):
        self.http = http
        self.api_url = str(options.get('api_url', DEFAULT_API_URL)).rstrip('/')
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
        return session_from(data, sent_at, self.http, step)

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
            elif err.status in (404, 405):
                err.hint = NO_API % self.api_url
            raise

    def refresh(self, token):
        """Refresh, or log in with the key when the refresh is refused; ``(token, outcome)``.

        Nexla's own SDK no longer calls /token/refresh, so any 4xx there (a retired route answers 403, 404
        or 405; a dead session 401) means: log in with the key, when there is one.
        """
        try:
            fresh = self._session('refresh', '/token/refresh', 'Bearer ' + token.access_token)
        except HttpStatusError as err:
            if not 400 <= err.status < 500:
                raise
            if not self.service_key:
                err.hint = SESSION_ENDED
                raise
            return self.login(), dict(source='issued', refresh_refused=err.status)
        # Refresh restarts the session's clock; the account fields stay what the token had.
        fresh.extra = dict(token.extra, **dict((k, v) for k, v in fresh.extra.items() if any(v.values())))
        return fresh, dict(source='refreshed')

    def logout(self, token):
        """True when a live session ended; False when it was already dead."""
        try:
            self._post('logout', '/token/logout', 'Bearer ' + token.access_token, decode=False)
        except HttpStatusError as err:
            if err.status in (400, 401):
                return False
            raise
        return True


class Nexla(Provider):
    """A session valid for min_ttl: reused, else refreshed (a login where the refresh is refused), else a login.

    ``refresh``: refresh the token now, whatever its expiry says. ``renew``: a server refused the token, so log in
    afresh with the key (refreshing a dead session would only be refused too). Check mode changes nothing on
    the way: a session is issued or refreshed as in a real run (only a logout would end one).
    """

    name = 'nexla'
    fact = 'nexla_token'
    argspec = ARGSPEC

    def fetch(self, options, http, token, renew, refresh, check_mode):
        flow = NexlaFlow(options, http)
        if token is None or (renew and flow.service_key):
            return flow.login(), dict(source='issued')
        return flow.refresh(token)

    def absent(self, options, http, token, check_mode):
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


PROVIDER = Nexla()
