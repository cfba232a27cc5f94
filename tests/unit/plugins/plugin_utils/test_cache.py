# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The token cache on disk: permissions, encryption, recovery, refusal of unsafe directories."""

import hashlib
import json
import multiprocessing
import os
import stat

from ansible_collections.tokensmith.auth.plugins.plugin_utils._cache import TokenCache, default_cache_dir, run_directory

IDENTITY = ['nuvy', 'https://example/token', 'app', [], 'client_secret_basic']
TOKEN = {'access_token': 'eyJ.super-secret-access-token.sig', 'expires_at': '2099-01-01T00:00:00Z'}


def test_entries_are_0600_in_a_0700_directory_and_never_in_clear(tmp_path):
    directory = tmp_path / 'cache'
    cache = TokenCache.open(str(directory), warn=AssertionError)
    with cache.entry(IDENTITY, 'the-client-secret') as entry:
        entry.store(TOKEN)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    files = sorted(os.listdir(directory))
    assert len(files) == 3 and all(stat.S_IMODE(os.stat(directory / f).st_mode) == 0o600 for f in files)
    assert (directory / 'key').stat().st_size == 32
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


def test_world_writable_directory_is_refused_for_the_runs_own(tmp_path):
    directory = tmp_path / 'open'
    directory.mkdir()
    os.chmod(directory, 0o777)
    warnings = []
    cache = TokenCache.open(str(directory), warnings.append)
    assert cache.directory == run_directory() and list(directory.iterdir()) == []
    assert 'group or others may write' in warnings[0] and 'chmod 700 it' in warnings[0]
    assert 'private directory of its own' in warnings[0]


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
    cache = TokenCache.open(str(directory), warnings.append)
    assert cache.directory == run_directory() and expected in warnings[0]
    # the fix the warning gives is the one for this problem: ownership is not fixed with chmod
    assert 'chmod' not in warnings[0] and ('chown' in warnings[0] or 'remove it' in warnings[0])


def test_default_dir_honours_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path))
    assert default_cache_dir() == str(tmp_path / 'tokensmith')
    monkeypatch.delenv('XDG_CACHE_HOME')
    assert default_cache_dir() == os.path.expanduser('~/.cache/tokensmith')


def test_names_depend_on_the_cache_key_so_a_listing_allows_no_offline_guessing(tmp_path):
    """Whoever can list the directory (not read the 0600 key) cannot recompute a name from a guessed password."""
    names = []
    for cache_dir in ('one', 'two'):
        cache = TokenCache.open(str(tmp_path / cache_dir), warn=AssertionError)
        with cache.entry(IDENTITY, 'guess-me') as entry:
            entry.store(TOKEN)
            names.append(entry.name)
    assert names[0] != names[1]
    unsalted = [hashlib.sha256(json.dumps(part, sort_keys=True).encode()).hexdigest() for part in (IDENTITY, 'guess-me')]
    assert not any(part in names[0] for part in unsalted)
    # a copied entry is useless under another cache's key, even with the right secret
    (tmp_path / 'two' / (names[1] + '.bin')).write_bytes((tmp_path / 'one' / (names[0] + '.bin')).read_bytes())
    assert TokenCache.open(str(tmp_path / 'two'), warn=AssertionError).peek(IDENTITY, 'guess-me') is None


def test_a_directory_others_can_read_is_tightened_with_a_warning(tmp_path):
    directory = tmp_path / 'readable'
    directory.mkdir()
    os.chmod(directory, 0o755)
    warnings = []
    cache = TokenCache.open(str(directory), warnings.append)
    assert cache is not None and stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert len(warnings) == 1 and 'readable by group or others (mode 755); it is now 0700' in warnings[0]
    assert TokenCache.open(str(directory), warnings.append) is not None and len(warnings) == 1


def test_a_key_file_others_can_read_is_refused(tmp_path):
    directory = tmp_path / 'c'
    TokenCache.open(str(directory), warn=AssertionError)
    os.chmod(directory / 'key', 0o644)
    warnings = []
    assert TokenCache.open(str(directory), warnings.append) is None
    assert 'key file' in warnings[0] and 'private (0600)' in warnings[0]


def _open_and_name(directory):
    cache = TokenCache.open(directory, warn=AssertionError)
    with cache.entry(IDENTITY, 's3cret') as entry:
        return entry.name


def test_concurrent_first_opens_agree_on_one_key(tmp_path):
    context = multiprocessing.get_context('fork')
    with context.Pool(8) as pool:
        names = pool.map(_open_and_name, [str(tmp_path / 'race')] * 16)
    assert len(set(names)) == 1
    assert sorted(n for n in os.listdir(tmp_path / 'race') if n.startswith('.')) == []
