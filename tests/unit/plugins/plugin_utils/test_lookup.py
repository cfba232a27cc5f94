# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lookup's work against the emulator: outputs, the cache across processes, single flight."""

import base64
import json
import multiprocessing
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError
from ansible_collections.tokensmith.auth.plugins.plugin_utils._lookup import TokenLookup
from ansible_collections.tokensmith.auth.tests.emulator.credentials import CREDENTIALS

SECRET = CREDENTIALS['test_nuvy_client_secret']
KEY = CREDENTIALS['test_nexla_service_key']
CLIENT_ID = CREDENTIALS['test_nuvy_client_id']
USERNAME = CREDENTIALS['test_nexus_username']
PASSWORD = CREDENTIALS['test_nexus_password']


def options(emulator, cache_dir, **extra):
    values = dict(token_url=emulator.url + '/nexus/oauth2/token', client_id=CLIENT_ID, client_secret=SECRET,
                  scope=[], auth_method='auto', api_url=emulator.url + '/nexla-api', service_key=KEY,
                  url=emulator.url + '/nxrm/3.70.1', username=USERNAME, password=PASSWORD, api_version='auto',
                  ca_path=emulator.ca, validate_certs=True, timeout=10, retries=0, use_proxy=True,
                  allow_plain_http=False, output='secret', cache=True, cache_dir=str(cache_dir), min_ttl=None,
                  client_cert=None, client_key=None)
    values.update(extra)
    return values


def lookup(emulator, provider, cache_dir, warnings=None, **extra):
    values = options(emulator, cache_dir, **extra)
    plugin = SimpleNamespace(get_option=values.get)
    return TokenLookup(provider, plugin, (warnings if warnings is not None else []).append).result()


def test_outputs(emulator, tmp_path):
    secret = lookup(emulator, 'nuvy', tmp_path)
    assert lookup(emulator, 'nuvy', tmp_path, output='header') == 'Bearer ' + secret
    token = lookup(emulator, 'nuvy', tmp_path, output='token')
    assert token['access_token'] == secret and token['token_type'] == 'Bearer'
    nexus = lookup(emulator, 'nexus', tmp_path, output='token')
    assert lookup(emulator, 'nexus', tmp_path) == '%s:%s' % (nexus['name_code'], nexus['pass_code'])
    header = lookup(emulator, 'nexus', tmp_path, output='header')
    assert base64.b64decode(header[len('Basic '):]).decode() == '%s:%s' % (nexus['name_code'], nexus['pass_code'])
    nexla = lookup(emulator, 'nexla', tmp_path, output='token')
    assert nexla['user']['id'] == 42 and 'api_key' not in str(nexla)
    assert emulator.count('nuvy.token') == 1 and emulator.count('nexla.token') == 1


HIT_IN_A_FRESH_PROCESS = """
import json, re, sys
from types import SimpleNamespace
import urllib.parse  # what a worker has imported already (Ansible uses them), with patterns of their own
import ansible.module_utils.errors, cryptography.hazmat.primitives.ciphers.aead, cryptography.hazmat.primitives.kdf.hkdf
compiled, real = [], re._compile
re._compile = lambda *args: compiled.append(str(args[0])) or real(*args)  # every pattern, at import or later
from ansible_collections.tokensmith.auth.plugins.module_utils import _token
_token.parse_time = lambda text: compiled.append('parse_time %s' % text) or 0.0
from ansible_collections.tokensmith.auth.plugins.plugin_utils._lookup import TokenLookup
values = json.loads(sys.argv[1])
found = TokenLookup(sys.argv[2], SimpleNamespace(get_option=values.get), print).result()
flows = ('_nexla', '_nuvy', '_nexus', '_http', 'requests')
imported = sorted(name for name in sys.modules if name.rsplit('.', 1)[-1] in flows)
print(json.dumps(dict(found=found, compiled=compiled, imported=imported)))
"""


def hit_in_a_fresh_process(emulator, tmp_path, provider):
    child = subprocess.run([sys.executable, '-c', HIT_IN_A_FRESH_PROCESS, json.dumps(options(emulator, tmp_path)),
                            provider], capture_output=True, text=True, check=True, env=dict(PYTHONPATH=':'.join(sys.path)))
    return json.loads(child.stdout.splitlines()[-1])


def test_a_cache_hit_compiles_no_pattern_and_parses_no_date(emulator, tmp_path):
    # Ansible evaluates a lookup in a freshly forked worker per task and host, which pays again for every
    # regular expression compiled on the way (0.4-1 ms each): a hit, from import to answer, needs none.
    for provider in ('nuvy', 'nexla', 'nexus'):
        issued = lookup(emulator, provider, tmp_path)
        answer = hit_in_a_fresh_process(emulator, tmp_path, provider)
        assert dict(found=answer['found'], compiled=answer['compiled']) == dict(found=issued, compiled=[])
    assert emulator.count('nuvy.token') == 1 and emulator.count('nexla.token') == 1


