# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sonatype Nexus Repository: user tokens behind a single-use ticket, over the API generations of NXRM 2 and 3."""

import base64
import binascii
import datetime
import secrets

from ._base import Reply
from .credentials import CREDENTIALS

NEXUS_USERS = {CREDENTIALS['test_nexus_username']: CREDENTIALS['test_nexus_password'],
               CREDENTIALS['test_nexus_unicode_username']: CREDENTIALS['test_nexus_unicode_password']}


def _iso(epoch, offset='Z'):
    """``2020-04-23T20:49:40.112Z``, or in local time with an offset (``+01:00``) as Sonatype's fixtures show."""
    if offset in ('Z', None):
        zone, suffix = datetime.timezone.utc, 'Z'
    else:
        sign = -1 if offset.startswith('-') else 1
        hours, _colon, minutes = offset.lstrip('+-').partition(':')
        zone = datetime.timezone(sign * datetime.timedelta(hours=int(hours), minutes=int(minutes or 0)))
        suffix = offset
    moment = datetime.datetime.fromtimestamp(epoch, tz=zone)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.') + '%03d' % (moment.microsecond // 1000) + suffix


def _nexus_generation(version):
    numbers = tuple(int(part) for part in version.split('.')[:2])
    if numbers < (2, 7):
        return '2.0'
    if numbers < (3, 0):
        return '2.7'
    if numbers < (3, 8):
        return '3.0'
    if numbers < (3, 24):
        return '3.8'
    return '3.24'


# Per generation: ticket path, token path, ticket header (None: ticket in ?authToken=base64).
NEXUS_APIS = {
    '2.0': ('service/local/usertoken/authenticate', 'service/local/usertoken/current', 'X-NX-UserToken-AuthTicket'),
    '2.7': ('service/siesta/wonderland/authenticate', 'service/siesta/usertoken/current', 'X-NX-AuthTicket'),
    '3.0': ('service/siesta/wonderland/authenticate', 'service/siesta/usertoken/current', 'X-NX-AuthTicket'),
    '3.8': ('service/rest/wonderland/authenticate', 'service/rest/usertoken/current', 'X-NX-AuthTicket'),
    '3.24': ('service/rest/wonderland/authenticate', 'service/rest/internal/current-user/user-token', None),
}


