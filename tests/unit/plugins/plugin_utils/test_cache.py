# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The token cache on disk: permissions, encryption, recovery, refusal of unsafe directories."""

import os
import stat

from ansible_collections.tokensmith.auth.plugins.plugin_utils._cache import TokenCache, default_cache_dir

IDENTITY = ['nuvy', 'https://example/token', 'app', [], 'client_secret_basic']
TOKEN = {'access_token': 'eyJ.super-secret-access-token.sig', 'expires_at': '2099-01-01T00:00:00Z'}


def test_entries_are_0600_in_a_0700_directory_and_never_in_clear(tmp_path):
    directory = tmp_path / 'cache'
    cache = TokenCache.open(str(directory), warn=AssertionError)
    with cache.entry(IDENTITY, 'the-client-secret') as entry:
        entry.store(TOKEN)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    files = sorted(os.listdir(directory))
    assert len(files) == 2 and all(stat.S_IMODE(os.stat(directory / f).st_mode) == 0o600 for f in files)
    for name in files:
        blob = (directory / name).read_bytes()
        for clear in (b'super-secret-access-token', b'the-client-secret', b'app', b'example'):
            assert clear not in blob and clear.decode() not in name
    assert cache.peek(IDENTITY, 'the-client-secret') == TOKEN


def test_another_secret_reads_nothing(tmp_path):
    cache = TokenCache.open(str(tmp_path / 'c'), warn=AssertionError)
    with cache.entry(IDENTITY, 'secret-one') as entry:
        entry.store(TOKEN)
    assert cache.peek(IDENTITY, 'secret-two') is None
    # same file name is impossible too: the secret's hash is part of the key
    with cache.entry(IDENTITY, 'secret-two') as entry:
        assert entry.load() is None


def test_a_stolen_file_is_useless_under_another_name(tmp_path):
    cache = TokenCache.open(str(tmp_path / 'c'), warn=AssertionError)
    with cache.entry(IDENTITY, 's3cret') as entry:
        entry.store(TOKEN)
        stolen = (tmp_path / 'c' / (entry.name + '.bin')).read_bytes()
    with cache.entry(IDENTITY + ['x'], 's3cret') as other:
        (tmp_path / 'c' / (other.name + '.bin')).write_bytes(stolen)
        assert other.load() is None  # bound to its own name (AES-GCM associated data)


def test_corrupt_entry_is_ignored_and_replaced(tmp_path):
    cache = TokenCache.open(str(tmp_path / 'c'), warn=AssertionError)
    with cache.entry(IDENTITY, 's3cret') as entry:
        entry.store(TOKEN)
        path = tmp_path / 'c' / (entry.name + '.bin')
    for garbage in (b'', b'TSC1', b'TSC1' + b'x' * 40, b'not ours at all', path.read_bytes()[:-1]):
        path.write_bytes(garbage)
        assert cache.peek(IDENTITY, 's3cret') is None
    with cache.entry(IDENTITY, 's3cret') as entry:
        entry.store(TOKEN)
    assert cache.peek(IDENTITY, 's3cret') == TOKEN


def test_world_writable_directory_is_refused(tmp_path):
    directory = tmp_path / 'open'
    directory.mkdir()
    os.chmod(directory, 0o777)
    warnings = []
    assert TokenCache.open(str(directory), warnings.append) is None
    assert 'group or others may write' in warnings[0] and 'chmod 700' in warnings[0]


def test_foreign_owned_directory_is_refused(tmp_path):
    directory = tmp_path / 'foreign'
    directory.mkdir(mode=0o700)
    if os.getuid() == 0:
        os.chown(directory, 4242, -1)
        expected = 'owned by another user'
    else:  # cannot give a directory away without root; a symlink is refused the same way
        directory.rmdir()
        (tmp_path / 'target').mkdir(mode=0o700)
        directory.symlink_to(tmp_path / 'target')
        expected = 'not a directory'
    warnings = []
    assert TokenCache.open(str(directory), warnings.append) is None
    assert expected in warnings[0]


def test_default_dir_honours_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    assert default_cache_dir() == str(tmp_path / 'tokensmith')
    monkeypatch.delenv('XDG_CACHE_HOME')
    assert default_cache_dir() == os.path.expanduser('~/.cache/tokensmith')
