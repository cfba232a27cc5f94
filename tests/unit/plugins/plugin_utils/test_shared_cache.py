# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared cache's rules, against a stand-in for the store (the real Redis runs in the shared_cache target)."""

import sys
import threading
import time
import types

import pytest

from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options
from ansible_collections.tokensmith.auth.plugins.plugin_utils import _shared_cache
from ansible_collections.tokensmith.auth.plugins.plugin_utils._cache import StoreDown, TokenCache, open_caches
from ansible_collections.tokensmith.auth.plugins.plugin_utils._shared_cache import KEY_PREFIX, SharedCache

IDENTITY = ['nuvy', 'https://example/token', 'app', [], 'auto']
KEY = 'a-cache-key-of-enough-length'


class FakeStore:
    """Enough of a Redis client for these rules: GET, SET with an expiry, and a lock; ``down`` makes it fail."""

    class exceptions:  # pylint: disable=invalid-name  # the library's module layout
        class RedisError(Exception):
            pass

        class LockError(RedisError):
            pass

    def __init__(self):
        self.data, self.expiry, self.down, self.locks = {}, {}, False, {}
        self.guard = threading.Lock()

    def _check(self):
        if self.down:
            raise self.exceptions.RedisError('Error 111 connecting to 127.0.0.1:6379. Connection refused.')

    def get(self, key):
        self._check()
        return self.data.get(key)

    def set(self, key, value, ex=None):
        self._check()
        self.data[key], self.expiry[key] = value, ex

    def register_script(self, source):
        """The bounded GET script, as the server runs it."""
        assert source == _shared_cache._BOUNDED_GET  # pylint: disable=protected-access
        store = self

        def run(keys, args, client=None):
            value = store.get(keys[0])
            return -1 if value is not None and len(value) > int(args[0]) else value
        return run

    def lock(self, name, timeout, sleep, blocking_timeout, thread_local=True):
        store = self

        class Lock:
            def acquire(self):
                store._check()  # pylint: disable=protected-access
                deadline = time.time() + blocking_timeout
                while time.time() < deadline:
                    with store.guard:
                        if store.locks.get(name, 0) < time.time():
                            store.locks[name] = time.time() + timeout
                            return True
                    time.sleep(sleep)
                return False

            def release(self):
                store.locks.pop(name, None)
        return Lock()


def shared(store, **options):
    values = dict(cache_key=KEY)
    values.update(options)
    warnings = []
    library = types.SimpleNamespace(exceptions=FakeStore.exceptions)
    return SharedCache(store, library, values['cache_key'].encode(), 2.0, warnings.append), warnings


def test_entries_are_sealed_named_by_hmac_and_expire_with_their_token():
    store = FakeStore()
    cache, _warnings = shared(store)
    with cache.entry(IDENTITY, 's3cret') as entry:
        entry.store({'token': {'access_token': 'tok-abcdefgh'}}, time.time() + 120)
    assert len(store.data) == 1
    key, blob = next(iter(store.data.items()))
    assert key.startswith(KEY_PREFIX) and b'tok-abcdefgh' not in blob and 's3cret' not in key and 'app' not in key
    assert 119 <= store.expiry[key] <= 122
    assert cache.peek(IDENTITY, 's3cret') == {'token': {'access_token': 'tok-abcdefgh'}}
    assert cache.peek(IDENTITY, 'another-secret') is None
    other, _warnings = shared(store, cache_key='another-cache-key-123456')
    assert other.peek(IDENTITY, 's3cret') is None  # another cache key names (and seals) it differently


def test_an_expired_token_is_not_stored():
    store = FakeStore()
    cache, _warnings = shared(store)
    with cache.entry(IDENTITY, 's3cret') as entry:
        entry.store({'token': {}}, time.time() - 5)
    assert store.data == {}


@pytest.mark.parametrize('when', ['peek', 'lock', 'load', 'store'])
def test_a_failing_store_raises_store_down_after_one_report(when):
    store = FakeStore()
    cache, warnings = shared(store)
    with pytest.raises(StoreDown):
        if when == 'peek':
            store.down = True
            cache.peek(IDENTITY, 's3cret')
        elif when == 'lock':
            store.down = True
            with cache.entry(IDENTITY, 's3cret'):
                pass
        else:
            with cache.entry(IDENTITY, 's3cret') as entry:
                store.down = True
                entry.load() if when == 'load' else entry.store({}, time.time() + 60)
    assert len(warnings) == 1 and 'Connection refused' in warnings[0]


