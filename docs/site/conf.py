# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sphinx configuration of the documentation site (make docs): the plugin and role pages antsibull-docs writes,
the README and the guide. Built offline: references to other collections and to Ansible's own documentation
become links to docs.ansible.com without fetching an inventory."""

import re

from docutils import nodes

project = 'tokensmith.auth'
copyright = 'tokensmith.auth contributors'  # pylint: disable=redefined-builtin
title = html_short_title = 'tokensmith.auth documentation'

extensions = ['sphinx_antsibull_ext', 'myst_parser']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
myst_heading_anchors = 3

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'
html_theme = 'sphinx_ansible_theme'
# The header links home; there is no published site, so home is the documentation in the repository.
html_theme_options = {'collapse_navigation': False, 'show_rtd_ethical_ads': False, 'show_extranav': False,
                      'documentation_home_url': 'https://github.com/tokensmith/tokensmith.auth/tree/main/docs'}
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_title = 'tokensmith.auth'
display_version = False

default_role = 'any'
nitpicky = True

DOCS_ANSIBLE = 'https://docs.ansible.com/ansible/latest/'
# Ansible documentation labels the generated pages refer to, and where they live on docs.ansible.com.
ANSIBLE_LABELS = {
    'common_return_values': 'reference_appendices/common_return_values.html',
    'ansible_configuration_settings': 'reference_appendices/config.html',
}
PLUGIN_LABEL = re.compile(r'^ansible_collections\.(\w+)\.(\w+)\.(\w+)_(module|lookup|filter|test|role|\w+)(?:__.*)?$')


def external_reference(app, env, node, contnode):  # pylint: disable=unused-argument
    """A reference this site does not hold: a page of docs.ansible.com, when it is one of Ansible's; else None."""
    target = node.get('reftarget', '')
    uri = None
    if target in ANSIBLE_LABELS:
        uri = DOCS_ANSIBLE + ANSIBLE_LABELS[target]
    else:
        match = PLUGIN_LABEL.match(target)
        if match and (match.group(1), match.group(2)) != ('tokensmith', 'auth'):
            uri = DOCS_ANSIBLE + 'collections/%s/%s/%s_%s.html' % match.groups()
    if uri is None:
        return None
    reference = nodes.reference('', '', internal=False, refuri=uri)
    reference.append(contnode)
    return reference


def setup(app):
    app.connect('missing-reference', external_reference)
