# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Nuvy Nexus: OAuth 2.0 client credentials (RFC 6749 4.4), revocation (RFC 7009) and a protected call."""

import base64
import binascii
import secrets
from urllib.parse import parse_qs, unquote_plus

from ._base import Reply
from .credentials import CREDENTIALS

NUVY_CLIENTS = {
    CREDENTIALS['test_nuvy_client_id']: dict(
        secret=CREDENTIALS['test_nuvy_client_secret'], scopes=['pipelines.read', 'pipelines.write'],
        default_scopes=['pipelines.read'], grant_enabled=True),
    CREDENTIALS['test_nuvy_disabled_client_id']: dict(
        secret=CREDENTIALS['test_nuvy_disabled_client_secret'], scopes=[], default_scopes=[], grant_enabled=False),
}


class NuvyRoutes:
    ROUTES = {
        ('POST', '/nexus/oauth2/token'): 'nuvy_token',
        ('POST', '/oauth2/token'): 'nuvy_token',
        ('POST', '/nexus/oauth2/revoke'): 'nuvy_revoke',
        ('POST', '/oauth2/revoke'): 'nuvy_revoke',
        ('GET', '/nexus/api/v1/status'): 'nuvy_protected',
    }

    @staticmethod
    def _oauth_error(status, error, description, headers=None):
        return Reply(status, dict(error=error, error_description=description), headers)

    def _nuvy_client(self, form):
        auth = self.headers.get('Authorization')
        in_body = 'client_id' in form or 'client_secret' in form
        if auth and in_body:
            raise self._oauth_error(400, 'invalid_request', 'more than one client authentication mechanism')
        if auth:
            if not auth.startswith('Basic '):
                raise self._oauth_error(400, 'invalid_request', 'unsupported authorization scheme')
            try:
                decoded = base64.b64decode(auth[6:], validate=True).decode('utf-8')
            except (binascii.Error, UnicodeDecodeError):
                raise self._oauth_error(400, 'invalid_request', 'malformed Basic credentials')
            raw_id, sep, raw_secret = decoded.partition(':')
            if not sep:
                raise self._oauth_error(400, 'invalid_request', 'malformed Basic credentials')
            if self.state.config['nuvy_basic'] == 'raw':  # as servers that follow curl -u, not the RFC
                client_id, secret = raw_id, raw_secret
            else:  # RFC 6749 section 2.3.1: both parts are form-urlencoded before Basic encoding.
                client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
            challenge = {'WWW-Authenticate': 'Basic realm="nuvy"'}
        elif in_body:
            client_id, secret = form.get('client_id', ''), form.get('client_secret', '')
            challenge = {}
        else:
            raise self._oauth_error(400, 'invalid_request', 'no client authentication')
        client = NUVY_CLIENTS.get(client_id)
        if not client or not secrets.compare_digest(client['secret'].encode('utf-8'), secret.encode('utf-8')):
            raise self._oauth_error(401, 'invalid_client', 'client authentication failed', challenge)
        return client_id, client

    def _nuvy_form(self):
        if (self.headers.get('Content-Type') or '').split(';')[0].strip() != 'application/x-www-form-urlencoded':
            raise self._oauth_error(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded')
        try:
            pairs = parse_qs(self.body.decode('utf-8'), keep_blank_values=True, strict_parsing=bool(self.body))
        except (ValueError, UnicodeDecodeError):
            raise self._oauth_error(400, 'invalid_request', 'malformed form body')
        if any(len(values) > 1 for values in pairs.values()):
            raise self._oauth_error(400, 'invalid_request', 'repeated parameter')
        return dict((name, values[0]) for name, values in pairs.items())

    def nuvy_token(self):
        self._count('nuvy.token')
        form = self._nuvy_form()
        if form.get('grant_type') != 'client_credentials':
            raise self._oauth_error(400, 'unsupported_grant_type', 'grant_type must be client_credentials')
        client_id, client = self._nuvy_client(form)
        if not client['grant_enabled']:
            raise self._oauth_error(501, 'unsupported_grant_type', 'grant type not enabled for this client')
        requested = form.get('scope', '').split() if 'scope' in form else list(client['default_scopes'])
        refused = [s for s in requested if s not in client['scopes']]
        if refused:
            raise self._oauth_error(400, 'invalid_scope', 'scope not allowed: %s' % ' '.join(refused))
        with self.state.lock:
            lifetime = self.state.config['nuvy_lifetime']
            token = '.'.join(base64.urlsafe_b64encode(secrets.token_bytes(n)).decode().rstrip('=') for n in (24, 48, 32))
            self.state.nuvy_tokens[token] = dict(client=client_id, scope=requested, expires_at=self.state.now() + lifetime)
            self.state.issued.append(token)
            omit = self.state.config['nuvy_omit_expires_in']
        answer = dict(access_token=token, token_type='bearer', scope=' '.join(requested))
        if not omit:
            answer['expires_in'] = lifetime
        self.extra_headers.update({'Cache-Control': 'no-store', 'Pragma': 'no-cache'})
        return answer

    def nuvy_revoke(self):
        self._count('nuvy.revoke')
        form = self._nuvy_form()
        client_id, _client = self._nuvy_client(form)
        if 'token' not in form:
            raise self._oauth_error(400, 'invalid_request', 'token is required')
        with self.state.lock:
            known = self.state.nuvy_tokens.get(form['token'])
            if known and known['client'] == client_id:
                del self.state.nuvy_tokens[form['token']]
        return {}  # RFC 7009: 200 for revoked and unknown tokens alike

    def nuvy_protected(self):
        self._count('nuvy.protected')
        auth = self.headers.get('Authorization', '')
        token = auth[7:] if auth[:7].lower() == 'bearer ' else None
        with self.state.lock:
            entry = self.state.nuvy_tokens.get(token)
            if not entry or entry['expires_at'] <= self.state.now():
                raise Reply(401, {'error': 'invalid_token'}, {'WWW-Authenticate': 'Bearer error="invalid_token"'})
        return dict(status='ok', client=entry['client'])
