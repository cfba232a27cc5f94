# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The exchanges the fault sweep replays (faults.py), each a step of a provider's flow as the modules and the lookup
run it, against the emulator through the fault proxy. Test-only; never shipped.

Shared by the bounded sweep of ``make test`` (tests/unit/sweep) and the full one of ``make sweep``
(tests/benchmarks/fault_sweep.py). Each exchange sets the emulator up for its step with direct requests (never
through the proxy), runs the step through the proxy, and - for a step that changes state at the server - checks after
each fault that a clean run still leaves the user a working token: a fault there must not leave the user worse off
than a failure with no state change.
"""

import os
import shutil
import tempfile
import time
from types import SimpleNamespace

from .credentials import CREDENTIALS
from .faults import DIRECTIONS, KINDS, FaultProxy, judge, offsets, where

TIMEOUT = 1.5   # seconds per attempt in the sweep: a stall costs this much
RETRIES = 1     # so a fault on the first connection is healed by the second
BACKOFF = 0.01  # the sweep's backoff base (the collection's is 1 s); the bound counts it
SETUP_TIMEOUT, SETUP_RETRIES = 30, 2  # set-ups and checks beside the step under test
# A verdict within the documented bound: each request of the step takes at most (retries + 1) attempts of timeout
# each and the waits between them; plus slack for a loaded machine (the proxy and the emulator share it).
SLACK = 5.0
# What a clear failure names: the connection's fate, in the collection's words.
CONNECTION_WORDS = ('could not get an answer from',)


def bound(requests):
    return requests * (TIMEOUT * (RETRIES + 1) + BACKOFF * 2 ** RETRIES) + SLACK


def _modules():
    # pylint: disable=import-outside-toplevel  # the collection's code, imported where the collection is importable
    from ansible_collections.tokensmith.auth.plugins.module_utils import _http
    from ansible_collections.tokensmith.auth.plugins.module_utils._errors import Redactor
    from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
    from ansible_collections.tokensmith.auth.plugins.module_utils._providers import load
    from ansible_collections.tokensmith.auth.plugins.plugin_utils._lookup import TokenLookup
    return SimpleNamespace(http=_http, Redactor=Redactor, Options=Options, load=load, TokenLookup=TokenLookup)


class Exchange:
    """One step: ``name``; ``words`` a clear failure names (provider and step); ``prepare(direct)`` sets the emulator
    up and returns the options the step starts from; ``run(options)`` the step, through the proxy; ``check(direct)``
    (optional) that the user still gets a working token after it."""

    def __init__(self, name, provider, words, requests=1, nexus='/nxrm/3.70.1', prepare=None, check=None,
                 face='module'):
        self.name, self.provider, self.words, self.face = name, provider, words, face
        self.nexus, self.prepare, self.check = nexus, prepare, check
        self.bound = bound(requests)  # requests: how many the step makes at most (Nexus: tickets and token calls)


def _values(base, url, nexus='/nxrm/3.70.1'):
    """Every option of every provider, pointed at ``url`` (the emulator, or the proxy before it); ``nexus``: the
    Nexus instance's path there."""
    return dict(api_url=url + '/nexla-api', service_key=CREDENTIALS['test_nexla_service_key'], url=url + nexus,
                token_url=url + '/nexus/oauth2/token', revocation_url=url + '/nexus/oauth2/revoke',
                client_id=CREDENTIALS['test_nuvy_client_id'], client_secret=CREDENTIALS['test_nuvy_client_secret'],
                scope=[], auth_method='auto', username=CREDENTIALS['test_nexus_username'],
                password=CREDENTIALS['test_nexus_password'], api_version='auto', ca_path=base['ca'],
                validate_certs=True, timeout=TIMEOUT, retries=RETRIES, use_proxy=False, allow_plain_http=False,
                client_cert=None, client_key=None, min_ttl=None, register_fact=False, state='present', token=None,
                output='token', cache=True, cache_url=None, renew=None, on_error='fail')