def test_a_cache_hit_imports_no_flow(emulator, tmp_path):
    # The provider contract lives in the light _providers.py: a hit needs no flow, no HTTP layer, no requests.
    for provider in ('nuvy', 'nexla', 'nexus'):
        issued = lookup(emulator, provider, tmp_path)
        assert hit_in_a_fresh_process(emulator, tmp_path, provider) == dict(found=issued, compiled=[], imported=[])


def test_cache_off_asks_every_time(emulator, tmp_path):
    lookup(emulator, 'nuvy', tmp_path, cache=False)
    lookup(emulator, 'nuvy', tmp_path, cache=False)
    assert emulator.count('nuvy.token') == 2


def test_another_secret_is_another_entry(emulator, tmp_path):
    lookup(emulator, 'nexus', tmp_path)
    with pytest.raises(TokenError):
        lookup(emulator, 'nexus', tmp_path, password='wrong')  # never served from the right password's entry


def test_nexla_entry_close_to_expiry_is_refreshed(emulator, tmp_path):
    emulator.config(nexla_lifetime=302)
    first = lookup(emulator, 'nexla', tmp_path)
    time.sleep(2.1)  # now under min_ttl (300)
    again = lookup(emulator, 'nexla', tmp_path)
    assert again == first  # same session, its clock restarted
    assert emulator.count('nexla.token') == 1 and emulator.count('nexla.refresh') == 1


def test_an_unsafe_cache_dir_is_refused_and_the_runs_own_keeps_one_request(emulator, tmp_path):
    directory = tmp_path / 'open'
    directory.mkdir()
    directory.chmod(0o777)
    warnings = []
    first = lookup(emulator, 'nuvy', directory, warnings)
    assert lookup(emulator, 'nuvy', directory, warnings) == first
    assert any('refusing %s' % directory in w and 'chmod 700 it' in w for w in warnings)
    assert list(directory.iterdir()) == [] and emulator.count('nuvy.token') == 1


def test_unknown_provider_and_output(emulator, tmp_path):
    with pytest.raises(TokenError, match='unknown provider'):
        lookup(emulator, 'vault', tmp_path)
    with pytest.raises(TokenError, match='output must be one of'):
        lookup(emulator, 'nuvy', tmp_path, output='json')


def test_errors_are_redacted(emulator, tmp_path):
    emulator.fault('/nexus/oauth2/token', body='echo')
    with pytest.raises(TokenError) as err:
        lookup(emulator, 'nuvy', tmp_path)
    assert SECRET not in str(err.value)  # str() of the error is redacted by the flow's redactor


def _cold_lookup(args):
    url, ca, cache_dir, barrier = args
    barrier.wait()

    class Emu:
        pass
    emu = Emu()
    emu.url, emu.ca = url, ca
    return lookup(emu, 'nuvy', cache_dir)


def test_fifty_concurrent_cold_lookups_make_one_request(emulator, tmp_path):
    context = multiprocessing.get_context('fork')
    barrier = context.Manager().Barrier(50)
    with context.Pool(50) as pool:
        tokens = pool.map(_cold_lookup, [(emulator.url, emulator.ca, str(tmp_path), barrier)] * 50)
    assert len(set(tokens)) == 1
    assert emulator.count('nuvy.token') == 1


def test_a_token_shorter_than_min_ttl_is_held_not_refetched_per_lookup(emulator, tmp_path):
    emulator.config(nuvy_lifetime=30)  # the server issues tokens shorter than min_ttl (60)
    first = lookup(emulator, 'nuvy', tmp_path)
    for _attempt in range(20):
        assert lookup(emulator, 'nuvy', tmp_path) == first
    assert emulator.count('nuvy.token') == 1


def test_a_token_that_lives_0_seconds_is_held_too(emulator, tmp_path):
    emulator.config(nuvy_lifetime=0)  # expires_in: 0, as a misconfigured server answers
    first = lookup(emulator, 'nuvy', tmp_path)
    for _attempt in range(10):
        assert lookup(emulator, 'nuvy', tmp_path) == first
    assert emulator.count('nuvy.token') == 1


def test_a_nexus_token_near_its_server_expiry_is_not_reread_per_lookup(emulator, tmp_path):
    emulator.config(nexus_token_lifetime=30)
    first = lookup(emulator, 'nexus', tmp_path)
    for _attempt in range(20):
        assert lookup(emulator, 'nexus', tmp_path) == first
    assert emulator.count('nexus.token') == 2  # the first read (404, none yet) and the create


def _renewing_lookup(args):
    url, ca, cache_dir, barrier, refused = args
    barrier.wait()
    emu = SimpleNamespace(url=url, ca=ca)
    return lookup(emu, 'nuvy', cache_dir, renew=refused, output='header')


def test_many_hosts_refused_the_same_token_cause_one_new_request(emulator, tmp_path):
    dead = lookup(emulator, 'nuvy', tmp_path, output='header')
    emulator.post('invalidate', {'provider': 'nuvy'})
    context = multiprocessing.get_context('fork')
    barrier = context.Manager().Barrier(20)
    with context.Pool(20) as pool:
        headers = pool.map(_renewing_lookup, [(emulator.url, emulator.ca, str(tmp_path), barrier, dead)] * 20)
    assert len(set(headers)) == 1 and headers[0] != dead
    assert emulator.count('nuvy.token') == 2  # the first token and exactly one renewal
    # a host that comes later with the same dead token gets the new one, without a request
    assert lookup(emulator, 'nuvy', tmp_path, renew=dead.split()[1]) == headers[0].split()[1]
    assert emulator.count('nuvy.token') == 2


