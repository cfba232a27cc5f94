# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""Nuvy Nexus: OAuth 2.0 client credentials (RFC 6749 section 4.4), and RFC 7009 revocation."""

from urllib.parse import quote_plus

from ansible_collections.tokensmith.auth.plugins.module_utils._answer import Answer, token_from_answer
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import HttpStatusError, b64_text
from ansible_collections.tokensmith.auth.plugins.module_utils._options import MIN_TTL_ENV, env, require
from ansible_collections.tokensmith.auth.plugins.module_utils._providers import PROVIDERS, Provider

DEFAULT_TOKEN_URL = 'https://prd.api.nuvy.ai/nexus/oauth2/token'
DEFAULT_EXPIRES_IN = 3600  # used only when the server omits expires_in

ARGSPEC = dict(
    token_url=dict(type='str', default=DEFAULT_TOKEN_URL, fallback=env('NUVY_TOKEN_URL'), no_log=False),
    client_id=dict(type='str', fallback=env('NUVY_CLIENT_ID')),
    client_secret=dict(type='str', no_log=True, fallback=env('NUVY_CLIENT_SECRET')),
    scope=dict(type='list', elements='str', default=[]),
    auth_method=dict(type='str', default='auto', fallback=env('NUVY_AUTH_METHOD'),
                     choices=['auto', 'client_secret_basic', 'client_secret_basic_raw', 'client_secret_post']),
    token=dict(type='raw', no_log=True),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    min_ttl=dict(type='int', default=PROVIDERS['nuvy'].default_min_ttl, fallback=env(MIN_TTL_ENV)),
    revocation_url=dict(type='str'),
    register_fact=dict(type='bool', default=False),
)


def basic_credentials(client_id, client_secret):
    """RFC 6749 section 2.3.1: form-urlencode (UTF-8) each part, then Basic-encode ``id:secret``."""
    return _basic('%s:%s' % (quote_plus(client_id, safe=''), quote_plus(client_secret, safe='')))


def raw_basic_credentials(client_id, client_secret):
    """``id:secret`` as they are (UTF-8), as curl -u, requests-oauthlib and Authlib send them."""
    return _basic('%s:%s' % (client_id, client_secret))


def _basic(pair):
    return 'Basic ' + b64_text(pair)


# How each method authenticates the client: a header, or fields of the form. Exactly one per request.
AUTH_METHODS = {
    'client_secret_basic': lambda client_id, secret: ({'Authorization': basic_credentials(client_id, secret)}, {}),
    'client_secret_basic_raw': lambda client_id, secret: ({'Authorization': raw_basic_credentials(client_id, secret)},
                                                          {}),
    'client_secret_post': lambda client_id, secret: ({}, {'client_id': client_id, 'client_secret': secret}),
}
# auto: the RFC form first; the raw one once, after a 401 invalid_client, when the two differ.
AUTO_ORDER = ('client_secret_basic', 'client_secret_basic_raw')


def _client_rejected(err):
    return err.status == 401 and err.code in ('invalid_client', None)


def _hint(err, client_id, scope):
    """What the user should do about each row of Nuvy's error table (and RFC 6749 section 5.2)."""
    code = err.code
    if code == 'invalid_scope':
        asked = ' '.join(scope) or "the App Client's default scope"
        return ('The requested scope (%s) is not granted to App Client %s: remove it from scope, or grant '
                'it to the App Client' % (asked, client_id))
    if _client_rejected(err):
        return ('client_id/client_secret were rejected, or App Client %s was revoked: check both for this '
                'environment (QA and production differ). If the server wants the credentials in another form, '
                'try auth_method: client_secret_post' % client_id)
    if code == 'unsupported_grant_type' and err.status == 501:
        return ('The client_credentials grant is not enabled for App Client %s: enable it for the App '
                'Client' % client_id)
    if code == 'unsupported_grant_type':
        return 'The server did not accept grant_type=client_credentials: check that token_url is the token endpoint'
    if code == 'invalid_request':
        return ('The server found the request malformed or without usable client credentials: check '
                'client_id and client_secret, or try the other auth_method')
    if code == 'unauthorized_client':
        return 'App Client %s may not use the client_credentials grant: allow it for the App Client' % client_id
    if err.status == 404:
        return 'No token endpoint at this URL: check token_url (Nuvy uses /nexus/oauth2/token or /oauth2/token)'
    return None


