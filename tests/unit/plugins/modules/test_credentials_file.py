# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""credentials_file as root (become) in a directory another user controls: nothing is handed to the wrong user."""

import json
import multiprocessing
import os
import stat
import types

import pytest

from ansible_collections.tokensmith.auth.plugins.module_utils import _safe_file
from ansible_collections.tokensmith.auth.plugins.modules import credentials_file
from ansible_collections.tokensmith.auth.tests.unit.plugins.modules.runner import run_module

USER, OTHER = 54321, 54322   # uids with no account: chown takes numbers
as_root = pytest.mark.skipif(os.geteuid() != 0, reason='becoming another user needs root')


def args(path, **extra):
    values = dict(path=str(path), format='docker', target='nx.example.com', username='AbCd1234',
                  password='Pass-Code-77')
    values.update(extra)
    return values


@pytest.fixture
def home(tmp_path):
    """A user's home: owned by USER, 0750, as useradd makes it."""
    directory = tmp_path / 'home'
    directory.mkdir(mode=0o750)
    os.chown(str(directory), USER, USER)
    os.chmod(str(tmp_path), 0o755)
    return directory


@as_root
def test_a_symlink_to_a_root_only_file_is_refused_and_nothing_is_copied(tmp_path, home, capsys):
    secret = tmp_path / 'root-config.json'
    secret.write_text('{"auths": {"registry.internal": {"auth": "cm9vdDpyb290LXNlY3JldA=="}}}')
    os.chmod(str(secret), 0o600)
    docker = home / '.docker'
    docker.mkdir()
    os.chown(str(docker), USER, USER)
    (docker / 'config.json').symlink_to(secret)
    result, raw = run_module(credentials_file.main, args(docker / 'config.json', owner=str(USER)), capsys)
    assert result['failed'] and 'symbolic link' in result['msg'] and 'Pass-Code-77' not in raw
    assert os.path.islink(str(docker / 'config.json')) and 'cm9vdDpyb290' not in raw
    assert stat.S_IMODE(os.stat(str(secret)).st_mode) == 0o600 and os.stat(str(secret)).st_uid == 0


@as_root
def test_a_symlinked_directory_planted_by_the_user_is_not_followed(tmp_path, home, capsys):
    root_dir = tmp_path / 'root-docker'
    root_dir.mkdir(mode=0o700)
    (root_dir / 'config.json').write_text('{"auths": {"registry.internal": {"auth": "c2VjcmV0"}}}')
    os.symlink(str(root_dir), str(home / '.docker'))
    os.lchown(str(home / '.docker'), USER, USER)
    result, _raw = run_module(credentials_file.main, args(home / '.docker' / 'config.json', owner=str(USER)), capsys)
    assert result['failed'] and 'symbolic link in a directory that another user can change' in result['msg']
    assert os.stat(str(root_dir / 'config.json')).st_uid == 0 and 'c2VjcmV0' in (root_dir / 'config.json').read_text()


def test_a_link_in_a_trusted_directory_is_followed(tmp_path, capsys):
    real = tmp_path / 'real'
    real.mkdir()
    os.chmod(str(tmp_path), 0o755)
    os.symlink(str(real), str(tmp_path / 'alias'))
    result, _raw = run_module(credentials_file.main, args(tmp_path / 'alias' / 'config.json'), capsys)
    assert result['changed'] and json.loads((real / 'config.json').read_text())['auths']['nx.example.com']


@as_root
def test_a_file_of_another_user_is_not_merged(home, capsys):
    path = home / '.netrc'
    path.write_text('machine other.example login them password theirs\n')
    os.chown(str(path), OTHER, OTHER)
    result, raw = run_module(credentials_file.main, args(path, format='netrc', owner=str(USER)), capsys)
    assert result['failed'] and 'belongs to uid %d' % OTHER in result['msg'] and 'theirs' not in raw
    assert os.stat(str(path)).st_uid == OTHER


@pytest.mark.parametrize('make', ['fifo', 'directory', 'hardlink'])
def test_odd_files_are_refused(tmp_path, capsys, make):
    path = tmp_path / 'config.json'
    if make == 'fifo':
        os.mkfifo(str(path))
    elif make == 'directory':
        path.mkdir()
    else:
        (tmp_path / 'elsewhere').write_text('{}')
        os.link(str(tmp_path / 'elsewhere'), str(path))
    result, _raw = run_module(credentials_file.main, args(path), capsys)
    assert result['failed'] and ('not a regular file' in result['msg'] or 'hard links' in result['msg'])


