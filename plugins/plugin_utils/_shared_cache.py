# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The shared token cache on Redis or Valkey: the local cache's entries, for every controller at once.

Entries are sealed exactly as in the local cache (see _cache.Sealer) under the cache key every controller is
given (``cache_key``, which the store's readers do not have): the store holds only HMAC names and AES-GCM
blobs, which expire when their token does. A lock per entry (SET NX with an expiry, as redis-py's Lock) makes
the controllers that miss at once wait for the one that fetches; it expires on its own if its holder dies.

The store is a cache, not a dependency: when it is unreachable, slow or full, the first failure is reported as
one warning (the same text from every worker, which Ansible shows once), it is marked down for a while in the
local cache directory so other workers do not wait on it too, and the lookup goes on with the local cache.
"""

import contextlib
import os
import threading
import time
from urllib.parse import parse_qsl, unquote, urlsplit

from ansible_collections.tokensmith.auth.plugins.plugin_utils._cache import Sealer, StoreDown

# v3: the entry and its lock share a hash tag, so a cluster keeps them in one slot (entries of v2 simply miss).
KEY_PREFIX = 'tokensmith:v3:'
SOCKET_TIMEOUT = 2.0    # seconds for a connection or an answer: a slow store is a store that is down
DOWN_FOR = 30           # seconds a store that failed is skipped by every worker of this controller
LOCK_MARGIN = 5         # seconds a lock outlives the longest a fetch should take (the request timeout)
MIN_CACHE_KEY = 16      # characters
DOWN_MARKER = 'shared-store-down'
FAILOVER_WINDOW = 5.0   # seconds a cluster or Sentinel may take to elect a new master (about 2.3 s here)
STORE_BUDGET = 5.0      # seconds of store work one lookup evaluation may take, lock waits and failovers aside
# (a healthy store answers in milliseconds; 2 s proved too tight for 25 workers on a loaded 2-core machine)
RELEASE_FLOOR = 0.5     # seconds a lock's release may take even when the budget is spent (others wait on it)
SENTINEL_SCHEMES = ('redis+sentinel://', 'rediss+sentinel://')
SENTINEL_PORT = 26379
# What a Sentinel URL's query may carry (the sentinels' own credentials); any other option is refused.
SENTINEL_QUERY = frozenset(('sentinel_username', 'sentinel_password'))
FAILOVER_PAUSE = 0.1    # seconds between fresh tries meanwhile
# The largest entry this collection can seal: what it keeps of an answer (at most _http.ANSWER_LIMIT, 4 MiB)
# as JSON, where an escaped character takes 6 bytes, plus the seal's few bytes. A larger value is someone else's:
# the store checks its length and sends it only when it fits (a script of GET alone, within the documented ACL).
ENTRY_LIMIT = 6 * 4 * 1024 * 1024 + 1024
_BOUNDED_GET = "local v = redis.call('GET', KEYS[1]) if v and #v > tonumber(ARGV[1]) then return -1 end return v"
# Failures of a connection (not of a command) that a failover causes, by class name (redis-py and valkey-py).
_FAILOVER_ERRORS = frozenset(('ConnectionError', 'TimeoutError', 'ClusterDownError', 'TryAgainError',
                              'MasterNotFoundError', 'SlaveNotFoundError', 'RedisClusterException',
                              'ValkeyClusterException', 'OSError'))
# URL query options redis-py would let win over the settings below: a timeout, a retry policy, a TLS check.
REFUSED_QUERY = frozenset(('socket_timeout', 'socket_connect_timeout', 'socket_keepalive', 'retry_on_timeout',
                           'retry_on_error', 'health_check_interval', 'ssl_cert_reqs', 'ssl_check_hostname',
                           'ssl_ca_certs', 'ssl_ca_path', 'ssl_ca_data', 'ssl_certfile', 'ssl_keyfile'))


def _client_library():
    """redis-py, or valkey-py (the same API); only imported when a shared store is configured."""
    try:
        import redis as library  # pylint: disable=import-outside-toplevel
    except ImportError:
        try:
            import valkey as library  # pylint: disable=import-outside-toplevel
        except ImportError:
            return None
    return library


class SharedCache:
    """Entries in a Redis/Valkey store; same interface as the local TokenCache (peek, entry)."""

    def __init__(self, client, library, cache_key, lock_ttl, report, build=None, cluster='false', url=None,
                 sentinel=False):
        """``client`` is the store's client, or None to have ``build(cluster)`` make it when first needed (inside
        the error handling: a cluster client discovers the cluster in its constructor). ``cluster``: 'auto'
        switches to the cluster client on the first reply that says the store is a cluster. ``sentinel``: the
        client finds the master through Sentinel, so a failover is waited out as on a cluster."""
        self.client = client
        self.library = library
        self.cache_key = cache_key
        self.lock_ttl = lock_ttl
        # valkey-py renamed the base of its errors (and the cluster client's); everything else is redis-py's API
        exceptions = library.exceptions
        base = getattr(exceptions, 'RedisError', None) or getattr(exceptions, 'ValkeyError')
        cluster_failure = (getattr(exceptions, 'RedisClusterException', None)
                           or getattr(exceptions, 'ValkeyClusterException', None))
        self.errors = (base, OSError) + ((cluster_failure,) if cluster_failure else ())
        self._report = report
        self._build = build
        self._url = url
        self._clock, self._sleep = time.monotonic, time.sleep
        self._cluster = cluster
        self._clustered = cluster == 'true' or (cluster == 'auto' and url in _CLUSTERS)
        self._sentinel = sentinel
        self._budget = STORE_BUDGET

    def _do(self, operation, waits=0.0):
        """``operation(client)``, within what is left of the evaluation's STORE_BUDGET (plus ``waits``, the
        longest it may wait on another controller's lock), and the two ways a store's answer calls for doing it
        again.

        Where a plain client meets a cluster (MOVED, ASK, no SELECT) under 'auto': once more with the cluster
        client, silently. On a cluster or through Sentinel, a connection-level failure (a node down, a new master
        being elected): the whole operation again every FAILOVER_PAUSE, until FAILOVER_WINDOW after the first
        failure. Any other failure, one that outlasts the window, or a store too slow for the budget (one that
        trickles its answers: the socket timeout bounds each read, not an answer) is the store's: reported once,
        StoreDown.
        """
        first_failure = None
        while True:
            started = self._clock()
            try:
                return _within(lambda: operation(self._connected()), self._budget + waits, self._abandon)
            except _TooSlow:
                raise self.failed(_TooSlow('no whole answer within %.0f s' % STORE_BUDGET)) from None
            except self.errors + (ValueError,) as err:  # ValueError: a database other than 0, which a cluster lacks
                if isinstance(err, ValueError):
                    raise self.failed(err) from None
                if self._cluster == 'auto' and not self._clustered and _says_cluster(err):
                    self._clustered, self.client = True, None
                    _CLUSTERS.add(self._url)
                    continue
                now = self._clock()
                first_failure = now if first_failure is None else first_failure
                if not ((self._clustered or self._sentinel) and _is_failover(err)
                        and now - first_failure < FAILOVER_WINDOW):
                    raise self.failed(err) from None
                # The same client: it knows the other nodes (or asks the sentinels again), and finds the new
                # master among them (the node in cache_url may be the one that died).
                self._sleep(FAILOVER_PAUSE)
            finally:
                if first_failure is None and not waits:  # failovers and lock waits are not the store's pace
                    self._budget = max(0.0, self._budget - (self._clock() - started))

    def _connected(self):
        if self.client is None:
            self.client = self._build(self._clustered)
        return self.client

    def _abandon(self):
        """Drop a client stuck in a slow answer: closing its connections ends the read it is blocked in."""
        client, self.client = self.client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    @classmethod
    def open(cls, options, warn, local_dir):
        """The store of ``cache_url``, or None (after a warning) when it cannot be used now."""
        down = os.path.join(local_dir, DOWN_MARKER) if local_dir else None

        def report(problem, remember=True):
            # The same text from every worker, so Ansible shows it once; the marker spares the others a wait.
            warn('tokensmith shared token cache unavailable (%s); using the local cache for the next %d s. The play '
                 'goes on' % (problem, DOWN_FOR))
            if down and remember:
                with contextlib.suppress(OSError):
                    with open(down, 'w') as handle:
                        handle.write(problem)

        if down:
            with contextlib.suppress(OSError):
                if time.time() - os.stat(down).st_mtime < DOWN_FOR:
                    with open(down) as handle:
                        report(handle.read(200) or 'it failed', remember=False)
                    return None
        library = _client_library()
        if library is None:
            warn('tokensmith shared token cache disabled: cache_url needs the Python library redis (or valkey) on '
                 'the controller; install it with: pip install redis')
            return None
        cache_key = options.get('cache_key')
        if not cache_key or len(cache_key) < MIN_CACHE_KEY:
            warn('tokensmith shared token cache disabled: set cache_key (TOKENSMITH_CACHE_KEY) on every controller to '
                 'the same random value of at least %d characters (for example from: openssl rand -base64 32); '
                 'using the local cache' % MIN_CACHE_KEY)
            return None
        url = options.get('cache_url')
        weakening = sorted(set(name.lower() for name, _value in parse_qsl(urlsplit(url).query)) & REFUSED_QUERY)
        if weakening:
            warn('tokensmith shared token cache disabled: cache_url sets %s in its query, which would override the '
                 'collection\'s timeouts, retries or certificate checks; remove it (use cache_ca_path for a private '
                 'CA); using the local cache' % ', '.join(weakening))
            return None
        cluster = str(options.get('cache_cluster') or 'auto').lower()
        if cluster not in ('auto', 'true', 'false'):
            warn('tokensmith shared token cache disabled: cache_cluster must be auto, true or false; using the local '
                 'cache')
            return None
        settings = dict(socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT,
                        retry=library.retry.Retry(library.backoff.NoBackoff(), 0))
        if url.lower().startswith(SENTINEL_SCHEMES):
            try:
                build = _sentinel_client(library, parse_sentinel_url(url), settings, options)
            except ValueError as err:
                warn('tokensmith shared token cache disabled: %s; using the local cache' % err)
                return None
            lock_ttl = float(options.get('timeout', 30)) + LOCK_MARGIN
            return cls(None, library, cache_key.encode('utf-8'), lock_ttl, report, build, 'false', url, sentinel=True)
        try:
            url, more_nodes = _cluster_nodes(url)
        except ValueError as err:
            warn('tokensmith shared token cache disabled: %s; using the local cache' % err)
            return None
        if more_nodes:  # several nodes: a self-managed cluster, found through whichever of them answers
            cluster = 'true'
        if url.startswith('rediss://'):
            settings['ssl_ca_certs'] = options.get('cache_ca_path') or options.get('ca_path')
        # Whenever the URL has no password, an ACL user named in it (redis://user@host) included.
        if options.get('cache_password') and urlsplit(url).password is None:
            settings['password'] = options.get('cache_password')
        try:
            database = int(urlsplit(url).path.strip('/') or 0)
            library.Redis.from_url(url, **settings)  # only parses: a URL it refuses is refused here
        except ValueError as err:
            warn('tokensmith shared token cache disabled: cache_url is not a redis://, rediss:// or '
                 'redis+sentinel:// URL (%s)' % type(err).__name__)
            return None

        def build(clustered):
            if not clustered:
                return library.Redis.from_url(url, **settings)
            if database:
                raise ValueError('database %d' % database)
            factory = getattr(library, 'RedisCluster', None) or getattr(library, 'ValkeyCluster')
            if more_nodes:
                startup = [library.cluster.ClusterNode(host, port) for host, port in more_nodes]
                return factory.from_url(url, startup_nodes=startup, **settings)
            return factory.from_url(url, **settings)

        lock_ttl = float(options.get('timeout', 30)) + LOCK_MARGIN
        return cls(None, library, cache_key.encode('utf-8'), lock_ttl, report, build, cluster, url)

    def failed(self, err):
        """Report the failure (once per worker: the entry is abandoned) and give the exception to raise."""
        if isinstance(err, _TooSlow):
            problem = str(err)
        elif isinstance(err, ValueError):  # from build(): a database a cluster does not have
            problem = 'cache_url names %s, but the store is a cluster, which has only database 0' % err
        elif 'READONLY' in str(err) or type(err).__name__ == 'ReadOnlyError':
            problem = ('the store refused a write as a read-only replica: cache_url points at a replica or a reader '
                       'endpoint; use the primary endpoint')
        else:
            problem = _describe(err)
        self._report(problem)
        return StoreDown()

    def peek(self, identity, secret):
        return SharedEntry(self, Sealer(self.cache_key, identity, secret)).load()

    @contextlib.contextmanager
    def entry(self, identity, secret):
        """The entry, locked across controllers while the ``with`` block runs.

        If the holder of the lock dies, the lock expires after ``lock_ttl`` and one waiter takes it. A waiter
        that waited longer than that goes on without the lock (at most one extra request, never a failure).
        """
        entry = SharedEntry(self, Sealer(self.cache_key, identity, secret))

        def acquire(client):
            # Not thread-local: the lock is taken and released in store workers (see _within).
            lock = client.lock(entry.key + ':lock', timeout=self.lock_ttl, sleep=0.05,
                               blocking_timeout=self.lock_ttl + LOCK_MARGIN, thread_local=False)
            return lock, lock.acquire()

        lock, held = self._do(acquire, waits=self.lock_ttl + LOCK_MARGIN)
        try:
            yield entry
        finally:
            if held:  # a release that fails leaves the lock to expire: a wait for others, never a failure
                with contextlib.suppress(*self.errors, self.library.exceptions.LockError, _TooSlow):
                    _within(lock.release, max(self._budget, RELEASE_FLOOR), self._abandon)


class SharedEntry:
    def __init__(self, cache, sealer):
        self.cache = cache
        self.sealer = sealer
        self.key = KEY_PREFIX + '{%s}' % sealer.name  # the hash tag: the lock (key + ':lock') hashes alike

    def load(self):
        """The entry, or None (missing, sealed otherwise, or larger than any entry can be: refused unread)."""
        def bounded_get(client):
            value = client.register_script(_BOUNDED_GET)(keys=[self.key], args=[ENTRY_LIMIT])
            return None if isinstance(value, int) else value
        return self.sealer.open(self.cache._do(bounded_get))  # pylint: disable=protected-access

    def store(self, data, expires_at=None):
        """Seal and store; the store drops the entry when the token expires (or at once, when it already has)."""
        ttl = int((expires_at or time.time() + 3600) - time.time()) + 1
        if ttl <= 1:
            return
        sealed = self.sealer.seal(data)
        self.cache._do(lambda client: client.set(self.key, sealed, ex=ttl))  # pylint: disable=protected-access


# The cache_url values found to serve a cluster in this process: later evaluations (a worker makes many) start
# with the cluster client.
_CLUSTERS = set()


def _is_failover(err):
    return any(cls.__name__ in _FAILOVER_ERRORS for cls in type(err).__mro__) or str(err).startswith(
        ('CLUSTERDOWN', 'TRYAGAIN'))


def _says_cluster(err):
    """Whether a plain client's failure says that the store is a cluster."""
    text = str(err)
    return type(err).__name__ in ('MovedError', 'AskError') or text.startswith(('MOVED ', 'ASK ')) or (
        'SELECT is not allowed in cluster mode' in text)


def _describe(err):
    """What went wrong with the store, without anything from the URL (it may carry a password)."""
    text = str(err).split('\n', maxsplit=1)[0]
    for marker in ('@', '://'):
        if marker in text:
            return type(err).__name__
    return '%s: %s' % (type(err).__name__, text[:120]) if text else type(err).__name__


class _TooSlow(Exception):
    """A store operation that outlasted what was left of the budget."""


def _within(call, limit, abandon):
    """``call()``, or _TooSlow after ``limit`` seconds (then ``abandon()`` unblocks the worker left behind)."""
    if limit <= 0:  # nothing left of the budget: not even asked
        raise _TooSlow()
    outcome = {}

    def work():
        try:
            outcome['value'] = call()
        except BaseException as err:  # pylint: disable=broad-exception-caught  # handed to the caller
            outcome['error'] = err

    worker = threading.Thread(target=work, name='tokensmith-store', daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        abandon()
        raise _TooSlow()
    if 'error' in outcome:
        raise outcome['error']
    return outcome.get('value')


def parse_sentinel_url(url):
    """``redis+sentinel://[user:password@]host[:port][,host[:port]...]/service[/db][?sentinel_username=&
    sentinel_password=]`` (``rediss+sentinel://`` with TLS; port 26379 by default; IPv6 literals in brackets): a
    dict of tls, sentinels [(host, port)], service, db, username, password, sentinel_username, sentinel_password.
    The user and password are the data nodes'. ValueError says what is wrong, never with the URL's secrets."""
    scheme, rest = url.partition('://')[::2]
    rest, query = rest.partition('?')[::2]
    rest = rest.partition('#')[0]
    netloc, path = rest.partition('/')[::2]
    userinfo, hosts = netloc.rpartition('@')[::2]
    username, password = userinfo.partition(':')[::2]
    sentinels = _host_list(hosts, SENTINEL_PORT, 'sentinel')
    names = [unquote(name) for name in path.split('/') if name]
    if not names:
        raise ValueError('cache_url names no Sentinel service: add the master\'s name, as in '
                         'redis+sentinel://host:26379/mymaster/0')
    if len(names) > 2 or (len(names) == 2 and not (names[1].isdigit() and names[1].isascii())):
        raise ValueError('cache_url\'s path must be /service or /service/database (a number)')
    settings = dict((name.lower(), value) for name, value in parse_qsl(query))
    unknown = sorted(set(settings) - SENTINEL_QUERY)
    if unknown:
        raise ValueError('cache_url sets %s in its query, which a Sentinel URL does not take (only %s)'
                         % (', '.join(unknown), ', '.join(sorted(SENTINEL_QUERY))))
    return dict(tls=scheme.lower() == 'rediss+sentinel', sentinels=sentinels, service=names[0],
                db=int(names[1]) if len(names) == 2 else 0, username=unquote(username) or None,
                password=unquote(password) if password else None,
                sentinel_username=settings.get('sentinel_username') or None,
                sentinel_password=settings.get('sentinel_password') or None)


def _host_list(hosts, default_port, what):
    """``host[:port][,host[:port]...]`` (IPv6 literals in brackets) as [(host, port)]; ValueError names what is
    wrong."""
    found = []
    for part in hosts.split(','):
        if part.startswith('['):
            host, port = part[1:].partition(']')[::2]
            if port and not port.startswith(':'):
                raise ValueError('cache_url has a malformed IPv6 %s address (write [address]:port)' % what)
            port = port[1:]
        else:
            host, port = part.partition(':')[::2]
        if not host:
            raise ValueError('cache_url names a %s without a host (host[:port], comma-separated)' % what)
        if port and not (port.isdigit() and port.isascii() and 0 < int(port) < 65536):
            raise ValueError('cache_url has a %s port that is not a number from 1 to 65535' % what)
        found.append((host, int(port) if port else default_port))
    return found


def _cluster_nodes(url):
    """A cache_url naming several nodes of a cluster (redis://[user:password@]host:port,host:port.../0): the URL
    with its first node, and the others as [(host, port)]; (url, []) for a URL of one node."""
    scheme, rest = url.partition('://')[::2]
    netloc, slash, tail = rest.partition('/')
    userinfo, at, hosts = netloc.rpartition('@')
    if ',' not in hosts:
        return url, []
    nodes = _host_list(hosts, 6379, 'node')
    first = ('[%s]:%d' if ':' in nodes[0][0] else '%s:%d') % nodes[0]
    return ''.join((scheme, '://', userinfo, at, first, slash, tail)), nodes[1:]


def _sentinel_client(library, place, settings, options):
    """build() for a Sentinel URL: the master of its service, found through the sentinels (again on each new
    connection, so after a failover too), TLS and the CA alike for sentinels and data nodes."""
    common = dict(settings)
    if place['tls']:
        common.update(ssl=True, ssl_ca_certs=options.get('cache_ca_path') or options.get('ca_path'))
    nodes = dict(common, db=place['db'], username=place['username'],
                 password=place['password'] or options.get('cache_password') or None)
    sentinels = dict(common, username=place['sentinel_username'],
                     password=place['sentinel_password'] or options.get('cache_sentinel_password') or None)

    def build(_clustered):
        sentinel = library.Sentinel(place['sentinels'], sentinel_kwargs=sentinels, **nodes)
        return sentinel.master_for(place['service'])
    return build
