# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""K controllers on the stores fleets run; prints figures, asserts nothing (run with ``make bench``).

Each wave: K controllers (separate ansible-playbook processes with their own local cache) at once, 5 hosts each,
every host using each provider's token 3 times. On a standalone Redis (the baseline), through Sentinel (1 master,
2 replicas, 3 sentinels) and on a Cluster (3 masters, 3 replicas, every node in cache_url), cold; then on Sentinel and Cluster with a new
cache key while the Nuvy token request is held 3 s at the server and a master is killed (SIGKILL) as the first
request arrives: token requests (3 is one per credential) and wall time as a ratio of the baseline's.
"""

import argparse
import os
import signal
import subprocess
import time

import redis

from _workspace import workspace
from fleet_controllers import controllers, free_port, prepare_fleet, redis_process, redis_server

BASE = ('--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0')


def sentinel_set(work, debs):
    """(processes by data port, sentinel processes, cache_url, master_port())"""
    ports = [free_port() for _index in range(3)]
    nodes = {}
    for index, port in enumerate(ports):
        replica = ('--replicaof', '127.0.0.1', str(ports[0])) if index else ()
        nodes[port] = redis_process(work, debs, port, '--port', str(port), '--dir', work, *(BASE + replica))
    sentinel_ports, sentinels = [free_port() for _index in range(3)], []
    for port in sentinel_ports:
        config = os.path.join(work, 'sentinel-%d.conf' % port)
        with open(config, 'w') as handle:
            handle.write('port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor mymaster 127.0.0.1 %d 2\n'
                         'sentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 10000\n'
                         % (port, work, ports[0]))
        sentinels.append(redis_process(work, debs, port, config, '--sentinel'))
    watcher = redis.Redis(port=sentinel_ports[0])
    deadline = time.time() + 30
    while time.time() < deadline:
        master = watcher.sentinel_master('mymaster')
        if master.get('num-slaves') == 2 and master.get('num-other-sentinels') == 2:
            break
        time.sleep(0.1)

    def master_port():
        return int(watcher.sentinel_get_master_addr_by_name('mymaster')[1])
    url = 'redis+sentinel://%s/mymaster/0' % ','.join('127.0.0.1:%d' % port for port in sentinel_ports)
    return nodes, sentinels, url, master_port


def cluster_set(work, debs):
    """(processes by port, cache_url naming every node, master_port())"""
    ports = [free_port(bus=True) for _index in range(6)]
    nodes = dict((port, redis_process(work, debs, port, '--port', str(port), '--dir', work, '--cluster-enabled', 'yes',
                                      '--cluster-config-file', 'nodes-%d.conf' % port, '--cluster-node-timeout',
                                      '1000', *BASE)) for port in ports)
    libraries = os.pathsep.join(sorted(set(d for d, _s, files in os.walk(debs) if any('.so' in f for f in files))))
    subprocess.run([os.path.join(debs, 'usr', 'bin', 'redis-cli'), '--cluster', 'create']
                   + ['127.0.0.1:%d' % port for port in ports] + ['--cluster-replicas', '1', '--cluster-yes'],
                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, check=True,
                   env=dict(os.environ, LD_LIBRARY_PATH=libraries))
    deadline = time.time() + 30
    while time.time() < deadline and not all(
            redis.Redis(port=port).cluster('info').get('cluster_state') == 'ok' for port in ports):
        time.sleep(0.1)

    def master_port():
        return next(port for port in ports if nodes[port].poll() is None
                    and redis.Redis(port=port).role()[0] in (b'master', 'master'))
    return nodes, 'redis://%s/0' % ','.join('127.0.0.1:%d' % port for port in ports), master_port


def failover_wave(work, emulator, count, url, nodes, master_port, label, baseline):
    """A wave with a new cache key; the master killed as the first (held) token request arrives."""
    emulator.state.faults = [{'path': '/nexus/oauth2/token', 'delay': 3}]
    emulator.state.arrived.clear()
    victim = master_port()

    def kill_master():
        deadline = time.time() + 60
        while time.time() < deadline and not emulator.state.arrived.get('/nexus/oauth2/token'):
            time.sleep(0.02)
        nodes[victim].send_signal(signal.SIGKILL)
    env = dict(TOKENSMITH_CACHE_URL=url, TOKENSMITH_CACHE_KEY='bench-failover-key-%s' % label.split()[0],
               TOKENSMITH_TIMEOUT='10')
    elapsed = controllers(work, emulator, count, env, label, kill_master)
    emulator.state.faults = []
    print('  %.2f x the standalone cold wave; master on port %d killed, new master on port %d'
          % (elapsed / baseline, victim, master_port()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--controllers', type=int, default=5)
    parser.add_argument('--hosts', type=int, default=5)
    parser.add_argument('--redis-debs', required=True, help='the unpacked Debian redis-server (see tests/harness)')
    args = parser.parse_args()
    with workspace('tokensmith-bench-stores-') as (work, emulator):
        processes = []
        try:
            prepare_fleet(work, emulator, args.hosts)
            print('%d controllers at once, %d hosts each, each provider\'s token used 3 times per host (3 credentials)'
                  % (args.controllers, args.hosts))
            standalone, url = redis_server(work, args.redis_debs)
            processes.append(standalone)
            key = dict(TOKENSMITH_CACHE_KEY='bench-stores-key-0123456789')
            baseline = controllers(work, emulator, args.controllers, dict(key, TOKENSMITH_CACHE_URL=url),
                                   'standalone Redis, cold (the baseline)')
            nodes, sentinels, url, master_port = sentinel_set(work, args.redis_debs)
            processes += list(nodes.values()) + sentinels
            elapsed = controllers(work, emulator, args.controllers, dict(key, TOKENSMITH_CACHE_URL=url),
                                  'Sentinel, cold')
            print('  %.2f x the baseline' % (elapsed / baseline))
            failover_wave(work, emulator, args.controllers, url, nodes, master_port, 'Sentinel, master killed mid-fetch',
                          baseline)
            for process in processes:
                process.kill()
            nodes, url, master_port = cluster_set(work, args.redis_debs)
            processes = list(nodes.values())
            elapsed = controllers(work, emulator, args.controllers, dict(key, TOKENSMITH_CACHE_URL=url),
                                  'Cluster (every node in cache_url), cold')
            print('  %.2f x the baseline' % (elapsed / baseline))
            failover_wave(work, emulator, args.controllers, url, nodes, master_port, 'Cluster, master killed mid-fetch',
                          baseline)
        finally:
            for process in processes:
                process.kill()


if __name__ == '__main__':
    main()
