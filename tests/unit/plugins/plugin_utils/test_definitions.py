# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The seam into ansible-core's ConfigManager (plugin_utils/_definitions.py), on the ansible-core under test:
a worker that finds the run's kept definitions skips the parse, and gets exactly what the parse gives."""

import json
import os
import subprocess
import sys

from ansible_collections.tokensmith.auth.plugins.plugin_utils import _definitions

# ansible_collections/tokensmith/auth/tests/unit/plugins/plugin_utils/this file -> the directory above
# ansible_collections
COLLECTIONS = os.path.abspath(os.path.join(os.path.dirname(__file__), *['..'] * 7))

WORKER = """
import json, sys
from ansible import constants as C
from ansible.plugins import loader
parsed = []
real = loader.add_fragments
loader.add_fragments = lambda *args, **kwargs: parsed.append(1) or real(*args, **kwargs)  # the docs' parse
C.DEFAULT_LOCAL_TMP = sys.argv[2]  # one run's temporary directory, shared by its workers
loader.init_plugin_loader([sys.argv[1]])
plugin = loader.lookup_loader.get('tokensmith.auth.token')
module = sys.modules[type(plugin).__module__]
from ansible_collections.tokensmith.auth.plugins.plugin_utils import _definitions
_definitions.share(plugin._load_name, module.DOCUMENTATION)  # as the plugin's run() does
definitions = C.config.get_configuration_definitions('lookup', plugin._load_name)
print(json.dumps(dict(parsed=len(parsed), options=sorted(definitions), definitions=definitions)))
"""


def worker(run_dir, **env):
    child = subprocess.run([sys.executable, '-c', WORKER, COLLECTIONS, str(run_dir)], capture_output=True, text=True,
                           check=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), **env))
    return json.loads(child.stdout.splitlines()[-1])


def test_a_later_worker_skips_the_parse_and_gets_what_the_parse_gives(tmp_path):
    first, later = worker(tmp_path), worker(tmp_path)
    assert first['parsed'] == 1 and later['parsed'] == 0
    assert later['definitions'] == first['definitions'] and 'cache_sentinel_password' in later['options']
    assert len(list(tmp_path.glob('*.config-definitions.json'))) == 1


def test_the_kill_switch_and_a_stale_stamp_make_ansible_parse_as_usual(tmp_path):
    worker(tmp_path)
    assert worker(tmp_path, **{_definitions.KILL_SWITCH: '0'})['parsed'] == 1
    kept_file = next(tmp_path.glob('*.config-definitions.json'))
    kept = json.loads(kept_file.read_text())
    kept['stamp']['core'] = '0.0.0'  # kept by another ansible-core
    kept_file.write_text(json.dumps(kept))
    stale = worker(tmp_path)
    assert stale['parsed'] == 1 and 'cache_url' in stale['options']


def test_a_run_without_a_kept_file_parses(tmp_path):
    assert worker(tmp_path / 'missing')['parsed'] == 1
