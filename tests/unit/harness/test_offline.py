# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test preparation trusts an unpacked Debian package set only where the program the tests run is there: a
scratch directory outlives a checkout, and an older harness left stamps over sets it had not unpacked (CI then
failed with "redis-server is not unpacked")."""

import importlib.util
import os
import subprocess
from types import SimpleNamespace

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('offline', os.path.join(HERE, '..', '..', 'harness', 'offline.py'))
offline = importlib.util.module_from_spec(spec)
spec.loader.exec_module(offline)


@pytest.fixture
def debian(tmp_path, monkeypatch):
    """apt-get and dpkg-deb stand-ins: 'download' writes one .deb per package, unpacking redis-tools writes
    redis-server unless ``ships_program`` is off; ``calls``: the apt-get commands run."""
    fake = SimpleNamespace(calls=[], ships_program=True)
    monkeypatch.setattr(offline, 'SCRATCH', str(tmp_path))
    monkeypatch.setattr(offline.shutil, 'which', lambda name: '/usr/bin/' + name)
    monkeypatch.setattr(offline.subprocess, 'run', lambda *a, **k: subprocess.CompletedProcess(a, 0, '', ''))

    def apt(arguments, log, cwd=None):
        fake.calls.append(arguments[0])
        for package in arguments[1:]:
            open(os.path.join(cwd, '%s_1.0_all.deb' % package), 'w').close()
        return 0

    def run(command, log, **kwargs):
        deb, target = command[-2:]
        if os.path.basename(deb).startswith('redis-tools_') and fake.ships_program:
            program = os.path.join(target, offline.DEBS_RUN['redis'])
            os.makedirs(os.path.dirname(program), exist_ok=True)
            with open(program, 'w') as handle:
                handle.write('#!/bin/sh\n')
            os.chmod(program, 0o755)
        return 0
    monkeypatch.setattr(offline, 'apt', apt)
    monkeypatch.setattr(offline, 'run', run)
    return fake


def stamp(text):
    os.makedirs(offline.debs_dir('redis'), exist_ok=True)
    with open(os.path.join(offline.debs_dir('redis'), '.tokensmith-stamp'), 'w') as handle:
        handle.write(text)


def test_a_stamp_over_a_set_without_its_program_is_unpacked_again(debian):
    stamp('redis-server redis-tools libjemalloc2 liblzf1')  # what the older harness left in CI's scratch
    target = offline.ensure_debs('redis', 'log')
    assert debian.calls == ['download']
    assert os.access(os.path.join(target, offline.DEBS_RUN['redis']), os.X_OK)
    assert offline.ensure_debs('redis', 'log') == target and debian.calls == ['download']  # now stamped and there


def test_an_unpack_that_leaves_no_program_fails_naming_it_and_writes_no_stamp(debian):
    debian.ships_program = False
    with pytest.raises(SystemExit, match='has no usr/bin/redis-server after unpacking redis-server, redis-tools'):
        offline.ensure_debs('redis', 'log')
    assert not os.path.exists(os.path.join(offline.debs_dir('redis'), '.tokensmith-stamp'))