def test_a_dead_holder_s_lock_expires_and_a_waiter_goes_on():
    store = FakeStore()
    cache, _warnings = shared(store)
    name = None
    with cache.entry(IDENTITY, 's3cret') as entry:
        name = entry.key + ':lock'
    store.locks[name] = time.time() + 0.5  # a holder that died half a second before its lock expires
    started = time.time()
    with cache.entry(IDENTITY, 's3cret'):
        assert 0.4 <= time.time() - started < 2


def options(tmp_path, **extra):
    values = dict(cache=True, cache_dir=str(tmp_path / 'local'), cache_url='redis://127.0.0.1:1/0', cache_key=KEY,
                  timeout=1)
    values.update(extra)
    return Options(values)


def test_the_shared_store_is_opened_only_when_the_local_cache_misses(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(_shared_cache.SharedCache, 'open', classmethod(lambda cls, *args: opened.append(args)))
    caches = open_caches(options(tmp_path), AssertionError)
    assert [type(cache).__name__ for cache in caches] == ['TokenCache', 'Deferred'] and opened == []
    with pytest.raises(StoreDown):  # opened now; it gave nothing back (as when it reported a problem)
        caches[1].peek(IDENTITY, 's3cret')
    assert len(opened) == 1


def test_without_the_client_library_a_clear_warning_names_the_pip_command(tmp_path, monkeypatch):
    monkeypatch.setattr(_shared_cache, '_client_library', lambda: None)
    warnings = []
    with pytest.raises(StoreDown):
        open_caches(options(tmp_path), warnings.append)[1].peek(IDENTITY, 's3cret')
    assert 'pip install redis' in warnings[0]


@pytest.mark.parametrize('key', [None, 'short'])
def test_without_a_cache_key_the_shared_cache_is_not_used(tmp_path, monkeypatch, key):
    monkeypatch.setattr(_shared_cache, '_client_library', lambda: sys.modules[__name__])
    warnings = []
    with pytest.raises(StoreDown):
        open_caches(options(tmp_path, cache_key=key), warnings.append)[1].peek(IDENTITY, 's3cret')
    assert 'TOKENSMITH_CACHE_KEY' in warnings[0]


def test_a_store_that_failed_moments_ago_is_skipped_with_the_same_words(tmp_path):
    pytest.importorskip('redis')
    warnings = []
    for _attempt in range(3):
        with pytest.raises(StoreDown):  # nothing listens on port 1; after the first, not even asked
            open_caches(options(tmp_path), warnings.append)[1].peek(IDENTITY, 's3cret')
    assert len(warnings) == 3 and len(set(warnings)) == 1 and 'Connection refused' in warnings[0]


def test_the_password_in_the_url_never_reaches_a_warning(tmp_path):
    pytest.importorskip('redis')
    warnings = []
    with pytest.raises(StoreDown):
        open_caches(options(tmp_path, cache_url='redis://user:Store-Pa55@127.0.0.1:1/0'),
                    warnings.append)[1].peek(IDENTITY, 's3cret')
    assert warnings and 'Store-Pa55' not in ' '.join(warnings)


def test_two_controllers_share_one_token_and_a_dead_store_only_costs_a_warning(emulator, tmp_path, monkeypatch):
    from ansible_collections.tokensmith.auth.plugins.plugin_utils import _lookup
    from ansible_collections.tokensmith.auth.tests.unit.plugins.plugin_utils.test_lookup import lookup
    store = FakeStore()
    warnings = []

    def caches(controller):
        def open_for(options, warn):
            return [TokenCache.open(str(tmp_path / controller), warn), shared(store)[0]]
        return open_for
    for controller in ('a', 'b', 'c'):
        monkeypatch.setattr(_lookup, 'open_caches', caches(controller))
        assert lookup(emulator, 'nuvy', tmp_path, warnings)
    assert emulator.count('nuvy.token') == 1 and len(store.data) == 1
    store.down = True
    monkeypatch.setattr(_lookup, 'open_caches', caches('d'))
    assert lookup(emulator, 'nuvy', tmp_path, warnings)
    assert lookup(emulator, 'nuvy', tmp_path, warnings)  # the local cache of d holds it now
    assert emulator.count('nuvy.token') == 2 and warnings == []  # reported through the store's own report


def test_the_entry_and_its_lock_share_a_hash_tag():
    store = FakeStore()
    cache, _warnings = shared(store)
    names = []
    store.lock = lambda name, **kwargs: names.append(name) or FakeStore.lock(store, name, **kwargs)
    with cache.entry(IDENTITY, 's3cret') as entry:
        entry.store({'token': 'x'}, time.time() + 60)
    key = list(store.data)[0]
    tag = key[key.index('{'):key.index('}') + 1]
    assert key.startswith(KEY_PREFIX + '{') and names == [key + ':lock'] and tag in names[0] and len(tag) > 10


class Library:
    """Enough of redis-py to see how the client would be built."""

    class exceptions(FakeStore.exceptions):  # pylint: disable=invalid-name
        pass

    class retry:  # pylint: disable=invalid-name
        Retry = staticmethod(lambda backoff, retries: ('retry', retries))

    class backoff:  # pylint: disable=invalid-name
        NoBackoff = staticmethod(lambda: 'no backoff')

    def __init__(self):
        self.built = []
        library = self

        class Redis:
            @staticmethod
            def from_url(url, **settings):
                library.built.append((url, settings))
                return FakeStore()
        self.Redis = Redis

        class Sentinel:
            def __init__(self, sentinels, sentinel_kwargs=None, **nodes):
                self.args = (sentinels, sentinel_kwargs, nodes)

            def master_for(self, service):
                library.sentinels.append(self.args + (service,))
                return FakeStore()
        self.Sentinel = Sentinel
        self.sentinels = []

        class RedisCluster:
            @staticmethod
            def from_url(url, **settings):
                library.built.append(('cluster', url, settings))
                return FakeStore()
        self.RedisCluster = RedisCluster
        self.cluster = types.SimpleNamespace(ClusterNode=lambda host, port: (host, port))


def open_shared(monkeypatch, tmp_path, **options):
    library = Library()
    monkeypatch.setattr(_shared_cache, '_client_library', lambda: library)
    warnings = []
    values = dict(cache_key=KEY, timeout=30)
    values.update(options)
    return SharedCache.open(Options(values), warnings.append, str(tmp_path)), library, warnings


@pytest.mark.parametrize('query', ['socket_timeout=30', 'ssl_cert_reqs=none', 'SSL_CHECK_HOSTNAME=false',
                                   'retry_on_timeout=yes&db=0'])
def test_query_options_that_weaken_the_settings_are_refused(monkeypatch, tmp_path, query):
    cache, library, warnings = open_shared(monkeypatch, tmp_path, cache_url='rediss://:Pw-1234@h:6380/0?' + query)
    assert cache is None and library.built == [] and len(warnings) == 1
    assert 'would override' in warnings[0] and 'Pw-1234' not in warnings[0] and query.split('=')[0].lower() in warnings[0]


@pytest.mark.parametrize('url, expected', [('redis://doc@h:6379/0', 'Cache-Pw-1'), ('redis://h:6379/0', 'Cache-Pw-1'),
                                           ('redis://doc:Url-Pw-2@h:6379/0', None)])
def test_cache_password_applies_whenever_the_url_has_no_password(monkeypatch, tmp_path, url, expected):
    cache, library, _warnings = open_shared(monkeypatch, tmp_path, cache_url=url, cache_password='Cache-Pw-1')
    assert cache is not None and library.built[0][1].get('password') == expected


class ClusterNode(FakeStore):
    """A plain client at one node of a cluster: every key answers MOVED."""

    def get(self, key):
        raise FakeStore.exceptions.RedisError('MOVED 3999 127.0.0.1:7001')

    def lock(self, name, timeout, sleep, blocking_timeout, thread_local=True):
        raise FakeStore.exceptions.RedisError('MOVED 3999 127.0.0.1:7001')


def cluster_cache(mode, database=''):
    built = []
    stores = {False: ClusterNode(), True: FakeStore()}

    def build(clustered):
        built.append(clustered)
        if clustered and database:
            raise ValueError('database %s' % database)
        return stores[clustered]
    warnings = []
    library = types.SimpleNamespace(exceptions=FakeStore.exceptions)
    url = 'redis://node-%s-%s/%s' % (mode, len(_shared_cache._CLUSTERS), database)  # pylint: disable=protected-access
    return SharedCache(None, library, KEY.encode(), 2.0, warnings.append, build, mode, url), built, warnings, stores


def test_auto_switches_to_the_cluster_client_on_moved_silently_and_remembers_it():
    cache, built, warnings, stores = cluster_cache('auto')
    with cache.entry(IDENTITY, 's3cret') as entry:
        entry.store({'token': 'x'}, time.time() + 60)
    assert cache.peek(IDENTITY, 's3cret') == {'token': 'x'} and warnings == [] and built == [False, True]
    assert list(stores[True].data) and not stores[False].data
    again = SharedCache(None, cache.library, KEY.encode(), 2.0, warnings.append, cache._build, 'auto',  # pylint: disable=protected-access
                        cache._url)  # pylint: disable=protected-access
    again.peek(IDENTITY, 's3cret')
    assert built == [False, True, True]  # a later evaluation in this process starts with the cluster client


@pytest.mark.parametrize('mode', ['false', 'true'])
def test_false_reports_moved_and_true_starts_clustered(mode):
    cache, built, warnings, _stores = cluster_cache(mode)
    if mode == 'false':
        with pytest.raises(StoreDown):
            cache.peek(IDENTITY, 's3cret')
        assert len(warnings) == 1 and 'MOVED' in warnings[0] and built == [False]
    else:
        assert cache.peek(IDENTITY, 's3cret') is None and warnings == [] and built == [True]


def test_a_database_other_than_0_on_a_cluster_is_one_clear_warning():
    cache, _built, warnings, _stores = cluster_cache('auto', database='1')
    with pytest.raises(StoreDown):
        cache.peek(IDENTITY, 's3cret')
    assert len(warnings) == 1 and 'database 1' in warnings[0] and 'only database 0' in warnings[0]


def test_a_read_only_replica_has_its_own_warning():
    store = FakeStore()
    cache, warnings = shared(store)

    def refuse(*_args, **_kwargs):
        raise FakeStore.exceptions.RedisError("READONLY You can't write against a read only replica.")
    store.set = refuse
    with pytest.raises(StoreDown):
        with cache.entry(IDENTITY, 's3cret') as entry:
            entry.store({'token': 'x'}, time.time() + 60)
    assert len(warnings) == 1 and 'read-only replica' in warnings[0] and 'primary endpoint' in warnings[0]


class FakeClock:
    def __init__(self):
        self.now, self.sleeps = 1000.0, []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class ConnectionError(FakeStore.exceptions.RedisError):  # pylint: disable=redefined-builtin  # redis-py's name
    pass


def failing_cluster(failures):
    """A cluster client whose GET fails ``failures`` times (a master being replaced), then answers."""
    cache, built, warnings, stores = cluster_cache('true')
    clock = FakeClock()
    cache._clock, cache._sleep = (lambda: clock.now), clock.sleep  # pylint: disable=protected-access
    left = [failures]

    def get(key):
        if left[0]:
            left[0] -= 1
            raise ConnectionError('Error 111 connecting to 127.0.0.1:7001. Connection refused.')
        return None
    stores[True].get = get
    return cache, built, warnings, clock


def test_a_cluster_failover_is_retried_as_a_whole_within_5_s():
    cache, built, warnings, clock = failing_cluster(23)  # 2.3 s of failures at 0.1 s a try
    assert cache.peek(IDENTITY, 's3cret') is None and warnings == []
    # one client throughout: it knows the other nodes (the one in the URL may be the dead master)
    assert len(clock.sleeps) == 23 and built == [True]


def test_a_cluster_down_for_longer_than_5_s_is_reported_once():
    cache, _built, warnings, clock = failing_cluster(1000)
    with pytest.raises(StoreDown):
        cache.peek(IDENTITY, 's3cret')
    assert len(warnings) == 1 and 'ConnectionError' in warnings[0]
    assert 4.9 <= sum(clock.sleeps) <= 5.1  # the cap, on the fake clock


def test_a_plain_store_that_fails_is_reported_at_once():
    store = FakeStore()
    cache, warnings = shared(store)
    store.down = True
    with pytest.raises(StoreDown):
        cache.peek(IDENTITY, 's3cret')
    assert len(warnings) == 1


@pytest.mark.parametrize('value, opened', [('', True), ('AUTO', True), ('false', True), ('sometimes', False)])
def test_cache_cluster_values(monkeypatch, tmp_path, value, opened):
    cache, _library, warnings = open_shared(monkeypatch, tmp_path, cache_url='redis://h:6379/0', cache_cluster=value)
    assert (cache is not None) == opened and (warnings == []) == opened


# Sentinel

@pytest.mark.parametrize('url, expected', [
    ('redis+sentinel://s1/mymaster', dict(sentinels=[('s1', 26379)], service='mymaster', db=0, tls=False)),
    ('rediss+sentinel://s1:26380,s2,[::1]:26381,[fe80::1]/my%20master/2',
     dict(sentinels=[('s1', 26380), ('s2', 26379), ('::1', 26381), ('fe80::1', 26379)], service='my master', db=2,
          tls=True)),
    ('redis+sentinel://doc:Pw%40rd@s1/m?sentinel_username=watch&sentinel_password=Sw-1',
     dict(username='doc', password='Pw@rd', sentinel_username='watch', sentinel_password='Sw-1')),
    ('redis+sentinel://doc@s1/m', dict(username='doc', password=None, sentinel_password=None)),
])
def test_sentinel_urls(url, expected):
    place = _shared_cache.parse_sentinel_url(url)
    assert dict((name, place[name]) for name in expected) == expected


@pytest.mark.parametrize('url, words', [
    ('redis+sentinel://doc:Pw-9876@s1:26379', 'names no Sentinel service'),
    ('redis+sentinel://doc:Pw-9876@s1:26379/', 'names no Sentinel service'),
    ('redis+sentinel://doc:Pw-9876@s1:port/m', 'not a number'),
    ('redis+sentinel://doc:Pw-9876@s1:70000/m', 'not a number'),
    ('redis+sentinel://doc:Pw-9876@s1,,s2/m', 'without a host'),
    ('redis+sentinel://doc:Pw-9876@[::1]x/m', 'IPv6'),
    ('redis+sentinel://doc:Pw-9876@s1/m/one', 'a number'),
    ('redis+sentinel://doc:Pw-9876@s1/m?password=Pw-9876', 'password'),
])
def test_a_bad_sentinel_url_is_one_clear_warning_without_its_secrets(monkeypatch, tmp_path, url, words):
    cache, library, warnings = open_shared(monkeypatch, tmp_path, cache_url=url)
    assert cache is None and library.sentinels == [] and len(warnings) == 1
    assert words in warnings[0] and 'Pw-9876' not in warnings[0] and 'local cache' in warnings[0]


def test_a_sentinel_client_gets_the_settings_tls_and_both_passwords(monkeypatch, tmp_path):
    cache, library, warnings = open_shared(
        monkeypatch, tmp_path, cache_url='rediss+sentinel://doc@s1,s2:26380/mymaster/0', cache_password='Data-Pw',
        cache_sentinel_password='Sentinel-Pw', cache_ca_path='/ca.pem')
    assert cache.peek(IDENTITY, 's3cret') is None and warnings == []
    (sentinels, sentinel_kwargs, nodes, service), = library.sentinels
    assert sentinels == [('s1', 26379), ('s2', 26380)] and service == 'mymaster'
    assert nodes['username'] == 'doc' and nodes['password'] == 'Data-Pw' and sentinel_kwargs['password'] == 'Sentinel-Pw'
    for settings in (nodes, sentinel_kwargs):
        assert settings['ssl'] is True and settings['ssl_ca_certs'] == '/ca.pem'
        assert settings['socket_timeout'] == _shared_cache.SOCKET_TIMEOUT and settings['retry'] == ('retry', 0)


def test_the_sentinel_password_in_the_query_wins_over_the_option(monkeypatch, tmp_path):
    cache, library, _warnings = open_shared(
        monkeypatch, tmp_path, cache_url='redis+sentinel://doc:Url-Pw@s1/m?sentinel_password=Query-Pw',
        cache_password='Data-Pw', cache_sentinel_password='Sentinel-Pw')
    cache.peek(IDENTITY, 's3cret')
    (_sentinels, sentinel_kwargs, nodes, _service), = library.sentinels
    assert nodes['password'] == 'Url-Pw' and sentinel_kwargs['password'] == 'Query-Pw' and 'ssl' not in nodes


def test_a_sentinel_failover_is_waited_out_with_the_same_client():
    store = FakeStore()
    built, warnings, clock = [], [], FakeClock()
    library = types.SimpleNamespace(exceptions=FakeStore.exceptions)
    cache = SharedCache(None, library, KEY.encode(), 2.0, warnings.append, lambda _c: built.append(1) or store,
                        'false', 'redis+sentinel://s1/m', sentinel=True)
    cache._clock, cache._sleep = (lambda: clock.now), clock.sleep  # pylint: disable=protected-access
    answers = [ConnectionError('The previous master is now a slave')] * 5 + [None]

    def get(key):
        answer = answers.pop(0)
        if answer:
            raise answer
    store.get = get
    assert cache.peek(IDENTITY, 's3cret') is None and warnings == [] and built == [1] and len(clock.sleeps) == 5


# One budget for the store work of an evaluation

class Stuck(FakeStore):
    """A store that trickles: a GET that never completes until the client is closed."""

    def __init__(self):
        super().__init__()
        self.closed = threading.Event()

    def get(self, key):
        self.closed.wait(30)
        raise ConnectionError('Connection closed by server.')

    def close(self):
        self.closed.set()


def test_a_store_that_trickles_is_cut_at_the_budget_and_its_client_closed(monkeypatch):
    monkeypatch.setattr(_shared_cache, 'STORE_BUDGET', 0.2)
    store = Stuck()
    cache, warnings = shared(store)
    with pytest.raises(StoreDown):
        cache.peek(IDENTITY, 's3cret')
    assert store.closed.is_set() and len(warnings) == 1 and 'no whole answer within' in warnings[0]


def test_the_budget_is_for_the_whole_evaluation_not_each_answer():
    store = FakeStore()
    cache, warnings = shared(store)
    clock = FakeClock()
    cache._clock = lambda: clock.now  # pylint: disable=protected-access
    asked = []

    def slow_get(key):  # each answer in time, 2 s of the budget each
        asked.append(key)
        clock.now += 2.0
    store.get = slow_get
    cache.peek(IDENTITY, 's3cret')
    cache.peek(IDENTITY, 's3cret')
    cache.peek(IDENTITY, 's3cret')  # 1 s left: asked (a slower answer would be cut at 1 s, as above)
    with pytest.raises(StoreDown):
        cache.peek(IDENTITY, 's3cret')  # nothing left: not even asked
    assert len(asked) == 3 and len(warnings) == 1 and 'no whole answer within 5 s' in warnings[0]


def test_a_value_larger_than_any_entry_is_refused_unread():
    store = FakeStore()
    cache, warnings = shared(store)
    with cache.entry(IDENTITY, 's3cret') as entry:
        entry.store({'token': 'x'}, time.time() + 60)
    key = next(iter(store.data))
    store.data[key] = b'x' * (_shared_cache.ENTRY_LIMIT + 1)
    assert cache.peek(IDENTITY, 's3cret') is None and warnings == []  # a miss: the next fetch overwrites it


def test_every_entry_the_collection_can_seal_fits_the_limit():
    from ansible_collections.tokensmith.auth.plugins.module_utils import _http  # pylint: disable=import-outside-toplevel
    sealer = _shared_cache.Sealer(KEY.encode(), IDENTITY, 's3cret')
    worst = '\u0001' * _http.ANSWER_LIMIT  # every character escaped by JSON, 6 bytes each
    assert len(sealer.seal({'token': worst})) <= _shared_cache.ENTRY_LIMIT


def test_a_url_naming_several_nodes_is_a_cluster_found_through_any_of_them(monkeypatch, tmp_path):
    cache, library, warnings = open_shared(monkeypatch, tmp_path, cache_url='rediss://doc@n1:7000,n2,[::1]:7002/0',
                                           cache_password='Data-Pw', cache_cluster='false')
    assert cache.peek(IDENTITY, 's3cret') is None and warnings == []
    kind, url, settings = library.built[-1]  # after the parse-only plain client
    assert kind == 'cluster' and url == 'rediss://doc@n1:7000/0' and settings['password'] == 'Data-Pw'
    assert settings['startup_nodes'] == [('n2', 6379), ('::1', 7002)]


def test_a_bad_node_list_is_one_clear_warning(monkeypatch, tmp_path):
    cache, _library, warnings = open_shared(monkeypatch, tmp_path, cache_url='redis://doc:Pw-9876@n1:7000,n2:x/0')
    assert cache is None and len(warnings) == 1 and 'node port' in warnings[0] and 'Pw-9876' not in warnings[0]
