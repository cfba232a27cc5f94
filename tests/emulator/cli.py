# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulator's command line, for shell targets and people: start and stop it, read and set its state.

    python tests/emulator start --state-dir DIR      # background; prints and writes DIR/emulator.json (url, ca, pid)
    python tests/emulator stop --state-dir DIR
    python tests/emulator serve --state-dir DIR      # foreground
    python tests/emulator counters --state-dir DIR   # token requests so far, as JSON
    python tests/emulator counters --state-dir DIR nuvy.token nexus.ticket   # just those, as '3 1'
    python tests/emulator expect --state-dir DIR '{"nuvy.token": 1, "<=nexla.token": 2}'   # exit 1 if not
    python tests/emulator issued --state-dir DIR     # every token, ticket and passCode handed out, one per line
    python tests/emulator reset --state-dir DIR       # (reset_counters: the counters only)
    python tests/emulator control --state-dir DIR faults '[{"path": "/nexus/oauth2/token", "status": 503}]'
    python tests/emulator no-secrets --state-dir DIR FILE [VALUE...]   # the leak check (leaks.py): exit 1 on a leak
"""

import argparse
import json
import ssl
import urllib.request

from .leaks import check_file, unescape
from .server import info, serve, start, stop

READS = ('counters', 'arrived', 'issued', 'last')


def control_at(url, ca, path, body=None):
    """The answer of /_emulator/PATH of the emulator at ``url`` (``ca``: its CA, or None over plain http): a GET for
    what is read, else a POST of ``body`` (JSON text, default {}). Every test's way to the emulator goes through
    here: the command line, the tokensmith_emulator action, the unit tests' fixture."""
    data = None if path in READS and body is None else (body or '{}').encode('utf-8')
    request = urllib.request.Request(url + '/_emulator/' + path, data=data, headers={'Content-Type': 'application/json'})
    context = ssl.create_default_context(cafile=ca) if ca else None
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:
        return json.load(answer)


def control(state_dir, path, body=None):
    """control_at() for the emulator started in ``state_dir``."""
    running = info(state_dir)
    return control_at(running['url'], running['ca'], path, body)


def expect(counters, expected):
    """``(ok, line)``: whether every counter is as expected (``{"name": n}`` exactly n, ``{"<=name": n}`` at most n),
    and a line with what was counted."""
    got = dict((name, counters.get(name.lstrip('<='), 0)) for name in expected)
    ok = all(got[name] <= value if name.startswith('<=') else got[name] == value for name, value in expected.items())
    return ok, 'token requests: %s, expected: %s' % (json.dumps(got, sort_keys=True), json.dumps(expected, sort_keys=True))


def issued(state_dir):
    """Every token, ticket and passCode the emulator started in ``state_dir`` has handed out."""
    return control(state_dir, 'issued')


def no_secrets(state_dir, path, values, with_issued=True):
    """The leak check of ``path``: every test secret, ``values``, and (``with_issued``) what the emulator issued."""
    ok, line = check_file(path, [unescape(value) for value in values] + (issued(state_dir) if with_issued else []))
    print(line)
    return 0 if ok else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python tests/emulator', description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('action', choices=['start', 'stop', 'serve', 'counters', 'expect', 'issued', 'reset',
                                           'reset_counters', 'control', 'no-secrets'])
    parser.add_argument('arguments', nargs='*', help='counters: names; expect: the counts (JSON); control: PATH [JSON '
                                                     'body]; no-secrets: FILE [VALUE...]')
    parser.add_argument('--without-issued', action='store_true',
                        help='no-secrets: not the values the emulator issued (a run that shows them on purpose)')
    parser.add_argument('--state-dir', required=True)
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--idle-timeout', type=float, default=900, help='start, serve: exit after this many idle seconds')
    args = parser.parse_intermixed_args(argv)  # the shell puts --state-dir between the action and its arguments
    if args.action == 'serve':
        serve(args.state_dir, args.port, args.idle_timeout)
    elif args.action == 'start':
        print(json.dumps(start(args.state_dir, args.port, idle_timeout=args.idle_timeout)))
    elif args.action == 'stop':
        stop(args.state_dir)
    elif args.action == 'expect':
        ok, line = expect(control(args.state_dir, 'counters'), json.loads(args.arguments[0]))
        print(line)
        return 0 if ok else 1
    elif args.action == 'counters' and args.arguments:
        counters = control(args.state_dir, 'counters')
        print(' '.join(str(counters.get(name, 0)) for name in args.arguments))
    elif args.action == 'issued':
        print('\n'.join(issued(args.state_dir)))
    elif args.action == 'no-secrets':
        return no_secrets(args.state_dir, args.arguments[0], args.arguments[1:], not args.without_issued)
    elif args.action == 'control':
        print(json.dumps(control(args.state_dir, *args.arguments[:2])))
    else:
        print(json.dumps(control(args.state_dir, args.action)))
    return 0