def test_renew_true_always_fetches_and_the_others_read_its_result(emulator, tmp_path):
    first = lookup(emulator, 'nuvy', tmp_path)
    second = lookup(emulator, 'nuvy', tmp_path, renew=True)
    assert second != first and lookup(emulator, 'nuvy', tmp_path) == second
    assert emulator.count('nuvy.token') == 2


def test_renew_accepts_the_token_dict(emulator, tmp_path):
    dead = lookup(emulator, 'nexus', tmp_path, output='token')
    before = emulator.count('nexus.token')
    lookup(emulator, 'nexus', tmp_path, renew=dead)
    assert emulator.count('nexus.token') == before + 1  # asked the server again


def test_a_refused_nexla_session_is_renewed_by_a_login_not_a_refresh(emulator, tmp_path):
    dead = lookup(emulator, 'nexla', tmp_path)
    emulator.post('invalidate', {'provider': 'nexla'})
    fresh = lookup(emulator, 'nexla', tmp_path, renew=dead)
    assert fresh != dead and emulator.count('nexla.token') == 2 and emulator.count('nexla.refresh') == 0


def test_the_cache_remembers_which_basic_form_worked(emulator, tmp_path):
    emulator.config(nuvy_basic='raw', nuvy_lifetime=30)  # tokens shorter than min_ttl: held, then fetched again
    token = lookup(emulator, 'nuvy', tmp_path, output='token')
    assert token['auth_method'] == 'client_secret_basic_raw' and emulator.count('nuvy.token') == 2
    lookup(emulator, 'nuvy', tmp_path, renew=True)
    assert emulator.count('nuvy.token') == 3  # the raw form first, straight away


@pytest.mark.parametrize('option, value, words', [
    ('client_secret', SECRET + '\n', 'client_secret holds a trailing newline'),
    ('timeout', -1, 'timeout must be greater than 0'),
    ('retries', -1, 'retries must be at least 0'),
    ('min_ttl', -7200, 'min_ttl must be at least 0'),
    ('token_url', 'https://u:Lookup-Pa55@127.0.0.1/t', 'token_url must not carry credentials'),
])
def test_the_lookup_checks_options_like_the_modules(emulator, tmp_path, option, value, words):
    with pytest.raises(TokenError) as err:
        lookup(emulator, 'nuvy', tmp_path, **{option: value})
    assert words in str(err.value) and SECRET not in str(err.value) and 'Lookup-Pa55' not in str(err.value)
    assert emulator.counters() == {}


def test_a_missing_secret_says_the_lookup_reads_the_controllers_environment(emulator, tmp_path, monkeypatch):
    monkeypatch.delenv('NUVY_CLIENT_SECRET', raising=False)
    with pytest.raises(TokenError) as err:
        lookup(emulator, 'nuvy', tmp_path, client_secret='')
    message = str(err.value)
    assert 'client_secret is required' in message and 'the role variable nuvy_client_secret' in message
    assert 'tokensmith_nuvy_client_secret' in message and 'NUVY_CLIENT_SECRET in the environment of the controller' \
        in message
    assert 'managed node' not in message and emulator.counters() == {}


@pytest.mark.parametrize('version', ['2.5.0', '2.14.9', '3.5.0', '3.20.1', '3.70.1'])
def test_check_mode_creates_no_nexus_token_and_caches_nothing(emulator, tmp_path, version):
    url = emulator.url + '/nxrm/%s%s' % (version, '/nexus' if version.startswith('2') else '')
    values = options(emulator, tmp_path, url=url, output='token')
    warnings = []
    checked = TokenLookup('nexus', SimpleNamespace(get_option=values.get), warnings.append, check_mode=True).result()
    assert checked['source'] == 'check_mode' and checked['pass_code'] is None and 'name_code' in checked
    assert emulator.count('nexus.created') == 0 and emulator.count('nexus.deleted') == 0
    assert len(warnings) == 1 and 'check mode' in warnings[0]
    real = TokenLookup('nexus', SimpleNamespace(get_option=values.get), warnings.append).result()
    assert real['pass_code'] and emulator.count('nexus.created') == 1  # nothing of check mode was cached
    again = TokenLookup('nexus', SimpleNamespace(get_option=values.get), warnings.append, check_mode=True).result()
    assert again['pass_code'] == real['pass_code'] and again['source'] == 'cached'


def test_check_mode_reads_an_existing_nxrm_3_24_token(emulator, tmp_path):
    first = lookup(emulator, 'nexus', tmp_path, output='token')
    values = options(emulator, tmp_path / 'other', output='token')
    read = TokenLookup('nexus', SimpleNamespace(get_option=values.get), [].append, check_mode=True).result()
    assert read['pass_code'] == first['pass_code'] and read['source'] == 'read'
    assert emulator.count('nexus.created') == 1