class Runner:
    """Runs exchanges against the emulator at ``base`` (dict url, ca, reset(), invalidate(provider))."""

    def __init__(self, base):
        self.base = base
        self.m = _modules()
        self.m.http.BACKOFF_BASE = BACKOFF
        self.scratch = tempfile.mkdtemp(prefix='tokensmith-sweep-')

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def direct(self, provider, nexus='/nxrm/3.70.1', **options):
        """A step straight at the emulator (no proxy), for set-ups and checks: not what is under test, so with time
        and retries to spare on a busy machine."""
        values = dict(_values(self.base, self.base['url'], nexus), timeout=SETUP_TIMEOUT, retries=SETUP_RETRIES)
        values.update(options)
        opts = self.m.Options(values)
        return self.m.load(provider).run(opts, self.m.http.HttpClient(opts, provider, self.m.Redactor()))

    def face(self, exchange, url, options):
        """The step through ``url`` (the proxy), by the face the exchange names: the module's flow, or the lookup's
        miss path (a fresh cache directory, so the provider is asked)."""
        values = dict(_values(self.base, url, exchange.nexus), **options)
        if exchange.face == 'lookup':
            values['cache_dir'] = tempfile.mkdtemp(dir=self.scratch)
            plugin = SimpleNamespace(get_option=values.get)
            return lambda: self.m.TokenLookup(exchange.provider, plugin, lambda message: None).result()
        opts = self.m.Options(values)
        provider = self.m.load(exchange.provider)
        return lambda: provider.run(opts, self.m.http.HttpClient(opts, exchange.provider, self.m.Redactor()))

    def record(self, exchange):
        """The clean exchange: the bytes of each connection, each way."""
        options = exchange.prepare(self) if exchange.prepare else {}
        with FaultProxy(self.upstream()) as proxy:
            outcome = judge(self.face(exchange, self.proxy_url(proxy), options), {}, exchange.bound, exchange.words,
                            CONNECTION_WORDS)
        if outcome.verdict != 'success':
            raise AssertionError('%s fails without a fault: %s' % (exchange.name, outcome.detail))
        return [dict(up=bytes(seen['up']), down=bytes(seen['down'])) for seen in proxy.connections]

    def upstream(self):
        host_port = self.base['url'].split('://', 1)[1]
        return host_port.rsplit(':', 1)[0], int(host_port.rsplit(':', 1)[1])

    @staticmethod
    def proxy_url(proxy):
        return 'https://127.0.0.1:%d' % proxy.port

    def replay(self, exchange, fault):
        """One fault: the step through the proxy, judged; then, where the step changes state, the check."""
        options = exchange.prepare(self) if exchange.prepare else {}
        with FaultProxy(self.upstream(), fault) as proxy:
            outcome = judge(self.face(exchange, self.proxy_url(proxy), options), fault, exchange.bound, exchange.words,
                            CONNECTION_WORDS)
        if exchange.check and outcome.verdict != 'bad':
            try:
                exchange.check(self)
            except Exception as err:  # pylint: disable=broad-except  # a check that fails makes the outcome bad
                outcome.verdict, outcome.detail = 'bad', 'the user is worse off after it: %s' % err
        return outcome

    def faults(self, exchange, recorded, plan):
        """The faults to try: ``plan(size, kind)`` gives the offsets of one direction of one connection, and
        ``plan(size, 'every')`` those where the fault strikes every connection (no retry heals it)."""
        for index, connection in enumerate(recorded):
            for direction in DIRECTIONS:
                stream = connection[direction]
                for kind in KINDS:
                    for offset in plan(len(stream), kind):
                        yield dict(connection=index, direction=direction, offset=offset, kind=kind,
                                   where=where(stream, offset))
                    if index == 0 and kind != 'stall':
                        for offset in plan(len(stream), 'every'):
                            yield dict(connection='every', direction=direction, offset=offset, kind=kind,
                                       where=where(stream, offset))


def _login(runner):
    return dict(token=runner.direct('nexla'), min_ttl=0)


def _nexla_near_end(runner):
    token = runner.direct('nexla')
    return dict(token=token, min_ttl=100000)  # reuse is impossible: the step is the refresh


