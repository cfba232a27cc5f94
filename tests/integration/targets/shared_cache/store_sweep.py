# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""store_sweep.py CONFIG [full]: the shared cache's store exchange with a fault at every byte (tests/emulator/sweep.py
StoreRunner) against the integration session's Redis (plain port) and emulator: a fixed sample here, every offset with
``full`` (make sweep). Prints the faults tried and the outcomes by kind; exits 1 on any bad outcome."""

import json
import sys

from ansible_collections.tokensmith.auth.tests.emulator.faults import offsets, tally
from ansible_collections.tokensmith.auth.tests.emulator.sweep import StoreRunner


def sample(size, kind):
    """Every 16th byte and the edges; two stalls (each costs the store's budget)."""
    if kind == 'stall':
        return [size // 2, size - 1]
    return sorted(set(range(0, size, 16)) | {1, size - 2, size - 1})


def full(size, kind):
    return offsets(size, edge=size, stride=1) if kind != 'stall' else offsets(size, edge=32, stride=32)


def main(config_path, mode='sample'):
    with open(config_path) as handle:
        config = json.load(handle)
    runner = StoreRunner(config['emulator_url'], config['emulator_ca'], config['redis_plain_port'],
                         config['redis_password'])
    try:
        recorded = runner.record()
        outcomes = [runner.replay(fault) for fault in runner.faults(recorded, full if mode == 'full' else sample)]
    finally:
        runner.close()
    counts, longest = tally(outcomes)
    sizes = ', '.join('connection %d: %d up, %d down' % (index, len(c['up']), len(c['down']))
                      for index, c in enumerate(recorded))
    print('store exchange (%s): %d faults tried; outcomes %s; longest %.1f s (bound %.1f s)'
          % (sizes, len(outcomes), json.dumps(counts, sort_keys=True), longest, runner.bound))
    bad = [outcome for outcome in outcomes if outcome.verdict == 'bad']
    for outcome in bad[:20]:
        print('BAD %r' % outcome)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
