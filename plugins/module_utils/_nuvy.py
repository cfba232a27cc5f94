# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""Nuvy Nexus: OAuth 2.0 client credentials (RFC 6749 section 4.4), and RFC 7009 revocation."""

import base64
from urllib.parse import quote_plus

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import HttpStatusError
from ansible_collections.tokensmith.auth.plugins.module_utils._options import env
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token, effective_min_ttl, module_result

PROVIDER = 'nuvy'
DEFAULT_TOKEN_URL = 'https://prd.api.nuvy.ai/nexus/oauth2/token'
DEFAULT_EXPIRES_IN = 3600  # used only when the server omits expires_in
DEFAULT_MIN_TTL = 60
FACT = 'nuvy_token'
# What tells one credential from another (for the lookup's cache), and what is secret about it.
IDENTITY = ('token_url', 'client_id', 'scope', 'auth_method')
SECRETS = ('client_secret',)

ARGSPEC = dict(
    token_url=dict(type='str', default=DEFAULT_TOKEN_URL, fallback=env('NUVY_TOKEN_URL'), no_log=False),
    client_id=dict(type='str', fallback=env('NUVY_CLIENT_ID')),
    client_secret=dict(type='str', no_log=True, fallback=env('NUVY_CLIENT_SECRET')),
    scope=dict(type='list', elements='str', default=[]),
    auth_method=dict(type='str', default='client_secret_basic',
                     choices=['client_secret_basic', 'client_secret_post']),
    token=dict(type='raw', no_log=True),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    min_ttl=dict(type='int', default=DEFAULT_MIN_TTL),
    revocation_url=dict(type='str'),
    register_fact=dict(type='bool', default=True),
)


def basic_credentials(client_id, client_secret):
    """RFC 6749 section 2.3.1: form-urlencode (UTF-8) each part, then Basic-encode ``id:secret``."""
    pair = '%s:%s' % (quote_plus(client_id, safe=''), quote_plus(client_secret, safe=''))
    return 'Basic ' + base64.b64encode(pair.encode('ascii')).decode('ascii')


def _hint(err, client_id, scope):
    """What the user should do about each row of Nuvy's error table (and RFC 6749 section 5.2)."""
    code = err.code
    if code == 'invalid_scope':
        asked = ' '.join(scope) or "the App Client's default scope"
        return ('The requested scope (%s) is not granted to App Client %s: remove it from scope, or grant '
                'it to the App Client' % (asked, client_id))
    if code == 'invalid_client' or (err.status == 401 and not code):
        return ('client_id/client_secret were rejected, or App Client %s was revoked: check both for this '
                'environment (QA and production differ). If the secret has characters such as + %% : / and '
                'the server does not URL-decode Basic credentials, try auth_method: client_secret_post'
                % client_id)
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
        self.http.redactor.add(self.client_secret)

    def _require_credentials(self, step):
        for name, env_name in (('client_id', 'NUVY_CLIENT_ID'), ('client_secret', 'NUVY_CLIENT_SECRET')):
            if not self.options.get(name):
                raise self.http.error('%s is required' % name, step, 'Set %s, or the %s environment variable'
                                      % (name, env_name))

    def _authenticated(self, form):
        """Headers and form with the client authentication of ``auth_method``: one mechanism, never both."""
        headers = {'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded'}
        form = dict(form)
        if self.options.get('auth_method') == 'client_secret_post':
            form.update(client_id=self.client_id, client_secret=self.client_secret)
        else:
            headers['Authorization'] = basic_credentials(self.client_id, self.client_secret)
        return dict(headers=headers, data=form)

    def issue(self):
        step = 'token request'
        self._require_credentials(step)
        form = {'grant_type': 'client_credentials'}
        if self.scope:
            form['scope'] = ' '.join(self.scope)
        try:
            data, sent_at = self.http.json(step, 'POST', self.options.get('token_url'),
                                           **self._authenticated(form))
        except HttpStatusError as err:
            err.hint = _hint(err, self.client_id, self.scope) or err.hint
            raise
        self.http.redactor.add(data.get('access_token'))
        if not data.get('access_token'):
            raise self.http.error('the server answered 200 without an access_token', step,
                                  'Check that token_url is an OAuth 2.0 token endpoint')
        return Token.from_response(data, sent_at, DEFAULT_EXPIRES_IN, self.scope)

    def revoke(self, token):
        """RFC 7009: 200 means revoked, also for a token the server did not know."""
        step = 'revocation'
        self._require_credentials(step)
        form = {'token': token.access_token, 'token_type_hint': 'access_token'}
        try:
            self.http.request(step, 'POST', self.options.get('revocation_url'), **self._authenticated(form))
        except HttpStatusError as err:
            err.hint = _hint(err, self.client_id, self.scope) or err.hint
            raise


def obtain(options, http, token=None):
    """A token valid for min_ttl: ``token`` itself while it is, else a new one; ``(token, source)``."""
    if token is not None and token.is_valid(min_ttl(options)):
        return token, 'reused'
    return NuvyFlow(options, http).issue(), 'issued'


def min_ttl(options):
    return effective_min_ttl(options, DEFAULT_MIN_TTL)


# The token as the module returns it (for Nexla with user and org).
fields = Token.to_dict


def run(options, http, check_mode=False):
    """The module's whole behaviour, as a result dict."""
    token = Token.from_input(options.get('token'))
    if options.get('state') == 'absent':
        return _absent(NuvyFlow(options, http), options, token, check_mode)
    token, source = obtain(options, http, token)
    return module_result(fields(token), FACT, options.get('register_fact', True), changed=False, source=source)


def _absent(flow, options, token, check_mode):
    if token is None:
        raise flow.http.error('state=absent needs the token to revoke', 'revocation',
                              'Pass the token (or the registered result) in the token option')
    if not options.get('revocation_url'):
        flow.http.warn('nuvy: Nuvy documents no token revocation and no revocation_url was given, so nothing '
                       'was revoked; the token stays valid until it expires')
        return dict(changed=False, revoked=False,
                    msg='Nothing revoked: Nuvy documents no revocation endpoint; set revocation_url for an '
                        'OAuth 2.0 server that supports RFC 7009')
    if check_mode:
        return dict(changed=True, revoked=False, msg='The token would be revoked (check mode)')
    flow.revoke(token)
    return dict(changed=True, revoked=True, msg='Token revoked')
