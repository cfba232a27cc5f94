# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The version the HTTP client announces (User-Agent) is the one galaxy.yml releases."""

import os

import yaml

from ansible_collections.tokensmith.auth.plugins.module_utils import _http

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_collection_version_is_galaxy_yml_s():
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        version = yaml.safe_load(handle)['version']
    assert _http.COLLECTION_VERSION == version and _http.USER_AGENT.startswith('tokensmith.auth/%s ' % version)
