# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Nexla: a service key for a session token, its refresh and logout, and a protected call."""

import secrets

from ._base import Reply
from .credentials import CREDENTIALS

NEXLA_ACCEPT = 'application/vnd.nexla.api.v1+json'

# The test key (tests/credentials.yml). It looks like base64 on purpose: a client that re-encodes it fails.
NEXLA_KEYS = {
    CREDENTIALS['test_nexla_service_key']: dict(
        user=dict(id=42, email='pipelines@example.com', full_name='Pipeline Robot',
                  api_key=CREDENTIALS['test_nexla_user_api_key']),
        org_membership=dict(org_id=7, status='ACTIVE', api_key=CREDENTIALS['test_nexla_org_api_key']),
        org=dict(id=7, name='Example Data Org')),
}


class NexlaRoutes:
    ROUTES = {
        ('POST', '/nexla-api/token'): 'nexla_login',
        ('POST', '/nexla-api/token/refresh'): 'nexla_refresh',
        ('POST', '/nexla-api/token/logout'): 'nexla_logout',
        ('GET', '/nexla-api/data_sources'): 'nexla_protected',
        ('POST', '/nexla-api/data_sources'): 'nexla_create',
    }

    def _nexla_preflight(self):
        if self.headers.get('Accept') != NEXLA_ACCEPT:
            raise Reply(406, {'message': 'Accept header must be %s' % NEXLA_ACCEPT})
        if self.body:
            raise Reply(400, {'message': 'this call takes no body'})

    def _nexla_bearer(self):
        auth = self.headers.get('Authorization', '')
        token = auth[len('Bearer '):] if auth.startswith('Bearer ') else None
        with self.state.lock:
            session = self.state.nexla_sessions.get(token)
            if not session or session['expires_at'] <= self.state.now():
                raise Reply(401, {'message': 'Invalid or expired session token'})
            return token, session

    def _nexla_session(self, key, token=None):
        with self.state.lock:
            token = token or secrets.token_hex(20)
            self.state.issued.append(token)
            lifetime = self.state.config['nexla_lifetime']
            self.state.nexla_sessions[token] = dict(key=key, expires_at=self.state.now() + lifetime)
            account = NEXLA_KEYS[key]
            return dict(access_token=token, token_type='Bearer', expires_in=lifetime,
                        user=dict(account['user']), org_membership=dict(account['org_membership']),
                        org=dict(account['org']))

    def nexla_login(self):
        self._count('nexla.token')
        self._nexla_preflight()
        auth = self.headers.get('Authorization', '')
        key = auth[len('Basic '):] if auth.startswith('Basic ') else None
        if key not in NEXLA_KEYS:
            raise Reply(401, b'', content_type='text/plain')  # Nexla documents no body for a bad key
        return self._nexla_session(key)

    def nexla_refresh(self):
        self._count('nexla.refresh')
        retired = self.state.config['nexla_refresh_status']
        if retired:
            raise Reply(int(retired), {'message': 'refresh is not available'})
        self._nexla_preflight()
        token, session = self._nexla_bearer()
        return self._nexla_session(session['key'], token)  # same token, expiry restarted

    def nexla_logout(self):
        self._count('nexla.logout')
        self._nexla_preflight()
        token, _session = self._nexla_bearer()
        with self.state.lock:
            self.state.nexla_sessions.pop(token, None)
        return {'message': 'logged out'}

    def nexla_protected(self):
        self._count('nexla.protected')
        if self.headers.get('Accept') != NEXLA_ACCEPT:
            raise Reply(406, {'message': 'Accept header must be %s' % NEXLA_ACCEPT})
        self._nexla_bearer()
        return [dict(id=1001, name='orders-s3', status='ACTIVE')]

    def nexla_create(self):
        """POST /data_sources: a data source created from the JSON body's name (201), as the docs' examples do."""
        self._count('nexla.protected')
        if self.headers.get('Accept') != NEXLA_ACCEPT:
            raise Reply(406, {'message': 'Accept header must be %s' % NEXLA_ACCEPT})
        self._nexla_bearer()
        body = self._json_body() or {}
        raise Reply(201, dict(id=1002, name=str(body.get('name', 'unnamed')), status='INIT'))
