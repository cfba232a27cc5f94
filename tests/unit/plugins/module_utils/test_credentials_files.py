# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Credentials merged into build-tool files: other entries survive, a second merge changes nothing."""

import base64
import configparser
import json
import netrc as netrc_module
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.tokensmith.auth.plugins.module_utils._credentials_files import FORMATS
from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError

MAVEN = '''<?xml version="1.0" encoding="UTF-8"?>
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <!-- keep me -->
  <localRepository>/opt/m2</localRepository>
  <servers>
    <server><id>other</id><username>u</username><password>p</password></server>
    <server><id>nexus</id><username>old</username><password>old</password></server>
  </servers>
</settings>
'''
NS = '{http://maven.apache.org/SETTINGS/1.0.0}'


@pytest.mark.parametrize('fmt, target', [('maven', 'nexus'), ('npmrc', 'https://nx.example.com/repository/npm/'),
                                         ('pip', 'https://nx.example.com/repository/pypi/simple'),
                                         ('netrc', 'nx.example.com'), ('docker', 'nx.example.com:8443')])
def test_from_nothing_and_idempotent(fmt, target):
    merge = FORMATS[fmt]
    first = merge('', target, 'AbCd1234', 'pa+ss/w=rd')
    assert first and merge(first, target, 'AbCd1234', 'pa+ss/w=rd') == first
    assert merge(first, target, 'AbCd1234', 'new-pass') != first


def test_maven_keeps_other_servers_comments_and_namespace():
    merged = FORMATS['maven'](MAVEN, 'nexus', 'AbCd1234', 'secret')
    root = ET.fromstring(merged)
    servers = {s.findtext(NS + 'id'): (s.findtext(NS + 'username'), s.findtext(NS + 'password'))
               for s in root.iter(NS + 'server')}
    assert servers == {'other': ('u', 'p'), 'nexus': ('AbCd1234', 'secret')}
    assert root.findtext(NS + 'localRepository') == '/opt/m2' and '<!-- keep me -->' in merged
    assert 'ns0:' not in merged


def test_npmrc_keeps_other_lines():
    merged = FORMATS['npmrc']('registry=https://nx.example.com/repository/npm/\n//other/:_auth=xyz\n',
                              'https://nx.example.com/repository/npm', 'AbCd1234', 'secret')
    lines = merged.splitlines()
    assert 'registry=https://nx.example.com/repository/npm/' in lines and '//other/:_auth=xyz' in lines
    assert '//nx.example.com/repository/npm/:_auth=' + base64.b64encode(b'AbCd1234:secret').decode() in lines


def test_pip_keeps_other_keys_and_quotes_the_credentials():
    merged = FORMATS['pip']('[global]\ntimeout = 60\n[install]\nuser = true\n',
                            'https://nx.example.com/repository/pypi/simple', 'AbCd1234', 'pa+ss/w=rd')
    config = configparser.ConfigParser(interpolation=None)
    config.read_string(merged)
    assert config.get('global', 'timeout') == '60' and config.get('install', 'user') == 'true'
    assert config.get('global', 'index-url') == 'https://AbCd1234:pa%2Bss%2Fw%3Drd@nx.example.com/repository/pypi/simple'


def test_netrc_replaces_only_its_machine_and_stays_before_default():
    merged = FORMATS['netrc']('machine a.example login x password y\nmachine nx.example.com login old password old\n'
                              'default login anonymous password guest\n', 'nx.example.com', 'AbCd1234', 'secret')
    lines = merged.splitlines()
    assert lines[1] == 'machine nx.example.com login AbCd1234 password secret'  # rewritten where it stood
    assert 'machine a.example login x password y' in lines and lines[-1].startswith('default')
    assert 'old' not in merged
    added = FORMATS['netrc']('machine a.example login x password y\ndefault login anonymous password guest\n',
                             'nx.example.com', 'AbCd1234', 'secret').splitlines()
    assert added[1] == 'machine nx.example.com login AbCd1234 password secret' and added[2].startswith('default')


REAL_NETRC = """# written by hand; keep this comment
machine a.example login x password "two words"
machine b.example
    login y
    password ab#cd   # a comment after a value
macdef init
cd /srv
put release.tar

machine nx.example.com login old password old
default login anonymous password "guest \\"quoted\\""
"""


def test_netrc_keeps_every_other_byte_and_python_reads_the_result(tmp_path):
    merged = FORMATS['netrc'](REAL_NETRC, 'nx.example.com', 'AbCd1234', 'pa"ss#1')
    assert merged == REAL_NETRC.replace('login old password old', 'login AbCd1234 password "pa\\"ss#1"')
    path = tmp_path / 'netrc'
    path.write_text(merged)
    hosts = netrc_module.netrc(str(path)).hosts
    assert hosts['nx.example.com'] == ('AbCd1234', '', 'pa"ss#1')
    assert hosts['a.example'][2] == 'two words' and hosts['b.example'][2] == 'ab#cd'
    assert hosts['default'][2] == 'guest "quoted"'
    assert FORMATS['netrc'](merged, 'nx.example.com', 'AbCd1234', 'pa"ss#1') == merged


def test_maven_keeps_what_surrounds_the_root():
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n<!-- managed by hand -->\n'
            '<!DOCTYPE settings [ <!ENTITY home "/opt/m2"> ]>\n'
            '<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"><localRepository>&home;</localRepository>'
            '</settings>\n<!-- trailer -->\n')
    merged = FORMATS['maven'](text, 'nexus', 'AbCd1234', 'secret')
    assert merged.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!-- managed by hand -->\n<!DOCTYPE settings [')
    assert merged.endswith('</settings>\n<!-- trailer -->\n') and '<localRepository>/opt/m2</localRepository>' in merged
    assert ET.fromstring(merged).find(NS + 'servers/' + NS + 'server/' + NS + 'password').text == 'secret'


def test_docker_keeps_everything_else():
    original = json.dumps({'auths': {'other.io': {'auth': 'eHl6'}}, 'credsStore': 'desktop'})
    merged = json.loads(FORMATS['docker'](original, 'nx.example.com:8443', 'AbCd1234', 'secret'))
    assert merged['credsStore'] == 'desktop' and merged['auths']['other.io'] == {'auth': 'eHl6'}
    assert base64.b64decode(merged['auths']['nx.example.com:8443']['auth']) == b'AbCd1234:secret'


@pytest.mark.parametrize('fmt, text, target', [('maven', '<settings', 'x'), ('docker', '[1]', 'x'),
                                               ('docker', '{nope', 'x'), ('pip', 'garbage without section', 'https://h/x'),
                                               ('npmrc', '', 'not a url'), ('netrc', '', 'has space')])
def test_bad_input_is_a_clear_error(fmt, text, target):
    with pytest.raises(TokenError):
        FORMATS[fmt](text, target, 'AbCd1234', 'secret')
