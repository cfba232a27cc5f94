# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The controller-side token cache: shared by every fork and run, encrypted at rest, one fetch at a time.

An entry's file name is a hash of the credential's identity (provider, URL, user or client, scope) and
of a hash of its secret; the entry is AES-GCM encrypted under a key derived from the secret, so a copied
cache file is useless without the credential. A lock file per entry makes concurrent cold lookups wait
for the one that fetches.
"""

import contextlib
import fcntl
import hashlib
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

MAGIC = b'TSC1'
NONCE_BYTES = 12


def default_cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'tokensmith')


def _digest(*parts):
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(part, sort_keys=True).encode('utf-8')
        hasher.update(hashlib.sha256(data).digest())
    return hasher.hexdigest()


class TokenCache:
    """A directory of encrypted entries; :meth:`open` refuses an unsafe directory (returns None)."""

    def __init__(self, directory):
        self.directory = directory

    @classmethod
    def open(cls, directory, warn):
        """The cache at ``directory``, created 0700 if missing; None (after a warning) when unusable."""
        if not HAS_CRYPTOGRAPHY:
            warn('tokensmith token cache disabled: the Python library cryptography is missing')
            return None
        directory = os.path.abspath(os.path.expanduser(directory))
        try:
            if not os.path.lexists(directory):
                os.makedirs(directory, mode=0o700, exist_ok=True)
                os.chmod(directory, 0o700)  # makedirs' mode is filtered by the umask
            info = os.lstat(directory)
        except OSError as err:
            warn('tokensmith token cache disabled: cannot use %s (%s)' % (directory, err.strerror))
            return None
        problem = None
        if not stat.S_ISDIR(info.st_mode):
            problem = 'it is not a directory (a symlink?)'
        elif info.st_uid != os.getuid():
            problem = 'it is owned by another user (uid %d)' % info.st_uid
        elif info.st_mode & 0o022:
            problem = 'group or others may write to it (mode %o)' % stat.S_IMODE(info.st_mode)
        if problem:
            warn('tokensmith token cache disabled: refusing %s because %s; fix it with chmod 700, or set '
                 'cache_dir to a private directory' % (directory, problem))
            return None
        return cls(directory)

    @contextlib.contextmanager
    def entry(self, identity, secret):
        """The entry for one credential, locked for as long as the ``with`` block runs."""
        entry = Entry(self.directory, identity, secret)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, 'O_NOFOLLOW', 0)
        descriptor = os.open(entry.path + '.lock', flags, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield entry
        finally:
            os.close(descriptor)  # closing releases the lock

    def peek(self, identity, secret):
        """The entry's token without taking the lock (entries are replaced atomically), or None."""
        return Entry(self.directory, identity, secret).load()


class Entry:
    def __init__(self, directory, identity, secret):
        secret = secret.encode('utf-8') if isinstance(secret, str) else secret
        self.name = _digest(b'tokensmith-cache-v1', identity, hashlib.sha256(secret).digest())
        self.path = os.path.join(directory, self.name)
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=self.name.encode('ascii'),
                         info=b'tokensmith.auth token cache v1').derive(secret)

    def load(self):
        """The stored dict, or None when missing, corrupt, or encrypted under another secret."""
        try:
            with open(self.path + '.bin', 'rb') as handle:
                blob = handle.read()
        except OSError:
            return None
        if not blob.startswith(MAGIC) or len(blob) <= len(MAGIC) + NONCE_BYTES:
            return None
        nonce, sealed = blob[len(MAGIC):len(MAGIC) + NONCE_BYTES], blob[len(MAGIC) + NONCE_BYTES:]
        try:
            data = json.loads(AESGCM(self._key).decrypt(nonce, sealed, self.name.encode('ascii')).decode('utf-8'))
        except (InvalidTag, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def store(self, data):
        """Encrypt and write atomically (0600): readers see the old entry or the new one, never half."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._key).encrypt(nonce, json.dumps(data).encode('utf-8'), self.name.encode('ascii'))
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix='.tmp-')
        try:
            with os.fdopen(descriptor, 'wb') as handle:
                handle.write(MAGIC + nonce + sealed)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path + '.bin')
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
