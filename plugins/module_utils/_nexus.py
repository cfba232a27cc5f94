# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""Sonatype Nexus Repository user tokens: a single-use ticket, then the token, on NXRM 2 and 3."""

import re
import time

from ansible_collections.tokensmith.auth.plugins.module_utils._answer import Answer
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import CheckModeStop, HttpStatusError, b64_text
from ansible_collections.tokensmith.auth.plugins.module_utils._options import MAX_LIFETIME, check_text, env, require
from ansible_collections.tokensmith.auth.plugins.module_utils._providers import Provider
from ansible_collections.tokensmith.auth.plugins.module_utils._token import Token, format_time

TICKET_LIFETIME = 20       # seconds, as Sonatype documents
TICKET_SAFETY = 5          # a spare ticket older than LIFETIME - SAFETY is not used
TICKET_TRIES = 3           # token calls refused for an expired ticket are retried with a new one, this often
RECHECK_AFTER = 3600       # a token without an expiry is read again after this long by the lookup's cache


class Generation:
    """One API generation: where the ticket comes from, where the token is, how the ticket travels."""

    def __init__(self, name, ticket_path, token_path, ticket_header, auto_creates):
        self.name = name
        self.ticket_path = ticket_path
        self.token_path = token_path
        self.ticket_header = ticket_header   # None: the ticket goes in ?authToken=base64(ticket)
        self.auto_creates = auto_creates     # the token exists once read; else 404 until POST creates it


GENERATIONS = dict((g.name, g) for g in (
    Generation('3.24', 'service/rest/wonderland/authenticate', 'service/rest/internal/current-user/user-token',
               None, False),
    Generation('3.8', 'service/rest/wonderland/authenticate', 'service/rest/usertoken/current',
               'X-NX-AuthTicket', True),
    Generation('2.7', 'service/siesta/wonderland/authenticate', 'service/siesta/usertoken/current',
               'X-NX-AuthTicket', True),
    Generation('2.0', 'service/local/usertoken/authenticate', 'service/local/usertoken/current',
               'X-NX-UserToken-AuthTicket', True),
))
# api_version choices -> generation; NXRM 3.0-3.7 speak the 2.7+ API.
API_VERSIONS = {'2.0': '2.0', '2.7': '2.7', '3.0': '2.7', '3.8': '3.8', '3.24': '3.24'}
# In auto mode, ticket endpoints are tried newest first; a Server header then names the exact generation.
TICKET_FALLBACK = ('3.24', '2.7', '2.0')

ARGSPEC = dict(
    url=dict(type='str', fallback=env('NEXUS_URL')),
    username=dict(type='str', fallback=env('NEXUS_USERNAME')),
    password=dict(type='str', no_log=True, fallback=env('NEXUS_PASSWORD')),
    api_version=dict(type='str', default='auto', choices=['auto'] + sorted(API_VERSIONS), fallback=env('NEXUS_API_VERSION')),
    state=dict(type='str', default='present', choices=['present', 'reset', 'absent']),
    register_fact=dict(type='bool', default=False),
)

FEATURE_DISABLED = ('User tokens are not enabled on this Nexus: enable them under Security > User Tokens (a Nexus '
                    'Repository Pro feature)')
MISMATCH = ('Nexus saw another user in the Basic credentials than in the ticket request: check that no proxy rewrites '
            'the Authorization header')


def generation_from_server(header):
    """The generation named by a ``Server: Nexus/x.y.z`` header, or None."""
    match = re.match(r'\s*Nexus/(\d+)\.(\d+)', header or '')
    if not match:
        return None
    version = (int(match.group(1)), int(match.group(2)))
    if version >= (3, 24):
        return '3.24'
    if version >= (3, 8):
        return '3.8'
    return '2.7' if version >= (2, 7) else '2.0'


