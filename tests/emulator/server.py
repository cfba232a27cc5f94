# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's HTTP(S) server: the handler's plumbing and faults, and starting and stopping it."""

import json
import os
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ._base import Reply, State
from .control import ControlRoutes
from .nexla import NexlaRoutes
from .nexus import NexusRoutes
from .nuvy import NuvyRoutes

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


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


class Handler(ControlRoutes, NexlaRoutes, NuvyRoutes, NexusRoutes, BaseHTTPRequestHandler):
    """The plumbing: dispatch, faults, replies; each provider's routes come from its own file."""

    protocol_version = 'HTTP/1.1'
    server_version = 'tokensmith-emulator'
    sys_version = ''
    ROUTES = {**ControlRoutes.ROUTES, **NexlaRoutes.ROUTES, **NuvyRoutes.ROUTES}
    PREFIXES = NexusRoutes.PREFIXES

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
        name = self.ROUTES.get((self.command, self.route_path))
        if name:
            return getattr(self, name)
        for prefix, name in self.PREFIXES.items():
            if self.route_path.startswith(prefix):
                return getattr(self, name)
        if any(self.route_path == path for _method, path in self.ROUTES):
            raise Reply(405, {'message': 'method not allowed'})
        raise Reply(404, {'message': 'not found'})

    def _json_body(self):
        try:
            return json.loads(self.body.decode('utf-8') or 'null')
        except ValueError:
            raise Reply(400, {'message': 'body is not JSON'})


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


def info(state_dir):
    """``url``, ``ca`` and ``pid`` of the emulator started in ``state_dir``."""
    try:
        with open(_info_path(state_dir)) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        raise SystemExit('no emulator is running in %s (start it: python tests/emulator start --state-dir %s)'
                         % (state_dir, state_dir))


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


def start(state_dir, port=0, timeout=20, idle_timeout=900):
    """Start ``serve`` in the background; return its info dict once it is listening."""
    os.makedirs(state_dir, exist_ok=True)
    if os.path.exists(_info_path(state_dir)):
        stop(state_dir)
    log = open(os.path.join(state_dir, 'emulator.log'), 'ab')
    process = subprocess.Popen([sys.executable, PACKAGE_DIR, 'serve', '--state-dir', state_dir,
                                '--port', str(port), '--idle-timeout', str(idle_timeout)], stdout=log, stderr=log, stdin=subprocess.DEVNULL,
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
