# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The documentation site: built from the plugins' and roles' own documentation (antsibull-docs), the README and
the guide (Sphinx), offline; and checked in a real headless browser.

    python tests/harness/docs.py build COLLECTIONS_DIR OUT_DIR
    python tests/harness/docs.py check SITE_DIR SCREENSHOTS_DIR CHROMIUM_ROOT
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import unquote, urldefrag, urlsplit

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
# Pages of the site that Markdown files of the repository become, by their path in the repository; and the pages
# antsibull-docs makes of the collection's extra docs (docs/docsite/rst), which links in those files may point at.
PAGES = {'README.md': 'readme.md'}
EXTRA_DOCS = {'docs/docsite/rst/guide.rst': 'collection/docsite/guide.rst'}
LINK = re.compile(r'\]\(([^)\s]+)\)')


def repository_url():
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        return yaml.safe_load(handle)['repository'].rstrip('/') + '/blob/main/'


def site_markdown(path):
    """A Markdown file of the repository as a page of the site: links to the other pages stay links between pages,
    links to anything else in the repository point at it in the repository."""
    base = os.path.dirname(path)

    def relink(match):
        target = match.group(1)
        if re.match(r'^[a-z]+:|^#', target):
            return match.group(0)
        file_part, _hash, anchor = target.partition('#')
        in_repository = os.path.normpath(os.path.join(base, file_part))
        if in_repository in PAGES or in_repository in EXTRA_DOCS:
            page = PAGES.get(in_repository) or EXTRA_DOCS[in_repository]
            return '](%s%s)' % (page, '#' + anchor if anchor else '')
        return '](%s%s)' % (repository_url(), in_repository + ('#' + anchor if anchor else ''))
    with open(os.path.join(ROOT, path)) as handle:
        return LINK.sub(relink, handle.read())


def build(collections_dir, out_dir):
    source = tempfile.mkdtemp(prefix='tokensmith-docs-')
    try:
        for name in ('conf.py', 'index.rst'):
            shutil.copy2(os.path.join(ROOT, 'docs', 'site', name), source)
        for path, page in PAGES.items():
            with open(os.path.join(source, page), 'w') as handle:
                handle.write(site_markdown(path))
        collection = os.path.join(source, 'collection')
        os.mkdir(collection, 0o755)  # antsibull-docs wants it writable by its owner only
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_dir, PATH=BIN + os.pathsep + os.environ['PATH'])
        subprocess.check_call([os.path.join(BIN, 'antsibull-docs'), 'collection', '--use-current', '--squash-hierarchy',
                               '--fail-on-error', '--dest-dir', collection, 'tokensmith.auth'], env=env)
        shutil.rmtree(out_dir, ignore_errors=True)
        subprocess.check_call([os.path.join(BIN, 'sphinx-build'), '-b', 'html', '-W', '--keep-going', '-q', '-c', source,
                               source, out_dir], env=env)
    finally:
        shutil.rmtree(source, ignore_errors=True)
    print('documentation site: %s' % os.path.join(out_dir, 'index.html'))


def expected_pages():
    """Every page the site must have, for every module, lookup and role of the collection, and what it must show."""
    pages = {}
    for name in sorted(os.listdir(os.path.join(ROOT, 'plugins', 'modules'))):
        if name.endswith('.py') and not name.startswith('_'):
            pages['collection/%s_module.html' % name[:-3]] = ('Parameters', 'Examples', 'Return Values')
    for name in sorted(os.listdir(os.path.join(ROOT, 'plugins', 'lookup'))):
        if name.endswith('.py') and not name.startswith('_'):
            pages['collection/%s_lookup.html' % name[:-3]] = ('Terms', 'Keyword parameters', 'Examples', 'Return Value')
    for name in sorted(os.listdir(os.path.join(ROOT, 'roles'))):
        if os.path.exists(os.path.join(ROOT, 'roles', name, 'meta', 'argument_specs.yml')):  # _shared is no role
            pages['collection/%s_role.html' % name] = ('Entry point main', 'Parameters')
    return pages


def chromium(playwright, chromium_root):
    libraries = sorted(set(directory for directory, _dirs, files in os.walk(chromium_root)
                           if any('.so' in name for name in files)))
    # The flags a closed network needs (no background connections), as root in a container (no sandbox).
    return playwright.chromium.launch(
        executable_path=os.path.join(chromium_root, 'usr', 'lib', 'chromium', 'chromium'),
        args=['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
              '--disable-component-update', '--disable-sync'],
        env=dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(libraries)))


def check(site_dir, shots_dir, chromium_root):
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel
    site_dir = os.path.abspath(site_dir)
    os.makedirs(shots_dir, exist_ok=True)
    problems, visited, links = [], set(), 0
    with sync_playwright() as playwright:
        browser = chromium(playwright, chromium_root)
        page = browser.new_page(viewport={'width': 1280, 'height': 900})

        def load(relative):
            page.goto('file://' + os.path.join(site_dir, relative))
            return page

        for relative, sections in expected_pages().items():
            if not os.path.exists(os.path.join(site_dir, relative)):
                problems.append('no page %s' % relative)
                continue
            headings = ' | '.join(load(relative).locator('h1, h2, h3').all_inner_texts())
            problems.extend('%s shows no "%s" (headings: %s)' % (relative, section, headings[:200])
                            for section in sections if section not in headings)
            if page.locator('table').count() == 0:
                problems.append('%s shows no table of options' % relative)
        # Every internal link of every page, to a page that exists and, with a fragment, to an element on it.
        queue = ['index.html']
        anchors = {}
        while queue:
            relative = queue.pop()
            if relative in visited:
                continue
            visited.add(relative)
            load(relative)
            anchors[relative] = set(page.eval_on_selector_all('[id]', 'nodes => nodes.map(n => n.id)'))
            for href in page.eval_on_selector_all('a[href]', 'nodes => nodes.map(n => n.href)'):
                parts = urlsplit(href)
                if parts.scheme != 'file':
                    continue  # the web, outside this site: not checked offline
                path, fragment = urldefrag(unquote(parts.path))
                target = os.path.relpath(path, site_dir)
                links += 1
                if target.startswith('..') or not os.path.isfile(path):
                    problems.append('%s links to %s, which does not exist' % (relative, target))
                    continue
                if target.endswith('.html') and target not in visited:
                    queue.append(target)
                if fragment:
                    anchors.setdefault(('fragment', target), set()).add((relative, fragment))
        for key, wanted in list(anchors.items()):
            if isinstance(key, tuple):
                target = key[1]
                if target not in anchors:
                    load(target)
                    anchors[target] = set(page.eval_on_selector_all('[id]', 'nodes => nodes.map(n => n.id)'))
                problems.extend('%s links to %s#%s, which has no such anchor' % (origin, target, fragment)
                                for origin, fragment in sorted(wanted) if fragment not in anchors[target])
        for relative, name in (('collection/index.html', 'collection-index.png'),
                               ('collection/nuvy_oauth_token_module.html', 'nuvy_oauth_token-module.png')):
            load(relative).screenshot(path=os.path.join(shots_dir, name), full_page=False)
        browser.close()
    print('browser check: %d pages visited, %d internal links followed, %d expected pages; screenshots in %s'
          % (len(visited), links, len(expected_pages()), shots_dir))
    if problems:
        raise SystemExit('\n'.join(problems))


if __name__ == '__main__':
    {'build': build, 'check': check}[sys.argv[1]](*sys.argv[2:])
