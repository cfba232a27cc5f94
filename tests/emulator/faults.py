# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults at every byte: a TCP proxy that cuts, resets or stalls a connection after exactly N bytes, and the sweep
that replays an exchange with each fault at each offset. Test-only; never shipped.

The proxy stands between a client and a server (the emulator over TLS, end to end; Redis): it forwards bytes both
ways, counts them, and on the one connection a fault names, after exactly ``offset`` bytes in its ``direction``
(``down``: server to client, ``up``: client to server), it

- ``close``s the connection (a FIN to both sides),
- ``reset``s it (an RST to the client, SO_LINGER 0), or
- ``stall``s it (forwards nothing more either way, and holds it open until the proxy stops).

With TLS end to end the offsets are those of the encrypted stream: the first cover the handshake, then each TLS
record carries what the server wrote in one go - the status line and headers, a chunk header, a piece of a gzip
stream - so every offset of a recorded exchange puts the fault inside one of them. ``records()`` says which kind of
TLS record (handshake or application data) an offset falls in.

The sweep: record one clean exchange (bytes each way, per connection), then replay it once per (connection, direction,
offset, kind), and classify each outcome: ``success`` (after a retry, where retries allow), ``clear`` (a failure in
one line that names the provider, the step and what happened to the connection, within the bound), or ``bad``
(anything else: an unexpected error, a traceback, a second line, a message without its step, past the bound).
"""

import contextlib
import socket
import struct
import threading
import time

KINDS = ('close', 'reset', 'stall')
DIRECTIONS = ('down', 'up')


class FaultProxy:
    """A proxy to ``upstream`` (host, port) on a free loopback port (``.port``); ``fault`` (a dict with connection,
    direction, offset, kind) applies to the ``connection``-th accepted connection (0 is the first), or to ``every``
    one (then no retry heals it: the failure must be one clear line)."""

    def __init__(self, upstream, fault=None):
        self.upstream = upstream
        self.fault = fault
        self.connections = []   # per accepted connection: {'up': bytes, 'down': bytes}
        self._listener = socket.create_server(('127.0.0.1', 0))
        self.port = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._sockets = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name='fault-proxy', daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self.stop()

    def stop(self):
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() below: close() alone would not
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for sock in self._sockets:
                # shutdown first: close() does not wake a thread blocked in recv() on the socket (a pump, held by a
                # stall), and the emulator's side would never see the end of the connection either
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()
        self._thread.join(5)

    def _accept(self):
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                index = len(self.connections)
                seen = {'up': bytearray(), 'down': bytearray()}
                self.connections.append(seen)
                self._sockets += [client, server]
            fault = self.fault if self.fault and self.fault.get('connection', 0) in (index, 'every') else None
            state = dict(done=False, pumps={}, started=threading.Event())
            for source, target, direction in ((client, server, 'up'), (server, client, 'down')):
                state['pumps'][direction] = threading.Thread(
                    target=self._pump, args=(source, target, direction, seen[direction], fault, state, client, server),
                    daemon=True)
            for pump in state['pumps'].values():
                pump.start()
            state['started'].set()  # a fault at byte 0 may come before the second pump has started

    def _pump(self, source, target, direction, seen, fault, state, client, server):
        limit = fault['offset'] if fault and fault['direction'] == direction else None
        try:
            while not state['done']:
                want = 65536 if limit is None else min(65536, limit - len(seen))
                data = source.recv(want) if want > 0 else b''
                if want <= 0:
                    other = state['pumps']['down' if direction == 'up' else 'up']
                    self._apply(fault['kind'], state, client, server, other)
                    return
                if not data:
                    break
                seen += data
                target.sendall(data)
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_WR)
        except OSError:
            with contextlib.suppress(OSError):
                target.close()

    @staticmethod
    def _apply(kind, state, client, server, other):
        state['done'] = True
        if kind == 'stall':
            return  # nothing more either way; the sockets stay open until the proxy stops
        if kind == 'reset':
            # The other pump may sit in recv() on these sockets, and a socket a blocked call still holds is not
            # closed, so no RST would leave: wake it (SHUT_RD sends nothing), let it go, then close with linger 0.
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RD)
            # Unstarted after 2 s (a starved proxy), it cannot be joined: close without waiting, as before the event.
            if state['started'].wait(2) and other is not threading.current_thread():
                other.join(2)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        else:
            for sock in (client, server):  # both: the other pump and the emulator's handler see the end too
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.close()


def records(stream):
    """(offset, kind) where each TLS record of ``stream`` starts: kind ``handshake`` (22, and 20 change cipher spec),
    ``alert`` (21), ``application`` (23), or ``raw`` once the stream is not TLS (plain HTTP, Redis)."""
    found, position = [], 0
    names = {20: 'handshake', 21: 'alert', 22: 'handshake', 23: 'application'}
    while position + 5 <= len(stream):
        kind = stream[position]
        if kind not in names:
            return found + [(position, 'raw')]
        found.append((position, names[kind]))
        position += 5 + struct.unpack('>H', bytes(stream[position + 3:position + 5]))[0]
    return found


def where(stream, offset):
    """The kind of TLS record (or raw stream) that ``offset`` of ``stream`` falls in."""
    kind = 'raw'
    for start, name in records(stream):
        if start > offset:
            break
        kind = name
    return kind


def offsets(size, edge=512, stride=16):
    """Every offset 0..size-1 when the exchange is short; else every offset in the first and last ``edge`` bytes and
    every ``stride``-th in between."""
    if size <= 2 * edge:
        return list(range(size))
    return sorted(set(range(edge)) | set(range(edge, size - edge, stride)) | set(range(size - edge, size)))


class Outcome:
    """One replay: ``verdict`` (success, clear, bad), the message or error, the time it took, and the fault."""

    def __init__(self, fault, verdict, detail, seconds):
        self.fault, self.verdict, self.detail, self.seconds = fault, verdict, detail, seconds

    def __repr__(self):
        return '%s %s at %s %s of connection %s: %s (%.1f s)' % (  # connection: an index, or every
            self.verdict, self.fault['kind'], self.fault['direction'], self.fault['offset'], self.fault['connection'],
            self.detail[:300], self.seconds)


def judge(call, fault, bound, step_words, clean_words):
    """Run ``call()`` (a face of the collection against the proxy) and classify what it did.

    ``step_words``: what a clear line must name (the provider and the step); ``clean_words``: one of which says what
    happened to the connection. A line is clear when it is one line, names those, and is no 'unexpected error'."""
    started = time.monotonic()
    try:
        call()
    except Exception as err:  # pylint: disable=broad-except  # every failure is classified, none escapes
        seconds = time.monotonic() - started
        text = str(err)
        good = ('\n' not in text and 'unexpected error' not in text and 'Traceback' not in text
                and all(word in text for word in step_words) and any(word in text for word in clean_words)
                and seconds <= bound)
        return Outcome(fault, 'clear' if good else 'bad', '%s: %s' % (type(err).__name__, text), seconds)
    seconds = time.monotonic() - started
    return Outcome(fault, 'success' if seconds <= bound else 'bad', 'success', seconds)


def tally(outcomes):
    """``{verdict: count}`` and the longest time to a verdict."""
    counts = {}
    for outcome in outcomes:
        counts[outcome.verdict] = counts.get(outcome.verdict, 0) + 1
    return counts, max([outcome.seconds for outcome in outcomes] or [0.0])
