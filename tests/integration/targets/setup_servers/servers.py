# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shell targets' helpers, called by servers.sh (one program instead of one inline per function):

    python servers.py config INTEGRATION_CONFIG          # emulator_url emulator_ca emulator_dir oidc_url
    python servers.py free-ports N [OFFSET]              # N free loopback ports (with OFFSET, port + OFFSET too)
    python servers.py fleet-inventory PATH N             # N local hosts in group fleet
    python servers.py no-secrets PATH VALUE...           # the leak check: fails if any form of a value is in PATH
"""

import base64
import codecs
import json
import random
import socket
import sys
from urllib.parse import quote, quote_plus


def config(path):
    with open(path) as handle:
        loaded = json.load(handle)
    print(' '.join(loaded[name] for name in ('emulator_url', 'emulator_ca', 'emulator_dir', 'oidc_url')))


def _free(port):
    with socket.socket() as probe:
        try:
            probe.bind(('127.0.0.1', port))
        except OSError:
            return False
    return True


def free_ports(count, offset=0):
    """``count`` distinct free ports; with ``offset``, port + offset is free too (a Redis Cluster bus port)."""
    ports = []
    while len(ports) < count:
        port = random.randrange(20000, 55000)
        if port not in ports and _free(port) and (not offset or _free(port + offset)):
            ports.append(port)
    print(' '.join(map(str, ports)))


def fleet_inventory(path, count):
    with open(path, 'w') as inventory:
        inventory.write('[fleet]\n' + ''.join('host%02d\n' % n for n in range(1, count + 1)))
        inventory.write('[fleet:vars]\nansible_connection=local\n'
                        'ansible_python_interpreter={{ ansible_playbook_python }}\n')


def no_secrets(path, values):
    """Fails if any value appears in the file as it is, trimmed, URL- or base64-encoded, or escaped (Python repr,
    JSON). A value may hold \\n and other escapes (printf %b style)."""
    values = [codecs.decode(v, 'unicode_escape') if '\\' in v else v for v in values if v]
    with open(path, encoding='utf-8', errors='replace') as handle:
        text = handle.read()
    leaks = []
    for value in values:
        forms = {value, value.strip(), quote(value, safe=''), quote_plus(value, safe='')}
        forms |= {base64.b64encode(f.encode()).decode() for f in list(forms)}
        forms |= {escaped for f in list(forms) for escaped in (repr(f)[1:-1], json.dumps(f)[1:-1])}
        leaks += [f for f in forms if len(f) >= 4 and f in text]
    if leaks:
        sys.exit('LEAK: %d secret form(s) found in %s' % (len(leaks), path))
    print('no secret in %s (%d bytes, %d values checked)' % (path, len(text), len(values)))


def main(argv):
    action, arguments = argv[0], argv[1:]
    if action == 'config':
        config(arguments[0])
    elif action == 'free-ports':
        free_ports(int(arguments[0]), int(arguments[1]) if len(arguments) > 1 else 0)
    elif action == 'fleet-inventory':
        fleet_inventory(arguments[0], int(arguments[1]))
    elif action == 'no-secrets':
        no_secrets(arguments[0], arguments[1:])
    else:
        sys.exit('servers.py: unknown action %r (config, free-ports, fleet-inventory, no-secrets)' % action)


if __name__ == '__main__':
    main(sys.argv[1:])
