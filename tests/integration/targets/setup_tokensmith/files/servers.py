# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shell targets' helpers, called by servers.sh (one program instead of one inline per function); the leak
check and the emulator's control are the emulator's command line (tests/emulator/cli.py):

    python servers.py config INTEGRATION_CONFIG          # the servers' coordinates, in CONFIG_FIELDS' order
    python servers.py free-ports N [OFFSET]              # N free loopback ports (with OFFSET, port + OFFSET too)
    python servers.py fleet-inventory PATH N             # N local hosts in group fleet
"""

import json
import random
import socket
import sys

CONFIG_FIELDS = ('emulator_url', 'emulator_ca', 'emulator_dir', 'oidc_url', 'redis_tls_port', 'redis_plain_port',
                 'redis_password', 'redis_root')


def config(path):
    with open(path) as handle:
        loaded = json.load(handle)
    print(' '.join(str(loaded[name]) for name in CONFIG_FIELDS))


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


def main(argv):
    action, arguments = argv[0], argv[1:]
    if action == 'config':
        config(arguments[0])
    elif action == 'free-ports':
        free_ports(int(arguments[0]), int(arguments[1]) if len(arguments) > 1 else 0)
    elif action == 'fleet-inventory':
        fleet_inventory(arguments[0], int(arguments[1]))
    else:
        sys.exit('servers.py: unknown action %r (config, free-ports, fleet-inventory)' % action)


if __name__ == '__main__':
    main(sys.argv[1:])
