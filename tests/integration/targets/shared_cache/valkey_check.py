# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""valkey_check.py CA: valkey-py (redis-py hidden, as on a controller that has only valkey) stores, locks and reads
back an entry through the shared cache at TOKENSMITH_CACHE_URL, and the lock is released at once (the documented ACL
lets the client load the release script into an emptied script cache)."""

import os
import sys
import time

sys.modules['redis'] = None  # as on a controller that has only valkey
# pylint: disable=wrong-import-position
from ansible_collections.tokensmith.auth.plugins.module_utils._options import Options  # noqa: E402
from ansible_collections.tokensmith.auth.plugins.plugin_utils import _shared_cache  # noqa: E402


def main(ca_path):
    assert _shared_cache._client_library().__name__ == 'valkey'  # pylint: disable=protected-access
    cache = _shared_cache.SharedCache.open(Options(dict(cache_url=os.environ['TOKENSMITH_CACHE_URL'], ca_path=ca_path,
                                                        cache_key=os.environ['TOKENSMITH_CACHE_KEY'])), print, None)
    with cache.entry(['valkey-check'], 'a-secret') as entry:
        entry.store({'token': 'sealed'}, time.time() + 60)
    assert cache.client.get(entry.key + ':lock') is None, 'the lock was not released (is +script|load in the ACL?)'
    assert cache.peek(['valkey-check'], 'a-secret') == {'token': 'sealed'}
    print('valkey-py: stored, locked and read back through the shared cache')


if __name__ == '__main__':
    main(sys.argv[1])
