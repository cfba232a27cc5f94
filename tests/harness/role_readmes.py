# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's README.md, the page Galaxy shows for it: the part between the markers is made from the role's
meta/argument_specs.yml (what it does, every variable), the rest (the example) is written by hand.

    python tests/harness/role_readmes.py write   # regenerate the marked part of every role's README
    python tests/harness/role_readmes.py check   # exit 1 if a README is missing or out of date
"""

import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEGIN = '<!-- generated from meta/argument_specs.yml by tests/harness/role_readmes.py: do not edit -->'
END = '<!-- end of the generated part -->'
# Ansible's documentation markup, as Markdown: C(x), O(x), V(x), E(x) -> `x`; M(x), P(x) -> `x`; I(x) -> *x*.
_MARKUP = re.compile(r'\b([COVEMPIUL])\(([^()]*)\)')


def _markdown(text):
    def one(match):
        kind, body = match.groups()
        body = body.split('#', 1)[0] if kind == 'P' else body
        return '*%s*' % body if kind == 'I' else '`%s`' % body
    return _MARKUP.sub(one, ' '.join(str(text).split()))


def _lines(value):
    return value if isinstance(value, list) else [value]


def _entry_point(spec, heading):
    out = []
    if heading:
        out += ['## %s' % heading, '', _markdown(spec['short_description']) + '.', '']
    out += ['- ' + _markdown(line) for line in _lines(spec.get('description', []))]
    out += ['', '| variable | type | default | what it is |', '|---|---|---|---|']
    for name, option in spec.get('options', {}).items():
        kind = option.get('type', 'str') + ('/' + option['elements'] if option.get('elements') else '')
        default = '(required)' if option.get('required') else ('`%s`' % yaml.safe_dump(
            option['default'], default_flow_style=True).strip().replace('\n...', '') if 'default' in option else '')
        text = ' '.join(_markdown(line) for line in _lines(option.get('description', '')))
        if option.get('choices'):
            text += ' One of: %s.' % ', '.join('`%s`' % choice for choice in option['choices'])
        out.append('| `%s` | %s | %s | %s |' % (name, kind, default, text.replace('|', '\\|')))
    return out + ['']


def generated(role):
    with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        specs = yaml.safe_load(handle)['argument_specs']
    out = ['# tokensmith.auth.%s' % role, '', _markdown(specs['main']['short_description']) + '.', '']
    out += _entry_point(specs['main'], None)
    for name in sorted(set(specs) - {'main'}):
        out += _entry_point(specs[name], 'Entry point `%s` (`tasks_from: %s`)' % (name, name))
    return '\n'.join([BEGIN] + out[:-1] + [END])


def readme(role):
    return os.path.join(ROOT, 'roles', role, 'README.md')


def roles():
    return sorted(name for name in os.listdir(os.path.join(ROOT, 'roles'))
                  if os.path.exists(os.path.join(ROOT, 'roles', name, 'meta', 'argument_specs.yml')))


def stale():
    """The roles whose README is missing or whose generated part differs from their argument_specs."""
    found = []
    for role in roles():
        try:
            with open(readme(role)) as handle:
                text = handle.read()
        except OSError:
            found.append(role)
            continue
        if generated(role) not in text:
            found.append(role)
    return found


def write():
    for role in roles():
        text = open(readme(role)).read() if os.path.exists(readme(role)) else '%s\n%s\n\n## Example\n' % (BEGIN, END)
        start, end = text.index(BEGIN), text.index(END) + len(END)
        text = text[:start] + generated(role) + text[end:]  # made before the file is opened: a bad spec loses nothing
        with open(readme(role), 'w') as handle:
            handle.write(text)


def main(action):
    if action == 'write':
        write()
        return 0
    found = stale()
    if found:
        print('out of date: %s (run python tests/harness/role_readmes.py write)' % ', '.join(found))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else 'check'))