def _nuvy_token(runner):
    return dict(token=runner.direct('nuvy'), state='absent')


def _nexla_logout(runner):
    return dict(token=runner.direct('nexla'), state='absent')


def _no_nexus_token(runner):
    runner.base['invalidate']('nexus')
    return {}


def _nexus_token(runner):
    runner.direct('nexus')
    return {}


def _nexus_reset(runner):
    runner.direct('nexus')
    return dict(state='reset')


def _a_working_nexus_token(runner):
    """A clean run gets a token the server takes (a fault mid-create or mid-reset left no dead end)."""
    token = runner.direct('nexus')
    if not token.get('pass_code') or not runner.base['protected_nexus'](token['name_code'], token['pass_code']):
        raise AssertionError('a clean run after the fault got no working Nexus token')


def _a_working_nexla_session(runner):
    session = runner.direct('nexla')
    if not runner.base['protected_nexla'](session['access_token']):
        raise AssertionError('a clean run after the fault got no working Nexla session')


def exchanges():
    """Every step of every flow the sweep covers."""
    nexus_words = ('nexus ', ' request')
    return [
        Exchange('nexla login', 'nexla', ('nexla login',)),
        Exchange('nexla refresh', 'nexla', ('nexla refresh',), requests=2, prepare=_nexla_near_end,
                 check=_a_working_nexla_session),
        Exchange('nexla logout', 'nexla', ('nexla logout',), prepare=_nexla_logout),
        Exchange('nuvy token', 'nuvy', ('nuvy token request',)),
        Exchange('nuvy revocation', 'nuvy', ('nuvy revocation',), prepare=_nuvy_token),
        Exchange('nexus 2.x ticket and current', 'nexus', nexus_words, requests=3, nexus='/nxrm/2.14.5/nexus'),
        Exchange('nexus 3 ticket and create', 'nexus', nexus_words, requests=5, prepare=_no_nexus_token,
                 check=_a_working_nexus_token),
        Exchange('nexus 3 ticket and read', 'nexus', nexus_words, requests=3, prepare=_nexus_token),
        Exchange('nexus 3 ticket and reset', 'nexus', nexus_words, requests=5, prepare=_nexus_reset,
                 check=_a_working_nexus_token),
        Exchange('lookup miss (nuvy)', 'nuvy', ('nuvy token request',), face='lookup'),
    ]


