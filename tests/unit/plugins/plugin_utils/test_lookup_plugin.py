# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lookup plugin as Ansible loads and calls it: what a user types is checked by name before any request."""

import pytest

from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

SECRET = CREDENTIALS['test_nuvy_client_secret']
KEY = CREDENTIALS['test_nexla_service_key']
CLIENT_ID = CREDENTIALS['test_nuvy_client_id']


@pytest.fixture
def token_lookup():
    loader = DataLoader()
    return lookup_loader.get('tokensmith.auth.token', loader=loader, templar=Templar(loader=loader))


def run(plugin, emulator, terms=('nuvy',), variables=None, **keywords):
    given = dict(token_url=emulator.url + '/nexus/oauth2/token', client_id=CLIENT_ID, client_secret=SECRET,
                 ca_path=emulator.ca, retries=0, cache=False)
    given.update(keywords)
    return plugin.run(list(terms), variables=variables or {}, **given)


def test_the_plugin_runs(token_lookup, emulator):
    assert run(token_lookup, emulator, output='header')[0].startswith('Bearer ')
    assert emulator.count('nuvy.token') == 1


@pytest.mark.parametrize('keywords, words', [
    # A misspelt token_url left the default (production) URL in place: the secret went there.
    (dict(token_uri='https://qa.example.invalid/nexus/oauth2/token'), 'unknown option token_uri (did you mean token_url?)'),
    (dict(client_secert='x'), 'unknown option client_secert (did you mean client_secret?)'),
    (dict(outptu='header'), 'unknown option outptu (did you mean output?)'),
    (dict(zzz=1), 'unknown option zzz'),
    (dict(service_key='k'), 'service_key is not an option of nuvy (it is one of nexla)'),
])
def test_a_keyword_the_terms_do_not_read_is_refused_by_name_before_any_request(token_lookup, emulator, keywords, words):
    with pytest.raises(AnsibleLookupError) as err:
        run(token_lookup, emulator, **keywords)
    assert words in str(err.value) and SECRET not in str(err.value)
    assert ('ansible-doc -t lookup tokensmith.auth.token' in str(err.value)) == words.startswith('unknown')
    assert emulator.counters() == {}


def test_a_keyword_of_another_term_is_fine(token_lookup, emulator):
    # Options for several providers at once, each read by its own term.
    both = run(token_lookup, emulator, terms=('nuvy', 'nexla'), api_url=emulator.url + '/nexla-api',
               service_key=KEY)
    assert len(both) == 2 and emulator.count('nexla.token') == 1


def test_a_misspelt_play_variable_in_the_lookups_namespace_is_refused(token_lookup, emulator):
    variables = dict(tokensmith_nuvy_token_uri='https://qa.example.invalid/t', tokensmith_nuvy_scope=[],
                     unrelated_variable='fine')
    with pytest.raises(AnsibleLookupError) as err:
        run(token_lookup, emulator, variables=variables)
    assert 'unknown variable tokensmith_nuvy_token_uri' in str(err.value)
    assert 'did you mean tokensmith_nuvy_token_url?' in str(err.value)
    assert emulator.counters() == {}


def test_on_error_return_hands_the_one_line_to_the_play(token_lookup, emulator):
    # What the roles use to fail once, with the collection's line alone (not wrapped by Ansible's templating).
    failed = run(token_lookup, emulator, on_error='return', min_ttl=-7200)
    assert failed == [dict(failed=True, msg='min_ttl must be at least 0 and at most 31622400, not -7200')]
    failed = run(token_lookup, emulator, on_error='return', client_secret='wrong-Secret-99')
    assert failed[0]['failed'] and 'invalid_client' in failed[0]['msg'] and 'wrong-Secret-99' not in failed[0]['msg']
    assert run(token_lookup, emulator, on_error='return', token_uri='x')[0]['msg'].startswith('unknown option token_uri')
    with pytest.raises(AnsibleLookupError):
        run(token_lookup, emulator, min_ttl=-7200)  # on_error=fail, the default