class NuvyFlow:
    """Client-credentials exchange and revocation against one token endpoint."""

    def __init__(self, options, http):
        self.options = options
        self.http = http
        self.client_id = options.get('client_id')
        self.client_secret = options.get('client_secret')
        self.scope = [s for s in (options.get('scope') or []) if s]
        self.token_url = options.get('token_url', DEFAULT_TOKEN_URL)
        self.http.redactor.add(self.client_secret)

    def _require_credentials(self, step):
        require(self.options, ('client_id', 'client_secret'), ARGSPEC, self.http.error, step)

    def methods(self, step, remembered=None):
        """The auth methods to try, in order: the configured one, or for auto the one that worked last time
        (``remembered``) first, then the other Basic form, only when the two forms differ."""
        self._require_credentials(step)
        configured = self.options.get('auth_method', 'auto')
        raw_possible = ':' not in self.client_id
        if configured == 'client_secret_basic_raw' and not raw_possible:
            raise self.http.error('client_id holds a colon, which raw Basic credentials cannot carry', step,
                                  'Use auth_method client_secret_basic or client_secret_post')
        if configured != 'auto':
            return [configured]
        if not raw_possible or (basic_credentials(self.client_id, self.client_secret)
                                == raw_basic_credentials(self.client_id, self.client_secret)):
            return [AUTO_ORDER[0]]
        first = remembered if remembered in AUTO_ORDER else AUTO_ORDER[0]
        return [first] + [method for method in AUTO_ORDER if method != first]

    def _send(self, step, url, form, methods):
        """POST ``form`` authenticated by each method in turn while the client is rejected; ``(response, sent_at,
        method)``."""
        for index, method in enumerate(methods):
            headers, credentials = AUTH_METHODS[method](self.client_id, self.client_secret)
            headers.update({'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded'})
            try:
                response, sent_at = self.http.request(step, 'POST', url, headers=headers,
                                                      data=dict(form, **credentials))
            except HttpStatusError as err:
                if _client_rejected(err) and index + 1 < len(methods):
                    continue  # the same credentials in the other form: some servers decode Basic, some do not
                err.hint = _hint(err, self.client_id, self.scope) or err.hint
                raise
            return response, sent_at, method

    def issue(self, remembered=None):
        step = 'token request'
        form = {'grant_type': 'client_credentials'}
        if self.scope:
            form['scope'] = ' '.join(self.scope)
        response, sent_at, method = self._send(step, self.token_url, form, self.methods(step, remembered))
        return token_from(self.http.body(response, step), sent_at, self.http, self.scope, method)

    def revoke(self, token):
        """RFC 7009: 200 means revoked, also for a token the server did not know."""
        step = 'revocation'
        form = {'token': token.access_token, 'token_type_hint': 'access_token'}
        self._send(step, self.options.get('revocation_url'), form,
                   self.methods(step, token.extra.get('auth_method')))


def token_from(data, sent_at, http, scope=(), method=None):
    """The token in a token endpoint's answer (RFC 6749 section 5.1); ``method`` is the auth method that worked."""
    answer = Answer(data, http, 'token request', 'Check that token_url is an OAuth 2.0 token endpoint')
    return token_from_answer(answer, sent_at, DEFAULT_EXPIRES_IN, scope, extra=dict(auth_method=method))


class Nuvy(Provider):
    """A token valid for min_ttl: the one handed back while it is, else a new one. Check mode changes nothing on
    the way: issuing a token changes nothing that lasts (only a revocation would)."""

    name = 'nuvy'
    fact = 'nuvy_token'
    argspec = ARGSPEC

    def fetch(self, options, http, token, renew, refresh, check_mode):
        remembered = token.extra.get('auth_method') if token is not None else None
        return NuvyFlow(options, http).issue(remembered), dict(source='issued')

    def absent(self, options, http, token, check_mode):
        if token is None:
            raise http.error('state=absent needs the token to revoke', 'revocation',
                             'Pass the token (or the registered result) in the token option')
        if not options.get('revocation_url'):
            http.warn('nuvy: Nuvy documents no token revocation and no revocation_url was given, so nothing '
                      'was revoked; the token stays valid until it expires')
            return dict(changed=False, revoked=False,
                        msg='Nothing revoked: Nuvy documents no revocation endpoint; set revocation_url for an '
                            'OAuth 2.0 server that supports RFC 7009')
        if check_mode:
            return dict(changed=True, revoked=False, msg='The token would be revoked (check mode)')
        NuvyFlow(options, http).revoke(token)
        return dict(changed=True, revoked=True, msg='Token revoked')


PROVIDER = Nuvy()
