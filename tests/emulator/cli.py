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
    python tests/emulator reset --state-dir DIR
    python tests/emulator control --state-dir DIR faults '[{"path": "/nexus/oauth2/token", "status": 503}]'
"""

import argparse
import json
import ssl
import urllib.request

from .server import info, serve, start, stop

READS = ('counters', 'arrived', 'issued', 'last')


def control(state_dir, path, body=None):
    """The answer of /_emulator/PATH on the emulator started in ``state_dir``: a GET for what is read, else a POST
    of ``body`` (JSON text, default {})."""
    running = info(state_dir)
    data = None if path in READS and body is None else (body or '{}').encode('utf-8')
    request = urllib.request.Request(running['url'] + '/_emulator/' + path, data=data,
                                     headers={'Content-Type': 'application/json'})
    context = ssl.create_default_context(cafile=running['ca']) if running['ca'] else None
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:
        return json.load(answer)


def expect(counters, expected):
    """True when every counter is as expected: ``{"name": n}`` exactly n, ``{"<=name": n}`` at most n."""
    got = dict((name, counters.get(name.lstrip('<='), 0)) for name in expected)
    print('token requests:', got, 'expected:', expected)
    return all(got[name] <= value if name.startswith('<=') else got[name] == value for name, value in expected.items())


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python tests/emulator', description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('action', choices=['start', 'stop', 'serve', 'counters', 'expect', 'issued', 'reset',
                                           'control'])
    parser.add_argument('arguments', nargs='*', help='counters: names; expect: the counts (JSON); control: PATH [JSON body]')
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
        return 0 if expect(control(args.state_dir, 'counters'), json.loads(args.arguments[0])) else 1
    elif args.action == 'counters' and args.arguments:
        counters = control(args.state_dir, 'counters')
        print(' '.join(str(counters.get(name, 0)) for name in args.arguments))
    elif args.action == 'issued':
        print('\n'.join(control(args.state_dir, 'issued')))
    elif args.action == 'control':
        print(json.dumps(control(args.state_dir, *args.arguments[:2])))
    else:
        print(json.dumps(control(args.state_dir, args.action)))
    return 0