class NexusFlow:
    def __init__(self, options, http):
        self.http = http
        require(options, ('url', 'username', 'password'), ARGSPEC, http.error)
        self.base = str(options.get('url')).rstrip('/') + '/'
        self.username = options.get('username')
        password = options.get('password')
        if ':' in self.username:
            raise http.error('the username %r contains a colon, which HTTP Basic authentication cannot carry'
                             % self.username, None, 'Use an account whose name has no colon')
        self.basic = 'Basic ' + b64_text('%s:%s' % (self.username, password))
        self.payload = {'u': b64_text(self.username), 'p': b64_text(password)}
        http.redactor.add(password, self.basic, self.payload['p'])
        requested = options.get('api_version') or 'auto'
        self.generation = GENERATIONS[API_VERSIONS[requested]] if requested != 'auto' else None
        self._spare = None  # (ticket, obtained_at) left over from auto-detection, used by the first call

    def _headers(self):
        return {'Authorization': self.basic, 'Accept': 'application/json'}

    def _ticket(self, generation):
        step = 'ticket request'
        try:
            response, _sent_at = self.http.request(step, 'POST', self.base + generation.ticket_path,
                                                   headers=dict(self._headers(), **{'Content-Type': 'application/json'}),
                                                   json=self.payload)
        except HttpStatusError as err:
            err.hint = self._hint(err, step)
            raise
        ticket = ticket_from(self.http.body(response, step), self.http)
        self.http.redactor.add(b64_text(ticket))
        return response, ticket

    def _hint(self, err, step):
        """What to do, from the status and the step: NXRM 3 sends these errors without a body."""
        said = (err.description or err.excerpt or '').lower()
        if 'not enabled' in said:
            return FEATURE_DISABLED
        if err.status == 401:
            return 'Nexus rejected the username or password: check username and password (NEXUS_USERNAME/NEXUS_PASSWORD)'
        if err.status == 400 and step == 'ticket request':
            if 'mismatch' in said:
                return MISMATCH
            return '%s; or: %s' % (MISMATCH, FEATURE_DISABLED[0].lower() + FEATURE_DISABLED[1:])
        if err.status == 403 and step == 'ticket request':
            return 'Nexus refused the password in the ticket request: check password'
        return err.hint

    def detect(self):
        """Settle the API generation; in auto mode, by falling back through the ticket endpoints on 404."""
        if self.generation:
            return self.generation
        for name in TICKET_FALLBACK:
            try:
                response, ticket = self._ticket(GENERATIONS[name])
            except HttpStatusError as err:
                if err.status == 404:
                    continue
                raise
            self._spare = (ticket, time.time())
            self.generation = GENERATIONS[generation_from_server(response.headers.get('Server')) or name]
            return self.generation
        raise self.http.error('no user-token API at %s (HTTP 404 on the ticket endpoint of every NXRM generation)'
                              % self.base.rstrip('/'), 'ticket request',
                              'Check the context path in url (/nexus for a default NXRM 2) and that this is Nexus '
                              'Repository Pro')

    def _fresh_ticket(self):
        if self._spare and time.time() - self._spare[1] < TICKET_LIFETIME - TICKET_SAFETY:
            ticket, self._spare = self._spare[0], None
            return ticket
        self._spare = None
        return self._ticket(self.generation)[1]

    def _call(self, method, expected):
        """One token call with a fresh ticket for every attempt; a refused (expired) ticket is replaced."""
        generation = self.detect()

        def build(_attempt):
            ticket = self._fresh_ticket()
            if generation.ticket_header:
                return dict(headers=dict(self._headers(), **{generation.ticket_header: ticket}))
            return dict(headers=self._headers(), params={'authToken': b64_text(ticket)})

        for tries in range(1, TICKET_TRIES + 1):
            try:
                return self.http.request('token request', method, self.base + generation.token_path, build=build,
                                         expected=expected)[0]
            except HttpStatusError as err:
                feature_off = 'not enabled' in (err.description or err.excerpt or '')
                if err.status == 403 and tries < TICKET_TRIES and not feature_off:
                    self.http.warn('nexus: the ticket was refused (expired on a slow server?); getting a new one, '
                                   'try %d of %d' % (tries + 1, TICKET_TRIES))
                    continue
                err.hint = self._hint(err, 'token request')
                if err.status == 404:
                    err.hint = ('No user-token endpoint for NXRM %s at this URL: check api_version and the context '
                                'path in url' % generation.name)
                raise

    def read(self):
        """The current token and its state: ``(token, 'current')``, ``(None, 'none')`` where NXRM 3.24+ says
        the user has none, or ``(token or None, 'expired')`` for a token past its end (410, isExpired, expires)."""
        response = self._call('GET', (200, 404, 410) if not self.generation.auto_creates else (200, 410))
        if response.status_code == 404:
            return None, 'none'
        if response.status_code == 410:
            return None, 'expired'
        token, expired = token_from(self.http.body(response, 'token request'), self.http, self.generation)
        return token, 'expired' if expired else 'current'

    def create(self):
        """A new token on NXRM 3.24+ (POST); where the server says one exists, DELETE it and POST again."""
        try:
            response = self._call('POST', (200, 201))
        except HttpStatusError as err:
            if not _says_exists(err):
                raise
            self.delete()
            response = self._call('POST', (200, 201))
        return token_from(self.http.body(response, 'token request'), self.http, self.generation)[0]

    def delete(self):
        """Invalidate the current token; False when there was none."""
        return self._call('DELETE', (200, 204, 404, 410)).status_code not in (404, 410)

    def replace(self, state):
        """A new token where :meth:`read` found none (``state`` ``'none'``) or an expired one (``'expired'``), or
        in place of the current one (``'reset'``); ``(token, source)``.

        Where reading creates (NXRM 2, 3.0-3.23) that is a delete and a read. On NXRM 3.24+ it is a POST, after a
        delete when resetting (a POST that finds a token there deletes it and posts again).
        """
        if state == 'reset' or (state == 'expired' and self.generation.auto_creates):
            self.delete()
        token = self.read()[0] if self.generation.auto_creates else self.create()
        return token, {'none': 'created', 'expired': 'renewed', 'reset': 'reset'}[state]


