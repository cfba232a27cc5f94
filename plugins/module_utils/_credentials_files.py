# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""Credentials merged into the files build tools read, leaving every other entry alone.

Each merger takes the file's current text ('' when missing) and returns the new text; the module writes
only when the text changed, so a second run changes nothing.
"""

import configparser
import io
import json
import xml.etree.ElementTree as ET
from xml.parsers import expat
from urllib.parse import quote, urlsplit, urlunsplit

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import TokenError, b64_text


def _basic(username, password):
    return b64_text('%s:%s' % (username, password))


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
    prolog, epilog = _around_root(text)
    if not prolog.lstrip().startswith('<?xml'):
        prolog = '<?xml version="1.0" encoding="UTF-8"?>\n' + prolog.lstrip()
    return prolog + ET.tostring(root, encoding='unicode') + (epilog if epilog.strip() else '\n')


def _around_root(text):
    """The text before the root element (XML declaration, comments, DOCTYPE) and after it, as they are."""
    data = text.encode('utf-8')
    parser = expat.ParserCreate()
    depth, span = [0], []

    def start(*_args):
        if not depth[0]:
            span.append(parser.CurrentByteIndex)
        depth[0] += 1

    def end(*_args):
        depth[0] -= 1
        if not depth[0]:
            span.append(parser.CurrentByteIndex)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.Parse(data, True)
    # At an end tag expat points at its "</"; at an empty element (<settings/>), just past it.
    closing = data.index(b'>', span[1]) + 1 if data.startswith(b'</', span[1]) else span[1]
    return data[:span[0]].decode('utf-8'), data[closing:].decode('utf-8')


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


_NETRC_SPACE = ' \t\r\n'


def _netrc_tokens(text):
    """``(start, end, value)`` of each .netrc token, as Python's netrc and curl read them (quotes, backslashes);
    a ``#`` where a keyword belongs, and a macdef's body, are skipped to the end of their line(s)."""
    position, size = 0, len(text)
    expect_keyword = True
    while True:
        while position < size and text[position] in _NETRC_SPACE:
            position += 1
        if position >= size:
            return
        if expect_keyword and text[position] == '#':
            position = _line_end(text, position)
            continue
        start, quoted, value = position, text[position] == '"', []
        position += quoted
        while position < size and (text[position] != '"' if quoted else text[position] not in _NETRC_SPACE):
            if text[position] == '\\' and position + 1 < size:
                position += 1
            value.append(text[position])
            position += 1
        if quoted:
            if position >= size:
                # Python's netrc would read what follows - the next lines, the entry this writer adds - as this
                # value (a password sent to the wrong host), and curl refuses the file: write nothing.
                raise TokenError('the .netrc file has a quote that is never closed, opened on line %d'
                                 % (text.count('\n', 0, start) + 1), hint='Fix or remove the file; it is not changed')
            position += 1  # the closing quote
        token = ''.join(value)
        yield start, position, token
        if expect_keyword and token == 'macdef':
            name_end = _line_end(text, position)
            while name_end < size and text[name_end] != '\n':  # the body ends at an empty line
                name_end = _line_end(text, name_end)
            position = name_end
            continue
        # A keyword is followed by its value (machine by its name), a value by a keyword; default stands alone.
        expect_keyword = token == 'default' if expect_keyword else True


def _line_end(text, position):
    newline = text.find('\n', position)
    return len(text) if newline < 0 else newline + 1


def _netrc_entries(text):
    """Each entry: dict(kind, name, start, end, fields={keyword: (start, end, value)})."""
    entries = []
    tokens = _netrc_tokens(text)
    for start, end, value in tokens:
        if value in ('machine', 'default'):
            entry = dict(kind=value, name=None, start=start, end=end, fields={})
            entries.append(entry)
            if value == 'machine':
                name = next(tokens, None)
                if name is None:
                    raise TokenError('the .netrc file ends after "machine"', hint='Fix or remove the file')
                entry.update(name=name[2], end=name[1])
        elif value == 'macdef' or not entries:
            if value != 'macdef':
                raise TokenError('the .netrc file has a stray word before its first machine entry',
                                 hint='Fix or remove the file')
        else:
            found = next(tokens, None)
            if found is None:
                raise TokenError('the .netrc file ends after "%s"' % value[:20], hint='Fix or remove the file')
            entries[-1]['fields'][value] = found
            entries[-1]['end'] = found[1]
    return entries


def _netrc_word(value):
    """A value as .netrc holds it: quoted only when it must be (a quote, a backslash, a leading #)."""
    if '"' in value or '\\' in value or value.startswith('#'):
        return '"%s"' % value.replace('\\', '\\\\').replace('"', '\\"')
    return value


def netrc(text, target, username, password):
    """.netrc: ``machine target login username password password``. Only that entry's values are rewritten;
    every other byte (other machines, comments, quoting, macros) is kept."""
    for value in (target, username, password):
        if not value or any(char in _NETRC_SPACE for char in value):
            raise TokenError('.netrc cannot hold empty values or values with spaces', hint='Use another file format')
    entries = _netrc_entries(text)
    entry = next((e for e in entries if e['kind'] == 'machine' and e['name'] == target), None)
    if entry is None:
        line = 'machine %s login %s password %s\n' % tuple(_netrc_word(value) for value in (target, username, password))
        default = next((e for e in entries if e['kind'] == 'default'), None)
        if default is not None:  # the default entry must come last
            return text[:default['start']] + line + text[default['start']:]
        return text + ('\n' if text and not text.endswith('\n') else '') + line
    edits = []  # (start, end, replacement), applied from the end
    for keyword, value in (('login', username), ('password', password)):
        found = entry['fields'].get(keyword)
        if found is None:
            edits.append((entry['end'], entry['end'], ' %s %s' % (keyword, _netrc_word(value))))
        elif found[2] != value:
            edits.append((found[0], found[1], _netrc_word(value)))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


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
