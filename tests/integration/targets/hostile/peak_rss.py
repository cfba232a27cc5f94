# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""peak_rss.py CEILING_MB LOG COMMAND...: run COMMAND (output to LOG), print the largest resident set any process
of it reached (Linux folds every waited-for descendant into RUSAGE_CHILDREN), fail above CEILING_MB."""

import resource
import subprocess
import sys


def main():
    ceiling, log, command = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
    with open(log, 'wb') as handle:
        status = subprocess.call(command, stdout=handle, stderr=subprocess.STDOUT)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    print('peak RSS of any process of the run: %.0f MB (ceiling %.0f MB)' % (peak, ceiling))
    if status:
        with open(log, 'rb') as handle:
            sys.stdout.write(handle.read().decode('utf-8', 'replace')[-6000:])
        return status
    return 0 if peak <= ceiling else 1


if __name__ == '__main__':
    sys.exit(main())