class NexusRoutes:
    PREFIXES = {'/nxrm/': 'nexus'}

    def nexus(self):
        rest = self.route_path[len('/nxrm/'):]
        instance, _slash, rest = rest.partition('/')
        version, _dash, flavour = instance.partition('-')
        try:
            generation = _nexus_generation(version)
        except ValueError:
            raise Reply(404, {'message': 'not found'})
        self.extra_headers['Server'] = 'Nexus/%s (%s)' % (version, 'OSS' if flavour == 'oss' else 'PRO')
        if generation.startswith('2'):
            if not rest.startswith('nexus/'):
                raise Reply(404, '<html><body>Not Found</body></html>', content_type='text/html')
            rest = rest[len('nexus/'):]
        if rest.rstrip('/') == 'repository/protected':
            return self._nexus_protected(instance)
        ticket_path, token_path, _header = NEXUS_APIS[generation]
        if flavour == 'oss' or rest not in (ticket_path, token_path):
            raise Reply(404, {'message': 'not found'})
        if flavour == 'nofeature':
            raise Reply(400, 'User-token feature is not enabled', content_type='text/plain')
        if rest == ticket_path:
            if self.command != 'POST':
                raise Reply(405, {'message': 'method not allowed'})
            return self._nexus_ticket(instance)
        return self._nexus_token(instance, generation)

    def _nexus_basic(self):
        auth = self.headers.get('Authorization', '')
        challenge = {'WWW-Authenticate': 'BASIC realm="Sonatype Nexus Repository Manager"'}
        try:
            user, sep, password = base64.b64decode(auth[6:], validate=True).decode('utf-8').partition(':')
        except (binascii.Error, UnicodeDecodeError):
            raise Reply(401, b'', challenge)
        if not auth.startswith('Basic ') or not sep or NEXUS_USERS.get(user) != password:
            raise Reply(401, b'', challenge)
        return user

    def _nexus_ticket(self, instance):
        self._count('nexus.ticket')
        user = self._nexus_basic()
        payload = self._json_body()
        try:
            claimed = base64.b64decode(payload['u']).decode('utf-8')
            password = base64.b64decode(payload['p']).decode('utf-8')
        except (TypeError, KeyError, binascii.Error, UnicodeDecodeError):
            raise Reply(400, {'message': 'Invalid payload'})
        # NXRM 3 rebuilds these responses without their body; NXRM 2 says what is wrong.
        quiet = not instance.startswith('2')
        if claimed != user:
            raise Reply(400, b'' if quiet else 'Username mismatch', content_type='text/plain')
        if password != NEXUS_USERS[user]:
            raise Reply(403, b'' if quiet else 'Authentication failed', content_type='text/plain')
        with self.state.lock:
            ticket = base64.b64encode(secrets.token_bytes(24)).decode('ascii')
            lifetime = self.state.config['nexus_ticket_lifetime']
            self.state.nexus_tickets[ticket] = dict(instance=instance, user=user, expires_at=self.state.now() + lifetime)
            self.state.issued.append(ticket)
        return {'t': ticket}

    def _nexus_token(self, instance, generation):
        self._count('nexus.token')
        user = self._nexus_basic()
        header = NEXUS_APIS[generation][2]
        if header:
            ticket = self.headers.get(header)
        else:
            try:
                ticket = base64.b64decode(self.query.get('authToken', [''])[0], validate=True).decode('ascii')
            except (binascii.Error, UnicodeDecodeError):
                ticket = None
        with self.state.lock:
            entry = self.state.nexus_tickets.pop(ticket, None)  # single use, valid or not
            if not entry or entry['instance'] != instance or entry['user'] != user or entry['expires_at'] <= self.state.now():
                raise Reply(403, {'message': 'Invalid authentication ticket'})
            key = (instance, user)
            current = self.state.nexus_tokens.get(key)
            auto_create = generation != '3.24'
            if self.command == 'DELETE':
                if not current and not auto_create:
                    raise Reply(404, {'message': 'No user token'})
                self.state.nexus_tokens.pop(key, None)
                self.state.counters['nexus.deleted'] += 1  # what changes the server, for check mode tests
                return 204, None
            if self.command == 'POST' and not auto_create:
                if current and self.state.config['nexus_post_conflict']:
                    raise Reply(409, {'message': 'A user token already exists for this user'})
                current = self._nexus_new_token(key)
                return 201, self._nexus_token_body(current, generation)
            if self.command != 'GET':
                raise Reply(405, {'message': 'method not allowed'})
            if not current:
                if not auto_create:
                    raise Reply(404, {'message': 'No user token'})
                current = self._nexus_new_token(key)
            if self._nexus_expired(current) and self.state.config['nexus_expired'] == 'gone':
                raise Reply(410, 'User Token expired', content_type='text/plain')
            return self._nexus_token_body(current, generation)

    def _nexus_new_token(self, key):
        alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
        lifetime = self.state.config['nexus_token_lifetime']  # NXRM 3 with token expiry enabled
        token = dict(nameCode=''.join(secrets.choice(alphabet) for _index in range(8)),
                     passCode=''.join(secrets.choice(alphabet + '+/') for _index in range(44)),
                     created=self.state.now(), expires=self.state.now() + lifetime if lifetime else None)
        self.state.nexus_tokens[key] = token
        self.state.counters['nexus.created'] += 1  # by POST, or by a GET on a generation where reading creates
        self.state.issued.append(token['passCode'])
        return token

    def _nexus_expired(self, token):
        return token['expires'] is not None and token['expires'] <= self.state.now()

    def _nexus_token_body(self, token, generation):
        offset = self.state.config['nexus_utc_offset']
        body = dict(nameCode=token['nameCode'], passCode=token['passCode'], created=_iso(token['created'], offset))
        if generation.startswith('3'):
            body.update(expires=_iso(token['expires'], offset) if token['expires'] else None,
                        isExpired=self._nexus_expired(token))
        return body

    def _nexus_protected(self, instance):
        self._count('nexus.protected')
        auth = self.headers.get('Authorization', '')
        try:
            name, _colon, password = base64.b64decode(auth[6:]).decode('utf-8').partition(':')
        except (binascii.Error, UnicodeDecodeError):
            name = password = None
        with self.state.lock:
            for (owner, user), token in self.state.nexus_tokens.items():
                if owner == instance and token['nameCode'] == name and token['passCode'] == password:
                    return dict(status='ok', user=user)
        raise Reply(401, b'', {'WWW-Authenticate': 'BASIC realm="Sonatype Nexus Repository Manager"'})
