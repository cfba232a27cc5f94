# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The controller-side token cache: shared by every fork and run, encrypted at rest, one fetch at a time.

Every store has a random cache key that its readers do not get: the local cache keeps it in a 0600 file
created with its directory. An entry's name is an HMAC under that key of the credential's identity
(provider, URL, user or client, scope) and of a hash of its secret, so a listing of the store says nothing and
allows no offline test of password guesses. An entry is AES-GCM encrypted under a key derived from the secret
and the cache key, and bound to its name. A lock per entry makes concurrent cold lookups wait for the one
that fetches.

A store offers ``peek(identity, secret)`` (no lock) and ``entry(identity, secret)``, a context manager that
holds the entry's lock and yields an object with ``load()`` and ``store(data, expires_at)``.
"""

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import stat
import tempfile

try:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - ansible-core requires cryptography, but be clear if it is gone
    HAS_CRYPTOGRAPHY = False

MAGIC = b'TSC2'
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_FILE = 'key'


class StoreDown(Exception):
    """A store failed (already reported); the lookup carries on without it."""


def open_caches(options, warn):
    """The caches the lookup uses, nearest first: the local one, and the shared one when ``cache_url`` is set.

    Empty when the cache is turned off; a store that cannot be used now is left out (with a warning).
    """
    if not options.get('cache', True):
        return []
    local = TokenCache.open(options.get('cache_dir') or default_cache_dir(), warn)
    caches = [local] if local else []
    if options.get('cache_url'):
        def open_shared():
            from ansible_collections.tokensmith.auth.plugins.plugin_utils._shared_cache import SharedCache  # pylint: disable=import-outside-toplevel
            return SharedCache.open(options, warn, local.directory if local else None)
        caches.append(Deferred(open_shared))
    return caches


class Deferred:
    """A store opened when first asked, so a hit in the local cache never imports (or connects to) the shared
    one; a store that cannot be opened (already reported) raises StoreDown, which the lookup steps over."""

    def __init__(self, open_store):
        self._open = open_store
        self._store = None

    def _opened(self):
        if self._store is None:
            self._store = self._open() or False
        if self._store is False:
            raise StoreDown()
        return self._store

    def peek(self, identity, secret):
        return self._opened().peek(identity, secret)

    def entry(self, identity, secret):
        return self._opened().entry(identity, secret)


def default_cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'tokensmith')


class Sealer:
    """Names and seals the entries of one credential under a store's cache key."""

    def __init__(self, cache_key, identity, secret):
        secret = secret.encode('utf-8') if isinstance(secret, str) else secret
        described = json.dumps(identity, sort_keys=True).encode('utf-8')
        material = hashlib.sha256(described).digest() + hashlib.sha256(secret).digest()
        self.name = hmac.new(cache_key, b'tokensmith-cache-v2' + material, hashlib.sha256).hexdigest()
        self._aad = self.name.encode('ascii')
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=cache_key,
                         info=b'tokensmith.auth token cache v2 ' + self._aad).derive(secret)

    def seal(self, data):
        nonce = os.urandom(NONCE_BYTES)
        return MAGIC + nonce + AESGCM(self._key).encrypt(nonce, json.dumps(data).encode('utf-8'), self._aad)

    def open(self, blob):
        """The stored dict, or None when ``blob`` is missing, corrupt, or sealed under another key or name."""
        if not blob or not blob.startswith(MAGIC) or len(blob) <= len(MAGIC) + NONCE_BYTES:
            return None
        nonce, sealed = blob[len(MAGIC):len(MAGIC) + NONCE_BYTES], blob[len(MAGIC) + NONCE_BYTES:]
        try:
            data = json.loads(AESGCM(self._key).decrypt(nonce, sealed, self._aad).decode('utf-8'))
        except (InvalidTag, ValueError):
            return None
        return data if isinstance(data, dict) else None


def _refused(directory, info):
    """Why ``directory`` (its lstat ``info``) cannot hold the cache, and what fixes it; None when it can."""
    if not stat.S_ISDIR(info.st_mode):
        return 'it is not a directory (a symlink?)', 'remove it, or set cache_dir to a private directory'
    if info.st_uid != os.getuid():
        return ('it is owned by another user (uid %d)' % info.st_uid,
                'remove it, or give it to this user (chown), or set cache_dir to a directory of your own')
    if info.st_mode & 0o022:
        return ('group or others may write to it (mode %o)' % stat.S_IMODE(info.st_mode),
                'chmod 700 it, or set cache_dir to a private directory')
    return None


