# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A strict local stand-in for Nexla, Nuvy Nexus and Sonatype Nexus Repository, over HTTPS on loopback.

Test-only; never shipped. It follows ../shared/PROVIDERS.md to the letter and refuses anything else.

    python tests/emulator/emulator.py start --state-dir DIR   # background; writes DIR/emulator.json
    python tests/emulator/emulator.py stop --state-dir DIR
    python tests/emulator/emulator.py serve --state-dir DIR   # foreground

DIR/emulator.json holds ``url``, ``ca`` (the throwaway CA's PEM file) and ``pid``. Paths:

- Nexla:  {url}/nexla-api/token, /token/refresh, /token/logout, GET /data_sources (protected)
- Nuvy:   {url}/nexus/oauth2/token (also /oauth2/token), /nexus/oauth2/revoke (RFC 7009, an extra),
          GET /nexus/api/v1/status (protected)
- NXRM:   {url}/nxrm/<version>[-oss|-nofeature]/ then /nexus for 2.x (the default context path), then
          the API of that version's generation; GET .../repository/protected/ takes nameCode:passCode.
- Control: GET /_emulator/counters, /_emulator/arrived (by path, before faults), /_emulator/issued (every token
          handed out); POST /_emulator/reset,
          /_emulator/reset_counters, /_emulator/config, /_emulator/faults, /_emulator/invalidate,
          /_emulator/clock (JSON bodies).
"""

import argparse
import base64
import binascii
import collections
import datetime
import json
import os
import secrets
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import zlib
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlsplit

NEXLA_ACCEPT = 'application/vnd.nexla.api.v1+json'

# Test credentials. The Nexla key looks like base64 on purpose: a client that re-encodes it fails.
NEXLA_KEYS = {
    'c3ZjLWtleS10b2tlbnNtaXRoLWRlbW8tN2Y0MmQ5': dict(
        user=dict(id=42, email='pipelines@example.com', full_name='Pipeline Robot',
                  api_key='nexla-user-api-key-5d1f0c8b9a'),
        org_membership=dict(org_id=7, status='ACTIVE', api_key='nexla-org-api-key-e3b71a2c44'),
        org=dict(id=7, name='Example Data Org')),
}
NUVY_CLIENTS = {
    'tokensmith-app': dict(secret='Qz+7%/:&= ~!s3cr3t', scopes=['pipelines.read', 'pipelines.write'],
                           default_scopes=['pipelines.read'], grant_enabled=True),
    'tokensmith-disabled': dict(secret='disabled-secret-0001', scopes=[], default_scopes=[], grant_enabled=False),
}
NEXUS_USERS = {'admin': 'admin123', u'j\u00fcrgen': u'p\u00e4:ss w\u00f6rd'}


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


def _cut_to(blocks, size):
    for block in blocks:
        if size <= 0:
            return
        yield block[:size]
        size -= len(block)


def _gzipped(blocks):
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    for block in blocks:
        yield compressor.compress(block)
    yield compressor.flush()


class Reply(Exception):
    """Raised by a handler to answer at once."""

    def __init__(self, status, body=None, headers=None, content_type='application/json'):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type


class State:
    """Everything the emulator remembers; one lock guards it all."""

    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.counters = collections.Counter()
            # nuvy_basic: 'rfc' URL-decodes Basic credentials (RFC 6749 2.3.1), 'raw' takes them as they are.
            # nexla_refresh_status: a status for /token/refresh to answer with (a retired route), or None.
            # nexus_expired: how NXRM 3.24+ shows a token past its expiry: 'flag' (isExpired) or 'gone' (410).
            # nexus_post_conflict: POST answers 409 while any token (expired too) exists.
            # nexus_utc_offset: NXRM dates in this offset from UTC ('+01:00'), as a server's local time.
            self.config = dict(nexla_lifetime=3600, nuvy_lifetime=3600, nexus_ticket_lifetime=20,
                               nuvy_omit_expires_in=False, nexus_token_lifetime=None, nuvy_basic='rfc',
                               nexla_refresh_status=None, nexus_expired='flag', nexus_post_conflict=False,
                               nexus_utc_offset='Z')
            self.faults = []
            self.nexla_sessions = {}   # token -> dict(key, expires_at)
            self.nuvy_tokens = {}      # token -> dict(client, scope, expires_at)
            self.nexus_tickets = {}    # ticket -> dict(instance, user, expires_at)
            self.nexus_tokens = {}     # (instance, user) -> dict(nameCode, passCode, created)
            self.last = {}             # counter name -> dict(headers, body, query) of the last request
            self.issued = []           # every token, ticket and passCode handed out, for leak checks
            self.clock_offset = 0.0    # seconds the emulator's clock runs ahead of real time
            self.arrived = collections.Counter()  # path -> requests that arrived (before faults and delays)

    def now(self):
        """The emulator's clock: real time, moved on by /_emulator/clock so tests need not sleep."""
        return time.time() + self.clock_offset

    def take_fault(self, path):
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault['path']) and fault.get('count', 1) > 0:
                    fault['count'] = fault.get('count', 1) - 1
                    return dict(fault)
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'tokensmith-emulator'
    sys_version = ''

    # --- plumbing -----------------------------------------------------------------------------

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if os.environ.get('TOKENSMITH_EMULATOR_LOG'):
            sys.stderr.write('emulator: %s\n' % (format % args))

    @property
    def state(self):
        return self.server.state

    def version_string(self):
        return self.extra_headers.pop('Server', None) or self.server_version

    def _send(self, status, body=None, headers=None, content_type='application/json'):
        if isinstance(body, (dict, list)):
            payload = json.dumps(body).encode('utf-8')
        elif isinstance(body, str):
            payload = body.encode('utf-8')
        else:
            payload = body or b''
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if payload or status not in (204, 304):
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(payload)

    def _read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def _dispatch(self):
        self.server.last_request = time.time()
        self.extra_headers = {}
        parts = urlsplit(self.path)
        self.route_path = parts.path
        self.query = parse_qs(parts.query)
        self.body = self._read_body()
        try:
            if not self.route_path.startswith('/_emulator/'):
                with self.state.lock:
                    self.state.arrived[self.route_path] += 1
                self._apply_fault()
            handler = self._route()
            result = handler()
            status, body = result if isinstance(result, tuple) else (200, result)
            self._send(status, body, self.extra_headers)
        except Reply as reply:
            headers = dict(self.extra_headers, **reply.headers)
            self._send(reply.status, reply.body, headers, reply.content_type)
        except ConnectionError:
            pass

    do_GET = do_POST = do_DELETE = do_PUT = _dispatch

    def _apply_fault(self):
        fault = self.state.take_fault(self.route_path)
        if not fault:
            return
        if fault.get('delay'):
            time.sleep(float(fault['delay']))
        if fault.get('hostile'):
            self._hostile(fault)
            raise ConnectionError('hostile answer sent')
        if fault.get('reset'):
            # An abrupt close: RST instead of FIN, as a crashed gateway would.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            self.close_connection = True
            raise ConnectionError('reset by fault injection')
        body = fault.get('body')
        if body == 'html':
            raise Reply(fault.get('status', 502), '<html><head><title>Bad Gateway</title></head><body><h1>502 '
                        'Bad Gateway</h1><p>The proxy could not reach the upstream server.</p></body></html>',
                        content_type='text/html')
        if body == 'truncated':
            raise Reply(fault.get('status', 200), '{"access_token": "tru')
        if body == 'echo':  # a careless server that reflects credentials into its error
            raise Reply(fault.get('status', 400), dict(error='invalid_request', error_description='got %s and %s' % (
                self.headers.get('Authorization'), self.body.decode('utf-8', 'replace'))))
        if isinstance(body, dict):  # a well-formed answer that lacks what the client needs
            raise Reply(fault.get('status', 200), body)
        if fault.get('raw') is not None:  # JSON text Python would not write, such as 1e400
            raise Reply(fault.get('status', 200), fault['raw'])
        if body == 'empty':
            raise Reply(fault.get('status', 200), b'')
        if fault.get('status'):
            headers = {'Retry-After': str(fault['retry_after'])} if fault.get('retry_after') is not None else {}
            raise Reply(fault['status'], {'message': 'injected fault'}, headers)

    def _hostile(self, fault):
        """An answer no honest server sends, written by hand: ``status`` and ``reason`` (any length), ``headers``
        (extra, any size), a body of ``size`` bytes of ``filler`` (default x), or JSON nested ``nest`` deep, or
        ``text``; ``gzip`` compresses it (size 2**30 of zeros: a bomb of about 1 MB); ``trickle`` seconds
        between bytes of the body, and of the headers too with ``trickle_headers``."""
        status = int(fault.get('status', 200))
        reason = fault.get('reason', self.responses.get(status, ('Whatever',))[0])
        headers = dict({'Content-Type': fault.get('content_type', 'application/json')}, **fault.get('headers', {}))
        if fault.get('nest'):
            body = iter([b'[' * int(fault['nest']) + b']' * int(fault['nest'])])
        elif fault.get('size'):
            filler = fault.get('filler', 'x').encode('utf-8')
            block = filler * max(1, 65536 // len(filler))
            body = (block for _block in range(int(fault['size']) // len(block) + 1))
            body = _cut_to(body, int(fault['size']))
        else:
            body = iter([fault.get('text', '').encode('utf-8')])
        if fault.get('gzip'):
            headers['Content-Encoding'] = 'gzip'
            body = _gzipped(body)
        head = ('HTTP/1.1 %d %s\r\n' % (status, reason)).encode('latin-1')
        head += b''.join(('%s: %s\r\n' % item).encode('latin-1') for item in headers.items())
        head += b'Connection: close\r\n\r\n'
        pace = float(fault.get('trickle', 0))
        self.close_connection = True
        try:
            self._write_paced(head, pace if fault.get('trickle_headers') else 0)
            for piece in body:
                self._write_paced(piece, pace)
        except (OSError, ssl.SSLError):
            pass  # the client stopped reading, as it should

    def _write_paced(self, data, pace):
        if not pace:
            self.wfile.write(data)
            return
        for index in range(len(data)):
            self.wfile.write(data[index:index + 1])
            self.wfile.flush()
            time.sleep(pace)

    def _count(self, name):
        with self.state.lock:
            self.state.counters[name] += 1
            self.state.last[name] = dict(headers=dict(self.headers.items()), body=self.body.decode('utf-8', 'replace'),
                                         query=self.query, method=self.command)

    def _route(self):
        path = self.route_path
        routes = {
            ('GET', '/_emulator/counters'): lambda: dict(self.state.counters),
            ('GET', '/_emulator/last'): lambda: self.state.last,
            ('GET', '/_emulator/issued'): lambda: self.state.issued,
            ('GET', '/_emulator/arrived'): lambda: dict(self.state.arrived),
            ('POST', '/_emulator/reset'): self.control_reset,
            ('POST', '/_emulator/reset_counters'): self.control_reset_counters,
            ('POST', '/_emulator/config'): self.control_config,
            ('POST', '/_emulator/faults'): self.control_faults,
            ('POST', '/_emulator/invalidate'): self.control_invalidate,
            ('POST', '/_emulator/clock'): self.control_clock,
            ('POST', '/nexla-api/token'): self.nexla_login,
            ('POST', '/nexla-api/token/refresh'): self.nexla_refresh,
            ('POST', '/nexla-api/token/logout'): self.nexla_logout,
            ('GET', '/nexla-api/data_sources'): self.nexla_protected,
            ('POST', '/nexus/oauth2/token'): self.nuvy_token,
            ('POST', '/oauth2/token'): self.nuvy_token,
            ('POST', '/nexus/oauth2/revoke'): self.nuvy_revoke,
            ('GET', '/nexus/api/v1/status'): self.nuvy_protected,
        }
        handler = routes.get((self.command, path))
        if handler:
            return handler
        if path.startswith('/nxrm/'):
            return self.nexus
        if any(path == route for _method, route in routes):
            raise Reply(405, {'message': 'method not allowed'})
        raise Reply(404, {'message': 'not found'})

    def _json_body(self):
        try:
            return json.loads(self.body.decode('utf-8') or 'null')
        except ValueError:
            raise Reply(400, {'message': 'body is not JSON'})

    # --- control ------------------------------------------------------------------------------

    def control_reset(self):
        self.state.reset()
        return {'reset': True}

    def control_reset_counters(self):
        with self.state.lock:
            self.state.counters.clear()
            self.state.arrived.clear()
        return {'reset': 'counters'}

    def control_config(self):
        changes = self._json_body() or {}
        for name, value in changes.items():
            if isinstance(value, str) and value.lstrip('-').isdigit():
                changes[name] = int(value)  # a templated number that arrived as text
            elif not isinstance(value, (int, float, bool, str, type(None))):
                raise Reply(400, {'message': 'config %s must be a number, a boolean or a string' % name})
        with self.state.lock:
            self.state.config.update(changes)
            return dict(self.state.config)

    def control_faults(self):
        """Body: a fault or a list of them: path (prefix), and status, retry_after, delay, reset,
        body (html|truncated|empty|echo, or a JSON object to answer with), raw (JSON text to answer with),
        count (default 1). An empty list clears them."""
        faults = self._json_body()
        faults = faults if isinstance(faults, list) else [faults]
        with self.state.lock:
            if not faults:
                self.state.faults = []
            self.state.faults.extend(f for f in faults if f)
            return {'faults': len(self.state.faults)}

    def control_clock(self):
        """Body: {"advance": seconds}: the emulator's clock jumps ahead (sessions, tickets and tokens age)."""
        advance = (self._json_body() or {}).get('advance', 0)
        if not isinstance(advance, (int, float)) or isinstance(advance, bool):
            raise Reply(400, {'message': 'advance must be a number of seconds'})
        with self.state.lock:
            self.state.clock_offset += advance
            return {'offset': self.state.clock_offset}

    def control_invalidate(self):
        """Body: {"provider": "nexla"|"nuvy"|"nexus"}: every token of that provider stops working."""
        provider = (self._json_body() or {}).get('provider')
        with self.state.lock:
            if provider in ('nexla', None):
                self.state.nexla_sessions.clear()
            if provider in ('nuvy', None):
                self.state.nuvy_tokens.clear()
            if provider in ('nexus', None):
                self.state.nexus_tokens.clear()
        return {'invalidated': provider or 'all'}

    # --- Nexla --------------------------------------------------------------------------------

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

    # --- Nuvy ---------------------------------------------------------------------------------

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

    # --- Sonatype Nexus Repository ------------------------------------------------------------

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


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, context):
        super().__init__(address, Handler)
        self.context = context
        self.state = State()
        self.last_request = time.time()

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the worker thread, so one stalled client never blocks the rest.
        if self.context is not None:
            try:
                request = self.context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        """Clients that hang up or reject our certificate are expected in tests."""


class Emulator:
    """The emulator in this process (for pytest) or the state of one started by :func:`start`."""

    def __init__(self, state_dir, port=0, tls=True, client_certs=False):
        os.makedirs(state_dir, exist_ok=True)
        self.state_dir = state_dir
        self.ca_path = None
        context = None
        if tls:
            import trustme  # pylint: disable=import-outside-toplevel  # test-only dependency
            self.ca_path = os.path.join(state_dir, 'ca.pem')
            ca = trustme.CA(organization_name='tokensmith emulator test CA')
            ca.cert_pem.write_to_path(self.ca_path)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            leaf = ca.issue_cert('127.0.0.1', 'localhost')
            leaf.configure_cert(context)
            # Other test servers (the real OAuth server) serve with the same CA.
            leaf.private_key_pem.write_to_path(os.path.join(state_dir, 'server.key'))
            leaf.cert_chain_pems[0].write_to_path(os.path.join(state_dir, 'server.pem'))
            if client_certs:  # mutual TLS: a client certificate from the same CA is required
                ca.configure_trust(context)
                context.verify_mode = ssl.CERT_REQUIRED
                client = ca.issue_cert(u'tokensmith-client')
                client.cert_chain_pems[0].write_to_path(os.path.join(state_dir, 'client.pem'))
                client.private_key_pem.write_to_path(os.path.join(state_dir, 'client.key'))
                client.private_key_and_cert_chain_pem.write_to_path(os.path.join(state_dir, 'client-combined.pem'))
        self.server = EmulatorServer(('127.0.0.1', port), context)
        self.url = '%s://127.0.0.1:%d' % ('https' if tls else 'http', self.server.server_address[1])
        self._thread = None

    @property
    def state(self):
        return self.server.state

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, name='emulator', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self._thread:
            self._thread.join(5)


def _info_path(state_dir):
    return os.path.join(state_dir, 'emulator.json')


def _exit_when_idle(server, idle_timeout):
    """A background emulator whose owner died (a killed test run) does not outlive it for long."""
    while time.time() - server.last_request < idle_timeout:
        time.sleep(min(5.0, idle_timeout))
    server.shutdown()


def serve(state_dir, port=0, idle_timeout=900):
    emulator = Emulator(state_dir, port)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=emulator.server.shutdown).start())
    threading.Thread(target=_exit_when_idle, args=(emulator.server, idle_timeout), daemon=True).start()
    info = dict(url=emulator.url, ca=emulator.ca_path, pid=os.getpid())
    tmp = _info_path(state_dir) + '.tmp'
    with open(tmp, 'w') as handle:
        json.dump(info, handle)
    os.replace(tmp, _info_path(state_dir))
    try:
        emulator.server.serve_forever()
    finally:
        emulator.server.server_close()
        try:
            os.unlink(_info_path(state_dir))
        except OSError:
            pass