@as_root
def test_an_update_keeps_the_owner_and_group_and_new_directories_get_them(home, capsys):
    path = home / 'settings.xml'
    path.write_text('<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"></settings>')
    os.chown(str(path), USER, USER)
    os.chmod(str(path), 0o640)
    result = run_module(credentials_file.main, args(path, format='maven', target='nexus'), capsys)[0]
    info = os.stat(str(path))
    assert result['changed'] and (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (USER, USER, 0o600)
    deep = home / '.config' / 'pip' / 'pip.conf'
    run_module(credentials_file.main, args(deep, format='pip', target='https://nx.example.com/simple',
                                           owner=str(USER), group=str(USER)), capsys)
    for made in (home / '.config', home / '.config' / 'pip', deep):
        info = os.stat(str(made))
        assert (info.st_uid, info.st_gid) == (USER, USER), made
    assert stat.S_IMODE(os.stat(str(home / '.config')).st_mode) == 0o700


def test_a_directory_others_can_write_gives_a_warning(tmp_path):
    os.chmod(str(tmp_path), 0o777)
    warnings = []
    module = types.SimpleNamespace(params=args(tmp_path / 'config.json', owner=None, group=None, mode='0600'),
                                   check_mode=False, warn=warnings.append)
    assert credentials_file.write(module) is True
    assert len(warnings) == 1 and 'another user could replace the file' in warnings[0] and 'Pass-Code' not in warnings[0]


def test_check_mode_writes_nothing(tmp_path, capsys):
    path = tmp_path / 'new' / 'config.json'
    result = run_module(credentials_file.main, args(path), capsys, check_mode=True)[0]
    assert result['changed'] and not (tmp_path / 'new').exists()
    run_module(credentials_file.main, args(path), capsys)
    before = path.read_text()
    result = run_module(credentials_file.main, args(path, password='Other-Pass-88'), capsys, check_mode=True)[0]
    assert result['changed'] and path.read_text() == before


def test_second_run_changes_nothing_and_mode_is_corrected(tmp_path, capsys):
    path = tmp_path / 'config.json'
    assert run_module(credentials_file.main, args(path), capsys)[0]['changed']
    assert not run_module(credentials_file.main, args(path), capsys)[0]['changed']
    os.chmod(str(path), 0o644)
    assert run_module(credentials_file.main, args(path), capsys)[0]['changed']
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600
    assert [name for name in os.listdir(str(tmp_path)) if name.startswith('.tokensmith-')] == []


def test_symbolic_mode_is_a_clear_error(tmp_path, capsys):
    result = run_module(credentials_file.main, args(tmp_path / 'c.json', mode='u=rw'), capsys)[0]
    assert result['failed'] and 'octal' in result['msg']


def _writer(path, index):
    """The module's own write, in a process of its own, as 10 hosts delegated to one controller run it."""
    module = types.SimpleNamespace(params=args(path, format='maven', target='server-%d' % index, owner=None,
                                               group=None, mode='0600'), check_mode=False, warn=print)
    credentials_file.write(module)


def test_concurrent_writers_keep_every_entry(tmp_path):
    path = str(tmp_path / 'settings.xml')
    processes = [multiprocessing.Process(target=_writer, args=(path, index)) for index in range(10)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [process.exitcode for process in processes] == [0] * 10
    with open(path) as handle:
        text = handle.read()
    assert all('<id>server-%d</id>' % index in text for index in range(10))


def test_lock_waits_then_gives_up_clearly(tmp_path):
    holder = _safe_file.open_directory(str(tmp_path))
    waiter = os.open(str(tmp_path), os.O_RDONLY)
    clock = iter(range(100)).__next__
    try:
        _safe_file.lock(holder, 'x')
        with pytest.raises(_safe_file.UnsafePath) as err:
            _safe_file.lock(waiter, str(tmp_path / 'f'), wait=3, clock=clock, sleep=lambda s: None)
        assert 'held the lock' in str(err.value)
    finally:
        os.close(holder)
        os.close(waiter)


@pytest.mark.parametrize('text', ['machine a login b password "unterminated\n',
                                  'machine a login b password p\nmachine c login "d\npassword e\n'])
def test_a_netrc_the_writer_cannot_read_exactly_is_refused_untouched(tmp_path, capsys, text):
    # Python's netrc would read the appended entry as part of host a's password - the passCode sent to a - and curl
    # refuses the whole file: one line naming the file and the line, and the file as it was.
    path = tmp_path / '.netrc'
    path.write_text(text)
    os.chmod(str(path), 0o600)
    result, raw = run_module(credentials_file.main, args(path, format='netrc', target='nx.example.com'), capsys)
    line = text.count('\n', 0, text.index('"')) + 1
    assert result['failed'] and result['msg'].startswith('%s: the .netrc file has a quote that is never closed' % path)
    assert 'on line %d' % line in result['msg'] and 'not changed' in result['msg']
    assert path.read_text() == text and 'Pass-Code-77' not in raw
