# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The lookup's option definitions, parsed once per run instead of once per worker: the one place this
collection reaches into ansible-core's internals.

Ansible learns a plugin's options by parsing its DOCUMENTATION and doc fragments, in every worker it forks,
before the plugin runs; for this lookup that parse is a large part of what a cache hit costs. ``make bench``
(lookup_first_call.py) prints the first evaluation in a fresh fork with this and with it switched off: 2.9 and
4.8 times ansible.builtin.env's (medians of 21 paired samples on a loaded 2-core machine, ansible-core 2.19), so
it spares about 40 % of a hit.

The first worker of a run keeps what Ansible parsed in the run's own temporary directory (``DEFAULT_LOCAL_TMP``,
removed at the end of the run), stamped with ansible-core's version, the collection's and a hash of the docs and
fragments; later workers hand it to Ansible's ConfigManager at import, before Ansible would parse. A stamp that
differs, a file that does not load, an API that is gone: Ansible parses as usual. JSON keeps no trust tags
(ansible-core 2.19+ marks parsed documentation as trusted templates); none of these definitions is a template.

The seam: ``ansible.constants.config``'s has_configuration_definition, get_configuration_definitions and
initialize_plugin_configuration_definitions. tests/unit/plugins/plugin_utils/test_definitions.py checks on every
supported ansible-core that the reused definitions equal the parsed ones and that the parse was skipped.
Switch it off with TOKENSMITH_REUSE_DEFINITIONS=0.
"""

import hashlib
import json
import os
import tempfile

from ansible_collections.tokensmith.auth.plugins.module_utils._version import COLLECTION_VERSION

KILL_SWITCH = 'TOKENSMITH_REUSE_DEFINITIONS'
_FRAGMENTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'doc_fragments')
_FAILURES = (OSError, ValueError, AttributeError, TypeError, KeyError)


def _enabled():
    return os.environ.get(KILL_SWITCH, '1').strip().lower() not in ('0', 'false', 'no', 'off')


def _path(name):
    from ansible import constants as C  # pylint: disable=import-outside-toplevel
    return os.path.join(C.DEFAULT_LOCAL_TMP, '%s.config-definitions.json' % name)


def _stamp(documentation):
    from ansible.release import __version__ as core  # pylint: disable=import-outside-toplevel
    digest = hashlib.sha256(documentation.encode('utf-8'))
    for name in sorted(os.listdir(_FRAGMENTS)):
        if name.endswith('.py'):
            with open(os.path.join(_FRAGMENTS, name), 'rb') as handle:
                digest.update(handle.read())
    return dict(core=core, collection=COLLECTION_VERSION, docs=digest.hexdigest())


def reuse(name, documentation):
    """At the plugin's import: give Ansible the definitions an earlier worker of this run kept. True if it did."""
    if not _enabled():
        return False
    from ansible import constants as C  # pylint: disable=import-outside-toplevel
    try:
        if C.config.has_configuration_definition('lookup', name):
            return False
        with open(_path(name)) as handle:
            kept = json.load(handle)
        definitions = kept['definitions']
        if kept['stamp'] != _stamp(documentation) or not isinstance(definitions, dict) or not definitions:
            return False
        C.config.initialize_plugin_configuration_definitions('lookup', name, definitions)
        return True
    except _FAILURES:
        return False


def share(name, documentation):
    """When the plugin runs (Ansible has its definitions by then): keep them for the run's other workers."""
    if not _enabled():
        return
    from ansible import constants as C  # pylint: disable=import-outside-toplevel
    try:
        path = _path(name)
        if os.path.exists(path):
            return
        kept = dict(stamp=_stamp(documentation), definitions=C.config.get_configuration_definitions('lookup', name))
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.tokensmith-')
        with os.fdopen(descriptor, 'w') as handle:
            json.dump(kept, handle)
        os.replace(temporary, path)
    except _FAILURES:
        pass