def start(state_dir, port=0, timeout=20):
    """Start ``serve`` in the background; return its info dict once it is listening."""
    os.makedirs(state_dir, exist_ok=True)
    if os.path.exists(_info_path(state_dir)):
        stop(state_dir)
    log = open(os.path.join(state_dir, 'emulator.log'), 'ab')
    process = subprocess.Popen([sys.executable, os.path.abspath(__file__), 'serve', '--state-dir', state_dir,
                                '--port', str(port)], stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit('emulator exited at start (status %s); see %s/emulator.log' % (process.returncode, state_dir))
        try:
            with open(_info_path(state_dir)) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            time.sleep(0.05)
    process.kill()
    raise SystemExit('emulator did not start within %d s; see %s/emulator.log' % (timeout, state_dir))


def stop(state_dir, timeout=10):
    try:
        with open(_info_path(state_dir)) as handle:
            pid = json.load(handle)['pid']
    except (OSError, ValueError, KeyError):
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
    try:
        os.unlink(_info_path(state_dir))
    except OSError:
        pass
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('action', choices=['start', 'stop', 'serve'])
    parser.add_argument('--state-dir', required=True)
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--idle-timeout', type=float, default=900, help='serve: exit after this many idle seconds')
    args = parser.parse_args(argv)
    if args.action == 'serve':
        serve(args.state_dir, args.port, args.idle_timeout)
    elif args.action == 'start':
        print(json.dumps(start(args.state_dir, args.port)))
    else:
        stop(args.state_dir)


if __name__ == '__main__':
    main()