def sample_plan(size, kind):
    """The bounded sweep's fixed sample: the first bytes (inside the handshake), the middle, and the last bytes (the
    answer's end); fewer stalls, as each costs a whole timeout; a few faults on every connection."""
    picks = dict(stall=[size // 2, size - 1], every=[1, size // 2, size - 1]).get(
        kind, [0, 1, size // 3, size // 2, size - 2, size - 1])
    return sorted(set(offset for offset in picks if 0 <= offset < size))


def full_plan(size, kind):
    """The full sweep: every offset of a short exchange, every one of the first and last 512 bytes of a long one and
    a stride of 16 between (``faults.offsets``); stalls in the first and last 16 bytes and at a stride of 128 between,
    each costing a whole timeout."""
    if kind == 'every':  # no retry heals these: a stride suffices to show each ends in one clear line
        return offsets(size, edge=16, stride=64)
    return offsets(size) if kind != 'stall' else offsets(size, edge=16, stride=128)


def cleanup_env():
    """The sweep's TLS is the emulator's: no CA bundle from the environment may stand in."""
    for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'https_proxy', 'HTTPS_PROXY', 'no_proxy'):
        os.environ.pop(name, None)


class StoreRunner:
    """The shared cache's store exchange - the lookup's miss path through a Redis store (plain TCP, so offsets are
    the protocol's own bytes) behind the fault proxy: every fault ends with a token served from the local cache after
    at most one warning, the documented one, within the store's budget; and the store holds the whole entry or none:
    what a clean client reads afterwards is nothing or exactly the token served (a half-written value never opens)."""

    WARNING = 'tokensmith shared token cache unavailable'
    SOCKET_TIMEOUT, STORE_BUDGET = 0.5, 1.5   # the sweep's pace (2 s and 5 s in use); the rules are the same

    def __init__(self, emulator_url, emulator_ca, redis_port, redis_password):
        # pylint: disable=import-outside-toplevel  # the collection's code, where the collection is importable
        from ansible_collections.tokensmith.auth.plugins.plugin_utils import _shared_cache
        _shared_cache.SOCKET_TIMEOUT, _shared_cache.STORE_BUDGET = self.SOCKET_TIMEOUT, self.STORE_BUDGET
        self.m = _modules()
        self.shared = _shared_cache
        self.emulator_url, self.emulator_ca = emulator_url, emulator_ca
        self.upstream, self.password = ('127.0.0.1', int(redis_port)), redis_password
        self.scratch = tempfile.mkdtemp(prefix='tokensmith-store-sweep-')
        self.bound = self.STORE_BUDGET + 2 * self.SOCKET_TIMEOUT + SLACK  # the budget, a lock's release, slack
        self.cases, self.run = 0, os.urandom(6).hex()  # a cache key per case: each starts with a store that misses

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def values(self, port):
        self.cases += 1
        values = _values(dict(ca=self.emulator_ca), self.emulator_url)
        values.update(cache_dir=tempfile.mkdtemp(dir=self.scratch), cache_url='redis://:%s@127.0.0.1:%d/0'
                      % (self.password, port), cache_key='store-sweep-%s-%06d' % (self.run, self.cases))
        return values

    def lookup(self, values, warnings):
        plugin = SimpleNamespace(get_option=values.get)
        return self.m.TokenLookup('nuvy', plugin, warnings.append).result()

    def record(self):
        with FaultProxy(self.upstream) as proxy:
            warnings = []
            self.lookup(self.values(proxy.port), warnings)
        if warnings:
            raise AssertionError('the store exchange warns without a fault: %s' % warnings)
        return [dict(up=bytes(seen['up']), down=bytes(seen['down'])) for seen in proxy.connections]

    def replay(self, fault):
        from .faults import Outcome  # pylint: disable=import-outside-toplevel
        with FaultProxy(self.upstream, fault) as proxy:
            values, warnings = self.values(proxy.port), []
            started = time.monotonic()
            try:
                token = self.lookup(values, warnings)
            except Exception as err:  # pylint: disable=broad-except  # a store must never fail the lookup
                return Outcome(fault, 'bad', 'the lookup failed: %s' % err, time.monotonic() - started)
            seconds = time.monotonic() - started
        problems = []
        if len(warnings) > 1 or any(self.WARNING not in warning for warning in warnings):
            problems.append('warnings: %s' % warnings)
        if seconds > self.bound:
            problems.append('%.1f s, past the bound of %.1f s' % (seconds, self.bound))
        stored = self._stored(values)
        if stored is not None and stored.get('token', {}).get('access_token') != token['access_token']:
            problems.append('the store holds another token than the one served')
        verdict = 'bad' if problems else ('clear' if warnings else 'success')
        return Outcome(fault, verdict, '; '.join(problems) or (warnings[0] if warnings else 'success'), seconds)

    def _stored(self, values):
        """What a clean client reads of the entry now (straight at the store, no proxy): None or the whole entry."""
        clean = dict(values, cache_url='redis://:%s@127.0.0.1:%d/0' % (self.password, self.upstream[1]))
        cache = self.shared.SharedCache.open(self.m.Options(clean), lambda message: None, None)
        identity = ['nuvy', clean['token_url'], clean['client_id'], clean['scope'], clean['auth_method']]
        return cache.peek(identity, clean['client_secret'])

    @staticmethod
    def faults(recorded, plan):
        for index, connection in enumerate(recorded):
            for direction in DIRECTIONS:
                for kind in KINDS:
                    for offset in plan(len(connection[direction]), kind):
                        yield dict(connection=index, direction=direction, offset=offset, kind=kind, where='raw')
