# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""A credential file read, merged and replaced without handing anything to the wrong user.

Under ``become`` the module runs as root in a directory that another user may control. So: the path is walked
from ``/`` one directory at a time through open directory descriptors, never following a symbolic link that a
user other than root or the running user could have planted; the file is opened without following a link and
must be a regular file with one link, belonging to the running user or the file's future owner; every later
step (lock, temporary file, owner, mode, rename) works on those descriptors, so nothing can be swapped in
between.
"""

import binascii
import errno
import fcntl
import os
import stat
import time

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError

LOCK_WAIT = 30.0               # seconds to wait for another writer of the same directory
MAX_FILE_SIZE = 16 * 1024 * 1024  # no build tool's credential file comes near this
_MAX_LINKS = 40                # symbolic links followed in one path, as the kernel allows


class UnsafePath(TokenError):
    """The path cannot be written without risk; the message says why and what to do."""


def _link_is_safe(directory, link):
    """A link may be followed when nobody but root or the running user can have put it there."""
    trusted = (0, os.geteuid())
    if directory.st_uid in trusted and not directory.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return True
    return bool(directory.st_mode & stat.S_ISVTX) and link.st_uid in trusted  # /tmp: only its owner replaces it


def open_directory(path, create=False, owner=-1, group=-1):
    """An open descriptor of directory ``path``, or None when it is missing and ``create`` is false.

    Missing directories are created 0700 and given ``owner`` and ``group`` (-1 keeps the running user's).
    """
    pending = [part for part in os.path.abspath(path).split('/') if part]
    descriptor = os.open('/', os.O_RDONLY | os.O_DIRECTORY)
    walked, links = '/', 0
    try:
        while pending:
            name = pending.pop(0)
            if name in ('', '.'):
                continue
            try:
                info = os.stat(name, dir_fd=descriptor, follow_symlinks=False)
            except FileNotFoundError:
                if not create:
                    return None
                os.mkdir(name, 0o700, dir_fd=descriptor)
                info = os.stat(name, dir_fd=descriptor, follow_symlinks=False)
                if (owner, group) != (-1, -1) and stat.S_ISDIR(info.st_mode):
                    os.chown(name, owner, group, dir_fd=descriptor, follow_symlinks=False)
            here = os.path.join(walked, name)
            if stat.S_ISLNK(info.st_mode):
                links += 1
                if links > _MAX_LINKS or not _link_is_safe(os.fstat(descriptor), info):
                    raise UnsafePath('%s is a symbolic link in a directory that another user can change: refusing '
                                     'to follow it' % here, hint='Give the real path, or remove the link')
                # walked holds no link, so folding '..' by the text (normpath) is exact
                target = os.readlink(name, dir_fd=descriptor)
                pending = os.path.normpath(os.path.join(walked, target)).split('/')[1:] + pending
                os.close(descriptor)
                descriptor, walked = os.open('/', os.O_RDONLY | os.O_DIRECTORY), '/'
                continue
            if not stat.S_ISDIR(info.st_mode):
                raise UnsafePath('%s is not a directory' % here, hint='Give a path whose parents are directories')
            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=descriptor)
            os.close(descriptor)
            descriptor, walked = child, here
        result, descriptor = descriptor, None
        return result
    finally:
        if descriptor is not None:
            os.close(descriptor)


def loose_directory(directory):
    """Why another user could replace files in the open ``directory``, or None."""
    info = os.fstat(directory)
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX:
        return 'group or others can write to it (mode %04o)' % stat.S_IMODE(info.st_mode)
    return None


def lock(directory, path, wait=LOCK_WAIT, clock=time.monotonic, sleep=time.sleep):
    """Hold the directory's lock: writers of one file (10 hosts delegated to one controller) take turns."""
    deadline = clock() + wait
    while True:
        try:
            fcntl.flock(directory, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise UnsafePath('cannot lock the directory of %s (%s), so a concurrent writer could lose entries'
                                 % (path, os.strerror(err.errno)), hint='Write the file on a local file system')
        if clock() >= deadline:
            raise UnsafePath('another process held the lock on the directory of %s for %d s' % (path, wait),
                             hint='Check for a hung task writing the same file, then run again')
        sleep(0.05)


def open_existing(directory, name, path, owners):
    """``(descriptor, stat)`` of the existing file, or ``(None, None)`` when there is none.

    ``owners`` are the user ids whose file may be merged (the running user, the file's future owner), or None.
    """
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
    except FileNotFoundError:
        return None, None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise UnsafePath('%s is a symbolic link: refusing to follow it' % path,
                             hint='Remove the link, or give the path of the file itself') from None
        raise
    info = os.fstat(descriptor)
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = UnsafePath('%s is not a regular file' % path, hint='Remove it, or give another path')
    elif info.st_nlink != 1:
        problem = UnsafePath('%s has %d hard links: what is written could be read through another name'
                             % (path, info.st_nlink), hint='Remove the other links, or the file')
    elif owners is not None and info.st_uid not in owners:
        problem = UnsafePath('%s belongs to uid %d, neither the user running this nor its owner: refusing to merge '
                             'it' % (path, info.st_uid), hint='Remove the file, or set owner to its owner')
    elif info.st_size > MAX_FILE_SIZE:
        problem = UnsafePath('%s is larger than %d MiB: not a credential file' % (path, MAX_FILE_SIZE >> 20),
                             hint='Give the path of the build tool\'s configuration file')
    if problem:
        os.close(descriptor)
        raise problem
    return descriptor, info


def read_text(descriptor):
    chunks = []
    while True:
        chunk = os.read(descriptor, 1 << 16)
        if not chunk:
            return b''.join(chunks).decode('utf-8')
        chunks.append(chunk)


def replace(directory, name, text, owner, group, mode):
    """Write ``text`` to a new file beside ``name``, give it its owner, group and mode, and rename it over
    ``name``: readers see the old file or the new one, and the credential is never readable by others."""
    temporary = '.tokensmith-%s' % binascii.hexlify(os.urandom(6)).decode('ascii')
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=directory)
    try:
        try:
            data = text.encode('utf-8')
            while data:
                data = data[os.write(descriptor, data):]
            os.fsync(descriptor)
            if (owner, group) != (-1, -1):
                os.fchown(descriptor, owner, group)
            os.fchmod(descriptor, mode)
        finally:
            os.close(descriptor)
        os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException:
        try:
            os.unlink(temporary, dir_fd=directory)
        except OSError:
            pass
        raise
    os.fsync(directory)
