# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the collection and import the tarball with Galaxy's own importer (galaxy-importer, ansible-test off, as
it needs a container): no ERROR and no WARNING, rendered docs for every module and the lookup, and a README for
every role (Galaxy shows a role's page from its README only).

    python tests/harness/galaxy_import.py COLLECTION_DIR     (with the galaxy venv's python)
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

CONFIG = '[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nRUN_ANSIBLE_LINT = True\n'


def main(collection):
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get('PATH', ''))
    work = tempfile.mkdtemp(prefix='tokensmith-galaxy-')
    try:
        subprocess.check_call([os.path.join(bin_dir, 'ansible-galaxy'), 'collection', 'build', '--force',
                               '--output-path', work], cwd=collection, env=env, stdout=subprocess.DEVNULL)
        tarball = glob.glob(os.path.join(work, '*.tar.gz'))[0]
        with open(os.path.join(work, 'importer.cfg'), 'w') as handle:
            handle.write(CONFIG)
        run = subprocess.run([sys.executable, '-m', 'galaxy_importer.main', tarball], cwd=work, capture_output=True,
                             text=True, env=dict(env, GALAXY_IMPORTER_CONFIG=os.path.join(work, 'importer.cfg')),
                             check=False)
        output = run.stdout + run.stderr
        print(output)
        problems = [line for line in output.splitlines() if 'ERROR' in line or 'WARNING' in line]
        if run.returncode or 'Importer processing completed successfully' not in output:
            raise SystemExit('galaxy-importer did not complete (exit %d):\n  %s' % (run.returncode, '\n  '.join(problems)))
        with open(os.path.join(work, 'importer_result.json')) as handle:
            result = json.load(handle)
        for item in result['docs_blob']['contents']:
            kind, name = item['content_type'], item['content_name']
            if kind in ('module', 'lookup') and not item.get('doc_strings'):
                problems.append('%s %s has no rendered documentation' % (kind, name))
            if kind == 'role' and not item.get('readme_html'):
                problems.append('role %s has no README' % name)
        kinds = sorted(set(item['content_type'] for item in result['docs_blob']['contents']))
        print('imported: %d items (%s)' % (len(result['docs_blob']['contents']), ', '.join(kinds)))
        if problems:
            raise SystemExit('galaxy-importer:\n  ' + '\n  '.join(problems))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main(sys.argv[1])