def _says_exists(err):
    said = (err.description or err.excerpt or '').lower()
    return err.status == 409 or (err.status == 400 and 'exist' in said)


def ticket_from(data, http):
    """The ticket in a ticket request's answer, ``{"t": "..."}``."""
    return Answer(data, http, 'ticket request', 'Check that url is the Nexus base URL').text(
        't', required='a ticket', secret=True)


def token_from(data, http, generation):
    """The user token in a token call's answer (UserTokenXO on NXRM 3); ``(token, expired)``."""
    answer = Answer(data, http, 'token request', 'Check that url is the Nexus base URL')
    name_code = answer.text('nameCode', required=True)
    pass_code = answer.text('passCode', required=True, secret=True)
    created = answer.moment('created')
    expires = answer.moment('expires')
    now = time.time()
    expired = bool(answer.flag('isExpired')) or (expires is not None and expires <= now)
    # Unknown: so the lookup's cache looks again in an hour; absurdly far: as far as any token lives here.
    expires_at = now + RECHECK_AFTER if expires is None else min(expires, now + MAX_LIFETIME)
    details = dict(name_code=name_code, pass_code=pass_code, created=None if created is None else format_time(created),
                   expires=None if expires is None else format_time(expires), api_version=generation.name)
    check_text('nameCode', name_code, 'the answer\'s nameCode')
    return Token('%s:%s' % (name_code, pass_code), 'Basic', expires_at, None, details), expired


FIELDS = ('name_code', 'pass_code', 'created', 'expires', 'api_version')

# Check mode never creates, resets or deletes a token; where reading creates one (NXRM 2, 3.0-3.23) it does not
# read either.
_WOULD_READ = 'check mode: the user token was not read, because on NXRM %s reading creates it when missing'
_WOULD_RENEW = 'check mode: the refused user token would be replaced'


def _would_replace(state):
    return 'check mode: a user token would be created%s' % (' in place of the expired one' if state == 'expired' else '')


class Nexus(Provider):
    """The user's current token: read, created where NXRM 3.24+ has none, renewed when expired."""

    name = 'nexus'
    fact = 'nexus_user_token'
    argspec = ARGSPEC
    handed_back = ()  # the module always asks the server; only the lookup reuses (from its caches)

    def fetch(self, options, http, token, renew, refresh, check_mode):
        """``renew``: the token was refused, so the server is asked again whatever its expiry says. ``check_mode``:
        raise :class:`CheckModeStop` instead of anything that would create, reset or delete a token."""
        flow = NexusFlow(options, http)
        generation = flow.detect()
        if check_mode and (renew or generation.auto_creates):
            raise CheckModeStop(_WOULD_RENEW if renew else _WOULD_READ % generation.name, self.name, 'token request')
        current, state = flow.read()
        if state == 'current':
            return current, dict(source='read')
        if check_mode:
            raise CheckModeStop(_would_replace(state), self.name, 'token request')
        token, source = flow.replace(state)
        return token, dict(source=source)

    def fields(self, token=None):
        """The token as the module returns it; every field null where check mode obtained none."""
        return dict((k, token.extra.get(k) if token is not None else None) for k in FIELDS)

    def _check_result(self, msg, register_fact, generation):
        """Check mode's answer where a token would be created or reset: every token field there, null, so the
        tasks after it still template (a credentials_file task in check mode then reports that it would write)."""
        nothing = Token(None, extra=dict(api_version=generation.name))  # every field null but the API generation
        return self.result(nothing, register_fact, changed=True, source='check_mode', msg=msg)

    def run(self, options, http, check_mode=False):
        """present: the current token (created or renewed where needed); reset: a new one in its place; absent:
        the token invalidated."""
        flow = NexusFlow(options, http)
        generation = flow.detect()
        state = options.get('state')
        register = options.get('register_fact', False)
        if state == 'present':
            if check_mode and generation.auto_creates:
                return self._check_result(_WOULD_READ % generation.name, register, generation)
            token, found = flow.read()  # on NXRM 2 and 3.8-3.23 the first read creates the token: no other read
            if found == 'current':
                return self.result(token, register, changed=False, source='read')
            if check_mode:
                return self._check_result(_would_replace(found), register, generation)
            token, source = flow.replace(found)
            return self.result(token, register, changed=True, source=source)
        if state == 'reset':
            if check_mode:
                return self._check_result('check mode: the user token would be reset', register, generation)
            token, source = flow.replace('reset')
            return self.result(token, register, changed=True, source=source)
        # absent: where reading does not create, only a token that exists is invalidated.
        if not generation.auto_creates and flow.read()[1] == 'none':
            return dict(changed=False, api_version=generation.name, msg='The user has no token')
        if check_mode:
            return dict(changed=True, api_version=generation.name, msg='The user token would be invalidated (check mode)')
        existed = flow.delete()
        return dict(changed=existed, api_version=generation.name,
                    msg='User token invalidated' if existed else 'The user has no token')


PROVIDER = Nexus()
