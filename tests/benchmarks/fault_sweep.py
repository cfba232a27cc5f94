# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make sweep: every fault at every byte, in full (make test runs a fixed sample of the same, tests/unit/sweep).

For every step of every flow (tests/emulator/sweep.py: Nexla login, refresh and logout; Nuvy token and revocation;
Nexus 2.x ticket and current, NXRM 3 ticket and create, read, reset; the lookup's miss path) the clean exchange is
recorded through the fault proxy, TLS end to end, then replayed with a close, a reset and a stall after each byte
offset of each connection in each direction: every offset of the first and last 512 bytes and every 16th between
(for stalls, which each cost a whole timeout, the first and last 16 and every 128th). Then the shared cache's store exchange (Redis protocol, a
Redis server of its own) at every byte. Prints, per exchange and in all: faults tried, outcomes by kind (success after
a retry, one clear line, bad), the longest time to a verdict against its bound; and every bad outcome. Exit 1 on any.

    python tests/benchmarks/fault_sweep.py --redis-debs DIR [--only NAME]
"""

import argparse
import json
import sys
import time

import requests

from _workspace import workspace
from fleet_controllers import free_port, redis_process

from emulator.faults import tally  # noqa: E402  pylint: disable=wrong-import-position
from emulator.sweep import Runner, StoreRunner, exchanges, full_plan  # noqa: E402  pylint: disable=wrong-import-position


def base(emulator):
    url, ca = emulator.url, emulator.ca_path

    def protected_nexus(name, password):
        return requests.get(url + '/nxrm/3.70.1/repository/protected/', auth=(name, password), verify=ca,
                            timeout=10).status_code == 200

    def protected_nexla(token):
        return requests.get(url + '/nexla-api/data_sources', verify=ca, timeout=10, headers={
            'Authorization': 'Bearer ' + token, 'Accept': 'application/vnd.nexla.api.v1+json'}).status_code == 200

    def invalidate(provider):
        with emulator.state.lock:
            getattr(emulator.state, dict(nexla='nexla_sessions', nuvy='nuvy_tokens', nexus='nexus_tokens')[provider]).clear()
    return dict(url=url, ca=ca, invalidate=invalidate, protected_nexus=protected_nexus, protected_nexla=protected_nexla)


def report(name, sizes, outcomes, bound):
    counts, longest = tally(outcomes)
    print('%-30s %-34s %6d faults  %-44s longest %5.1f s (bound %.1f s)'
          % (name, sizes, len(outcomes), json.dumps(counts, sort_keys=True), longest, bound), flush=True)
    for outcome in [outcome for outcome in outcomes if outcome.verdict == 'bad'][:10]:
        print('    BAD %r' % outcome, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--redis-debs', required=True, help='the unpacked Debian redis-server (see tests/harness)')
    parser.add_argument('--only', action='append', default=[], help='an exchange by name (repeatable), or "store"')
    args = parser.parse_args()
    started, everything = time.time(), []
    with workspace('tokensmith-sweep-') as (work, emulator):
        sys.path.insert(0, work)  # ansible_collections.tokensmith.auth: this checkout
        runner = Runner(base(emulator))
        try:
            for exchange in exchanges():
                if args.only and exchange.name not in args.only:
                    continue
                recorded = runner.record(exchange)
                outcomes = [runner.replay(exchange, fault) for fault in runner.faults(exchange, recorded, full_plan)]
                sizes = ' '.join('%d/%d' % (len(c['up']), len(c['down'])) for c in recorded) + ' bytes up/down'
                report(exchange.name, sizes, outcomes, exchange.bound)
                everything += outcomes
        finally:
            runner.close()
        if not args.only or 'store' in args.only:
            port, password = free_port(), 'sweep-store-password'
            redis = redis_process(work, args.redis_debs, port, '--bind', '127.0.0.1', '--port', str(port), '--save',
                                  '', '--appendonly', 'no', '--requirepass', password, '--dir', work)
            store = StoreRunner(emulator.url, emulator.ca_path, port, password)
            try:
                recorded = store.record()
                outcomes = [store.replay(fault) for fault in store.faults(recorded, lambda size, kind: full_plan(
                    size, kind) if kind == 'stall' else list(range(size)))]
                report('shared cache store (Redis)', '%d/%d bytes up/down' % (len(recorded[0]['up']),
                                                                              len(recorded[0]['down'])),
                       outcomes, store.bound)
                everything += outcomes
            finally:
                store.close()
                redis.kill()
    counts, longest = tally(everything)
    print('in all: %d faults tried; outcomes %s; longest %.1f s to a verdict; %.0f s'
          % (len(everything), json.dumps(counts, sort_keys=True), longest, time.time() - started))
    return 1 if counts.get('bad') else 0


if __name__ == '__main__':
    sys.exit(main())
