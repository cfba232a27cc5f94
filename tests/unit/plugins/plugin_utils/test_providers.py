# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The provider contract: each registry line, its provider's file, its module's docs and the lookup's agree."""

import importlib
import inspect
import re

import pytest
import yaml

from ansible_collections.tokensmith.auth.plugins.lookup import token as lookup_plugin
from ansible_collections.tokensmith.auth.plugins.module_utils._options import CONNECTION_ARGSPEC, MIN_TTL_ENV
from ansible_collections.tokensmith.auth.plugins.module_utils._providers import PROVIDERS, Provider, load

MODULES = {'nexla': 'nexla_token', 'nuvy': 'nuvy_oauth_token', 'nexus': 'nexus_user_token'}
ENV_NAME = re.compile(r'\b(?:NEXLA|NUVY|NEXUS)_[A-Z_]+\b')


def fragment(name, variant='DOCUMENTATION'):
    module = importlib.import_module('ansible_collections.tokensmith.auth.plugins.doc_fragments.' + name)
    return getattr(module.ModuleDocFragment, variant)


def env_fallbacks(provider):
    """The provider's own variables (the shared TOKENSMITH_* ones are checked below, for every face at once)."""
    return set(name for option in provider.argspec.values() if 'fallback' in option for name in option['fallback'][1]
               if ENV_NAME.match(name))


@pytest.mark.parametrize('name', sorted(PROVIDERS))
def test_the_registry_line_loads_its_provider(name):
    provider = load(name)
    assert isinstance(provider, Provider) and provider.__class__ is not Provider
    assert provider.name == name and provider.fact
    assert set(PROVIDERS[name].identity) <= set(provider.argspec)


@pytest.mark.parametrize('name', sorted(PROVIDERS))
def test_its_secrets_are_exactly_its_no_log_options_but_the_handed_back_token(name):
    provider = load(name)
    no_log = set(option for option, spec in provider.argspec.items() if spec.get('no_log'))
    assert set(PROVIDERS[name].secrets) == no_log - set(provider.handed_back)
    assert set(provider.handed_back) <= no_log


@pytest.mark.parametrize('name', sorted(PROVIDERS))
def test_its_env_names_are_those_its_hints_and_docs_name(name):
    provider = load(name)
    fallbacks = env_fallbacks(provider)
    assert fallbacks, 'every provider takes its credentials from the environment too'
    hinted = set(ENV_NAME.findall(inspect.getsource(importlib.import_module(type(provider).__module__))))
    assert hinted <= fallbacks, 'a hint names a variable nothing reads'
    documented = set(ENV_NAME.findall(fragment(name)))
    assert documented == fallbacks
    lookup_env = set(entry['name'] for option in yaml.safe_load(fragment(name, 'PLUGINS'))['options'].values()
                     for entry in option.get('env', []))
    assert lookup_env == fallbacks
    module_doc = importlib.import_module('ansible_collections.tokensmith.auth.plugins.modules.' + MODULES[name])
    assert set(ENV_NAME.findall(module_doc.DOCUMENTATION + module_doc.EXAMPLES)) <= fallbacks


@pytest.mark.parametrize('name', sorted(PROVIDERS))
def test_the_lookup_documents_every_option_the_registry_reads(name):
    options = yaml.safe_load(lookup_plugin.DOCUMENTATION)
    fragment_options = yaml.safe_load(fragment(name, 'PLUGINS'))['options']
    for option in PROVIDERS[name].identity + PROVIDERS[name].secrets:
        assert option in fragment_options or option in options['options']


def test_every_face_reads_the_same_variables_for_the_shared_options():
    # The modules read what the lookup reads (TOKENSMITH_CA_PATH was the lookup's alone), and the docs say so.
    modules = dict((name, option['fallback'][1]) for name, option in CONNECTION_ARGSPEC.items())
    lookup = dict((name, [entry['name'] for entry in option.get('env', [])])
                  for name, option in yaml.safe_load(fragment('connection', 'PLUGINS'))['options'].items())
    assert modules == lookup
    documented = set(re.findall(r'E\((TOKENSMITH_[A-Z_]+)\)', fragment('connection')))
    assert documented == set(name for names in modules.values() for name in names)
    lookup_min_ttl = yaml.safe_load(lookup_plugin.DOCUMENTATION)['options']['min_ttl']['env']
    assert [entry['name'] for entry in lookup_min_ttl] == [MIN_TTL_ENV]
    for name in ('nexla', 'nuvy'):
        assert load(name).argspec['min_ttl']['fallback'][1] == [MIN_TTL_ENV]
