# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment, as far as it goes offline: the collection's declared dependencies, and the build
context of examples/execution-environment.yml (building the image needs a container engine and a registry).

    python tests/harness/ee_check.py COLLECTIONS_DIR     # the directory that holds ansible_collections/
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def names(lines):
    """Distribution names of requirement lines, lower-case, without versions, comments or collection tags."""
    found = set()
    for line in lines:
        line = line.split('#', 1)[0].strip().lstrip('-').strip().strip('\'"')
        match = re.match(r'[A-Za-z0-9][A-Za-z0-9_.-]*', line)
        if match:
            found.add(match.group(0).lower())
    return found


def main(collections_dir):
    builder = os.path.join(os.path.dirname(sys.executable), 'ansible-builder')
    with open(os.path.join(ROOT, 'requirements.txt')) as handle:
        needed = names(handle)
    introspected = subprocess.check_output([builder, 'introspect', '--sanitize', collections_dir]).decode()
    print(introspected)
    missing = needed - names(line for line in introspected.splitlines() if 'tokensmith.auth' in line)
    if missing:
        raise SystemExit('ansible-builder introspect does not find %s for tokensmith.auth' % ', '.join(sorted(missing)))
    context = tempfile.mkdtemp(prefix='tokensmith-ee-')
    try:
        subprocess.check_call([builder, 'create', '-f', os.path.join(ROOT, 'examples', 'execution-environment.yml'),
                               '-c', context])
        with open(os.path.join(context, '_build', 'requirements.txt')) as handle:
            listed = names(handle)
        with open(os.path.join(context, '_build', 'requirements.yml')) as handle:
            galaxy = handle.read()
        problems = ['the build context does not list %s' % name for name in sorted((needed | {'redis'}) - listed)]
        if 'tokensmith.auth' not in galaxy:
            problems.append('the build context does not install tokensmith.auth')
        if not any(os.path.exists(os.path.join(context, name)) for name in ('Containerfile', 'Dockerfile')):
            problems.append('the build context has no Containerfile')
        if problems:
            raise SystemExit('; '.join(problems))
        print('build context: %s, Python dependencies %s, collections %s'
              % (sorted(os.listdir(context)), ', '.join(sorted(listed)), galaxy.split()))
    finally:
        shutil.rmtree(context, ignore_errors=True)


if __name__ == '__main__':
    main(sys.argv[1])
