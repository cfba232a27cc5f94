# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the collection tarball, install it into an empty path, and render every plugin's docs from there."""

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

# What users should not get: the tests (the README says the built collection holds none) and the contributors' tools.
FORBIDDEN = ('examples/emulator.yml', 'noxfile.py', 'tests/', 'CONTRIBUTING.md', 'Makefile', '.venv', '.test',
             'node_modules', '__pycache__')


def main(collection):
    work = tempfile.mkdtemp(prefix='tokensmith-build-')
    bin_dir = os.path.dirname(sys.executable)
    try:
        subprocess.check_call([os.path.join(bin_dir, 'ansible-galaxy'), 'collection', 'build', '--force',
                               '--output-path', work], cwd=collection)
        tarball = os.path.join(work, 'tokensmith-auth-0.1.0.tar.gz')
        with tarfile.open(tarball) as archive:
            names = archive.getnames()
        leaked = [name for name in names if name.startswith(FORBIDDEN) or name == 'tests' or '/__pycache__' in name]
        if leaked:
            raise SystemExit('the tarball carries files it must not: %s' % ', '.join(leaked[:10]))
        print('tarball: %d files, %d bytes' % (len(names), os.path.getsize(tarball)))
        target = os.path.join(work, 'installed')
        subprocess.check_call([os.path.join(bin_dir, 'ansible-galaxy'), 'collection', 'install', '--offline',
                               '-p', target, tarball])
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=target)
        listing = subprocess.check_output([os.path.join(bin_dir, 'ansible-doc'), '--list', 'tokensmith.auth',
                                           '--type', 'module'], env=env, cwd=work).decode()
        print(listing)
        plugins = [line.split()[0] for line in listing.splitlines() if line.startswith('tokensmith.auth.')]
        if not plugins:
            raise SystemExit('ansible-doc lists no module of the installed collection')
        for plugin in plugins:
            subprocess.check_call([os.path.join(bin_dir, 'ansible-doc'), plugin], env=env, cwd=work,
                                  stdout=subprocess.DEVNULL)
            print('ansible-doc %s: ok' % plugin)
        for kind, path in (('lookup', 'plugins/lookup'), ('role', 'roles')):
            for name in sorted(os.listdir(os.path.join(collection, path))) if os.path.isdir(os.path.join(collection, path)) else []:
                name = os.path.splitext(name)[0]
                if name.startswith(('_', '.')):
                    continue
                subprocess.check_call([os.path.join(bin_dir, 'ansible-doc'), '-t', kind, 'tokensmith.auth.' + name],
                                      env=env, cwd=work, stdout=subprocess.DEVNULL)
                print('ansible-doc -t %s tokensmith.auth.%s: ok' % (kind, name))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main(sys.argv[1])
