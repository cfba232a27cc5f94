# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""Credentials merged into the files build tools read, leaving every other entry alone.

Each merger takes the file's current text ('' when missing) and returns the new text; the module writes
only when the text changed, so a second run changes nothing.
"""

import base64
import configparser
import io
import json
import re
import shlex
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit, urlunsplit

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError


def _basic(username, password):
    return base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')


def maven(text, target, username, password):
    """settings.xml: one ``<server>`` with ``<id>target</id>`` under ``<servers>``; the rest untouched."""
    if not text.strip():
        text = '<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"></settings>'
    try:
        root = ET.fromstring(text, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    except ET.ParseError as err:
        raise TokenError('the Maven settings file is not valid XML (%s)' % err, hint='Fix or remove the file')
    namespace = root.tag[1:].partition('}')[0] if root.tag.startswith('{') else ''
    ET.register_namespace('', namespace)

    def tag(name):
        return '{%s}%s' % (namespace, name) if namespace else name

    def child(parent, name):
        found = parent.find(tag(name))
        if found is None:
            found = ET.SubElement(parent, tag(name))
        return found

    servers = child(root, 'servers')
    server = next((s for s in servers.findall(tag('server')) if (s.findtext(tag('id')) or '').strip() == target), None)
    if server is None:
        server = ET.SubElement(servers, tag('server'))
        child(server, 'id').text = target
    if server.findtext(tag('username')) == username and server.findtext(tag('password')) == password:
        return text
    child(server, 'username').text = username
    child(server, 'password').text = password
    if hasattr(ET, 'indent'):  # Python 3.9+; older ones keep the layout as it is
        ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding='unicode') + '\n'


def npmrc(text, target, username, password):
    """.npmrc: ``//registry/path/:_auth=base64(user:pass)`` for the registry URL ``target``."""
    parts = urlsplit(target)
    if not parts.netloc:
        raise TokenError('registry %r is not a URL' % target, hint='Give the registry URL, such as https://nexus.example.com/repository/npm/')
    key = '//%s%s:_auth' % (parts.netloc, parts.path if parts.path.endswith('/') else parts.path + '/')
    line = '%s=%s' % (key, _basic(username, password))
    lines = text.splitlines()
    kept = [existing for existing in lines if existing.split('=', 1)[0].strip() != key]
    if line in lines and len(kept) == len(lines) - 1:
        return text
    return '\n'.join(kept + [line]) + '\n'


def pip(text, target, username, password):
    """pip.conf: ``[global] index-url`` set to ``target`` with the credentials in it; other keys kept."""
    parts = urlsplit(target)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        raise TokenError('index URL %r is not an http(s) URL' % target, hint='Give the index URL, such as https://nexus.example.com/repository/pypi/simple')
    netloc = '%s:%s@%s' % (quote(username, safe=''), quote(password, safe=''), parts.netloc.rpartition('@')[2])
    url = urlunsplit(parts._replace(netloc=netloc))
    config = configparser.ConfigParser(interpolation=None)
    try:
        config.read_string(text)
    except configparser.Error as err:
        raise TokenError('the pip configuration is not valid INI (%s)' % err.__class__.__name__, hint='Fix or remove the file')
    if config.has_section('global') and config.get('global', 'index-url', fallback=None) == url:
        return text
    if not config.has_section('global'):
        config.add_section('global')
    config.set('global', 'index-url', url)
    out = io.StringIO()
    config.write(out)
    return out.getvalue()


def netrc(text, target, username, password):
    """.netrc: ``machine target login username password password``; other machines kept."""
    for value in (target, username, password):
        if re.search(r'\s', value) or not value:
            raise TokenError('.netrc cannot hold empty values or values with spaces', hint='Use another file format')
    entries, current = [], None
    try:
        tokens = shlex.split(text, comments=True)
    except ValueError:
        raise TokenError('the .netrc file cannot be parsed', hint='Fix or remove the file') from None
    for token in tokens:
        if token in ('machine', 'default'):
            current = [token]
            entries.append(current)
        elif current is not None:
            current.append(token)
    wanted = ['machine', target, 'login', username, 'password', password]
    if wanted in entries:
        return text
    entries = [entry for entry in entries if entry[:2] != ['machine', target]]
    entries.insert(0, wanted)  # before any "default" entry, which must come last
    return ''.join(' '.join(entry) + '\n' for entry in entries)


def docker(text, target, username, password):
    """Docker config.json: ``auths[target].auth`` = base64(user:pass); everything else kept."""
    try:
        config = json.loads(text) if text.strip() else {}
    except ValueError:
        raise TokenError('the Docker config is not valid JSON', hint='Fix or remove the file') from None
    if not isinstance(config, dict):
        raise TokenError('the Docker config is not a JSON object', hint='Fix or remove the file')
    auths = config.setdefault('auths', {})
    entry = auths.setdefault(target, {})
    if entry.get('auth') == _basic(username, password):
        return text
    entry['auth'] = _basic(username, password)
    return json.dumps(config, indent=2, sort_keys=True) + '\n'


FORMATS = {'maven': maven, 'npmrc': npmrc, 'pip': pip, 'netrc': netrc, 'docker': docker}