def _private_directory(directory, warn):
    """The directory, created 0700, or tightened to 0700 when group or others can only read it; ``(None, why)``
    when it cannot be used (why: the problem and its fix)."""
    try:
        if not os.path.lexists(directory):
            os.makedirs(directory, mode=0o700, exist_ok=True)
            os.chmod(directory, 0o700)  # makedirs' mode is filtered by the umask
        info = os.lstat(directory)
    except OSError as err:
        return None, '%s; set cache_dir to a directory you can create' % err.strerror
    refusal = _refused(directory, info)
    if refusal:
        return None, '%s; %s' % refusal
    if info.st_mode & 0o077:
        os.chmod(directory, 0o700)
        warn('tokensmith token cache: %s was readable by group or others (mode %o); it is now 0700'
             % (directory, stat.S_IMODE(info.st_mode)))
    return directory, None


def run_directory():
    """A private directory for this run only, under its temporary directory (which every fork of the run shares and
    Ansible removes at the end): the cache, and one fetch for many forks, when the configured directory is refused."""
    from ansible import constants as C  # pylint: disable=import-outside-toplevel  # only on this rare path
    return os.path.join(C.DEFAULT_LOCAL_TMP, 'tokensmith-cache')


def _read_key(path):
    descriptor = os.open(path, os.O_RDONLY | getattr(os, 'O_NOFOLLOW', 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise OSError('it is not a private (0600) file of this user')
        key = os.read(descriptor, KEY_BYTES + 1)
    finally:
        os.close(descriptor)
    if len(key) != KEY_BYTES:
        raise OSError('it does not hold a key')
    return key


def _directory_key(directory):
    """The cache key of ``directory``: read from its key file, or created there (once, whoever races)."""
    path = os.path.join(directory, KEY_FILE)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix='.key-')
    try:
        with os.fdopen(descriptor, 'wb') as handle:
            handle.write(os.urandom(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)  # atomic and exclusive: concurrent creators all end up with the winner's key
    finally:
        os.unlink(temporary)
    return _read_key(path)


class TokenCache:
    """A directory of encrypted entries; :meth:`open` refuses an unsafe directory (and uses one of the run's)."""

    def __init__(self, directory, cache_key):
        self.directory = directory
        self.cache_key = cache_key

    @classmethod
    def open(cls, directory, warn):
        """The cache at ``directory``, created 0700 if missing. A directory that is not private to this user is
        refused with a warning saying why and what fixes it, and the run's own private directory is used instead,
        so forks still make one request per credential; None (after a warning) when neither can be used."""
        if not HAS_CRYPTOGRAPHY:
            warn('tokensmith token cache disabled: the Python library cryptography is missing')
            return None
        wanted = os.path.abspath(os.path.expanduser(directory))
        directory, why = _private_directory(wanted, warn)
        if directory is None:
            directory = _private_directory(run_directory(), warn)[0]
            warn('tokensmith token cache: refusing %s because %s. This run uses a private directory of its own (no '
                 'cache across runs)' % (wanted, why) if directory else
                 'tokensmith token cache disabled: refusing %s because %s' % (wanted, why))
            if directory is None:
                return None
        try:
            return cls(directory, _directory_key(directory))
        except OSError as err:
            warn('tokensmith token cache disabled: cannot use the key file %s (%s); delete the directory to '
                 'start afresh' % (os.path.join(directory, KEY_FILE), err.strerror or err))
            return None

    @contextlib.contextmanager
    def entry(self, identity, secret):
        """The entry for one credential, locked for as long as the ``with`` block runs."""
        entry = Entry(self.directory, Sealer(self.cache_key, identity, secret))
        flags = os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0)
        descriptor = os.open(entry.path + '.lock', flags, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield entry
        finally:
            os.close(descriptor)  # closing releases the lock

    def peek(self, identity, secret):
        """The entry's data without taking the lock (entries are replaced atomically), or None."""
        return Entry(self.directory, Sealer(self.cache_key, identity, secret)).load()


class Entry:
    def __init__(self, directory, sealer):
        self.sealer = sealer
        self.name = sealer.name
        self.path = os.path.join(directory, sealer.name)

    def load(self):
        """The stored dict, or None when missing, corrupt, or encrypted under another secret or key."""
        try:
            with open(self.path + '.bin', 'rb') as handle:
                return self.sealer.open(handle.read())
        except OSError:
            return None

    def store(self, data, expires_at=None):  # pylint: disable=unused-argument  # a file entry is replaced, not expired
        """Encrypt and write atomically (0600): readers see the old entry or the new one, never half."""
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix='.tmp-')
        try:
            with os.fdopen(descriptor, 'wb') as handle:
                handle.write(self.sealer.seal(data))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path + '.bin')
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
