# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # What the three token modules share about themselves (tokensmith.auth.token_module). List it before
    # ansible.builtin.action_common_attributes, which adds the descriptions: in a merge the first entry wins.
    DOCUMENTATION = r'''
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
  action_group:
    membership:
      - tokensmith.auth.tokens
'''
