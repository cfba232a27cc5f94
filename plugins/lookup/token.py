# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
name: token
short_description: A short-lived token from Nexla, Nuvy Nexus or Nexus Repository, cached across forks and runs
version_added: 0.1.0
description:
  - Returns a valid token for each provider named in the terms, V(nexla), V(nuvy) or V(nexus), using the same
    flows, options and defaults as the matching modules M(tokensmith.auth.nexla_token),
    M(tokensmith.auth.nuvy_oauth_token) and M(tokensmith.auth.nexus_user_token).
  - Ansible evaluates a lookup every time a templated variable is used, in a fresh worker for each task.
    The controller-side cache makes that one token request per credential per token lifetime, shared by every
    fork and by later runs. Concurrent cold lookups for one credential make exactly one request; the others
    wait for it and read its result.
  - Cache entries are encrypted (AES-GCM) under a key derived from the credential's secret and a random cache
    key; their names are HMACs under that key. A Nexla entry close to its end is refreshed, not re-issued. A Nexus
    token is read again after an hour (sooner if the server gives an expiry).
  - With O(cache_url), a Redis or Valkey store shares the entries between controllers, so a fleet of them (AWX job
    containers, CI runners) makes one token request per credential per token lifetime too.
  - A token a server refused is replaced with O(renew).
  - Runs on the controller, also in check mode, and returns real tokens.
  - Each term reads its own provider's options - V(nexla) O(api_url) and O(service_key); V(nuvy) O(token_url),
    O(client_id), O(client_secret), O(scope) and O(auth_method); V(nexus) O(url), O(username), O(password) and
    O(api_version) - and the shared ones. Their play variables are the lookup's own, C(tokensmith_<provider>_<option>)
    such as C(tokensmith_nexla_service_key); the roles' variables (C(nexla_service_key)...) reach it only as
    arguments.
author:
  - tokensmith.auth contributors (@tokensmith)
extends_documentation_fragment:
  - tokensmith.auth.connection
  - tokensmith.auth.connection.PLUGINS
  - tokensmith.auth.nexla
  - tokensmith.auth.nexla.PLUGINS
  - tokensmith.auth.nuvy
  - tokensmith.auth.nuvy.PLUGINS
  - tokensmith.auth.nexus
  - tokensmith.auth.nexus.PLUGINS
options:
  _terms:
    description:
      - The providers to get a token from, V(nexla), V(nuvy) or V(nexus). One result per term.
    type: list
    elements: str
    required: true
  output:
    description:
      - V(secret) returns the access token (V(nexla), V(nuvy)) or C(nameCode:passCode) (V(nexus)).
      - V(header) returns a ready C(Authorization) value, C(Bearer ...) or C(Basic base64(nameCode:passCode)).
      - V(token) returns the whole token dict, as the module returns it.
    type: str
    choices: [secret, header, token]
    default: secret
  on_error:
    description:
      - V(fail) fails the task with the one-line message.
      - V(return) returns, in place of the token, a dict with C(failed) (V(true)) and C(msg) (the one-line message), so
        that a play decides what to do - the roles use it to fail once, with that line alone. The message never holds a
        secret.
    type: str
    choices: [fail, return]
    default: fail
  min_ttl:
    description:
      - Seconds of life a cached token must still have to be returned; else a new one is fetched (a Nexla
        session is refreshed).
      - Defaults to the module's default, V(300) for V(nexla), V(60) for V(nuvy) and V(nexus). From 0 up.
    type: int
    env:
      - name: TOKENSMITH_MIN_TTL
    ini:
      - section: tokensmith
        key: min_ttl
    vars:
      - name: tokensmith_min_ttl
  renew:
    description:
      - Get a new token in place of one that a server refused (HTTP 401 after a revocation, a rotation or a restart
        of the provider).
      - Give the refused token itself (the value this lookup returned, in any O(output) form) and a new token is
        fetched only while the cache still holds that one; a host that comes later gets the new token. So many
        hosts that were all refused the same token cause one new token request. See the example.
      - V(true) gets a new token whatever the cache holds, one request per evaluation, so use it on one host only.
      - A Nexla session is renewed by logging in with the service key, a Nexus user token by reading it again.
    type: raw
  cache:
    description:
      - Use the controller-side token cache. Turn it off to get a new token on every evaluation.
    type: bool
    default: true
    env:
      - name: TOKENSMITH_CACHE
    ini:
      - section: tokensmith
        key: cache
    vars:
      - name: tokensmith_cache
  cache_dir:
    description:
      - The local cache directory. Created with mode 0700 and a random cache key in a 0600 file; one that group or
        others can read is tightened to 0700 (with a warning); one owned by another user or writable by group or
        others is refused (with a warning) and the cache is bypassed.
      - Defaults to C(tokensmith) under E(XDG_CACHE_HOME), or C(~/.cache/tokensmith).
      - Delete the directory to clear the cache.
    type: path
    env:
      - name: TOKENSMITH_CACHE_DIR
    ini:
      - section: tokensmith
        key: cache_dir
    vars:
      - name: tokensmith_cache_dir
  cache_url:
    description:
      - A Redis or Valkey store shared by many controllers, job containers and CI runners, as V(redis://host:6379/0)
        or, with TLS, V(rediss://host:6380/0). A user and password may be given in the URL (V(redis://user:pass@host))
        or in O(cache_password) (which applies whenever the URL has no password); either is never printed.
      - Through Redis Sentinel, V(redis+sentinel://[user:password@]host[:port][,host[:port]...]/service[/db]) (or
        V(rediss+sentinel://) with TLS, for the sentinels and the data nodes alike; port 26379 by default; IPv6
        addresses in brackets). The user and password are the data nodes'; the sentinels' come from the query
        (C(?sentinel_username=...&sentinel_password=...)) or O(cache_sentinel_password). A failover is waited out
        (up to 5 seconds), not reported.
      - The local cache stays in front of it; the store is asked when the local cache misses, so K controllers that
        all miss at once make one token request, the others wait for it and read its result.
      - Needs O(cache_key), and the Python library C(redis) (or C(valkey)) on the controller.
      - When the store is unreachable, slow or full, one warning says so and the lookup goes on with the local cache.
      - A cluster endpoint (or any node of a cluster) works as it is; see O(cache_cluster). Query options that would
        override the collection's timeouts, retries or certificate checks (such as C(?ssl_cert_reqs=none)) are
        refused with a warning, and the local cache is used.
      - Unset, only the local cache is used.
    type: str
    env:
      - name: TOKENSMITH_CACHE_URL
    ini:
      - section: tokensmith
        key: cache_url
    vars:
      - name: tokensmith_cache_url
  cache_key:
    description:
      - The secret that every controller sharing O(cache_url) is given (in AWX, through a credential) and the
        store's readers are not - at least 16 characters, for example from C(openssl rand -base64 32).
      - It is mixed into the entries' names and encryption keys, so whoever reads the store can neither decrypt an
        entry nor test password guesses offline.
    type: str
    env:
      - name: TOKENSMITH_CACHE_KEY
    vars:
      - name: tokensmith_cache_key
  cache_password:
    description:
      - The password of the store of O(cache_url), when the URL carries none (as an ACL user's, C(AUTH)).
    type: str
    env:
      - name: TOKENSMITH_CACHE_PASSWORD
    vars:
      - name: tokensmith_cache_password
  cache_sentinel_password:
    description:
      - The sentinels' password (their C(requirepass)), for a V(redis+sentinel://) O(cache_url) whose query has no
        C(sentinel_password).
    type: str
    env:
      - name: TOKENSMITH_CACHE_SENTINEL_PASSWORD
    vars:
      - name: tokensmith_cache_sentinel_password
  cache_ca_path:
    description:
      - A PEM CA bundle to verify a C(rediss://) store against; defaults to O(ca_path), then the system's.
    type: path
    env:
      - name: TOKENSMITH_CACHE_CA_PATH
    ini:
      - section: tokensmith
        key: cache_ca_path
    vars:
      - name: tokensmith_cache_ca_path
  cache_cluster:
    description:
      - Whether O(cache_url) is a Redis or Valkey Cluster endpoint (ElastiCache with cluster mode or Serverless,
        Memorystore Cluster, Azure's OSS clustering, a node of a self-managed cluster).
      - V(auto) starts with a plain client and switches to the cluster client (same URL and settings) on the
        first reply that shows a cluster (MOVED, ASK, or no SELECT), without a warning; V(true) and V(false) say
        it up front. A cluster has only database 0; another one in the URL gives one warning.
      - Empty counts as V(auto) (as a blank AWX field or environment variable gives it); any other value gives a
        warning and the local cache.
    type: str
    default: auto
    env:
      - name: TOKENSMITH_CACHE_CLUSTER
    ini:
      - section: tokensmith
        key: cache_cluster
    vars:
      - name: tokensmith_cache_cluster
notes:
  - Put C(no_log) on tasks whose arguments or results show the looked-up token.
  - Options are checked before any request, as by the modules; a secret given as a list, or holding a control
    character, is refused by name and never shown.
  - A keyword this lookup does not define (a misspelt C(token_uri=)), a keyword that none of the terms' providers
    reads, and a play variable named C(tokensmith_...) that sets no option are refused by name, with the closest
    valid name, before any request; Ansible itself would ignore them silently, and the default URL would apply.
  - Without a secret (service key, client secret or password) nothing is cached.
seealso:
  - module: tokensmith.auth.nexla_token
  - module: tokensmith.auth.nuvy_oauth_token
  - module: tokensmith.auth.nexus_user_token
'''

EXAMPLES = r'''
# Calling an API: take the token once per host, and renew it when the API refuses it (revoked, rotated, the provider
# restarted) - without that, a call would get HTTP 401 until the cached token's lifetime ends.
- name: Take the Nuvy token once per host (credentials from NUVY_* env vars), so a refused one can be named
  ansible.builtin.set_fact:
    nuvy_header: "{{ lookup('tokensmith.auth.token', 'nuvy', output='header') }}"
  no_log: true

- name: Call the API, accepting a 401
  ansible.builtin.uri:
    url: https://prd.api.nuvy.ai/nexus/api/v1/status
    headers:
      Authorization: "{{ nuvy_header }}"
    status_code: [200, 401]
  register: nuvy_call
  no_log: true

- name: On a 401, renew - the first host to get here fetches one new token, every other host reads it
  ansible.builtin.uri:
    url: https://prd.api.nuvy.ai/nexus/api/v1/status
    headers:
      Authorization: "{{ lookup('tokensmith.auth.token', 'nuvy', output='header', renew=nuvy_header) }}"
  when: nuvy_call.status == 401
  no_log: true

- name: A Nexla session header for a template, the key from Ansible Vault
  ansible.builtin.set_fact:
    nexla_headers:
      Authorization: "{{ lookup('tokensmith.auth.token', 'nexla', service_key=vault_nexla_service_key, output='header') }}"
      Accept: application/vnd.nexla.api.v1+json
  no_log: true

# A Nexus user token goes to the build tool in a file it reads, never on a command line (every user of the host
# sees a command line in ps).
- name: The Nexus user token into Maven's settings.xml (0600)
  tokensmith.auth.credentials_file:
    path: ~/.m2/settings.xml
    format: maven
    target: nexus-releases
    username: "{{ nexus.name_code }}"
    password: "{{ nexus.pass_code }}"
  vars:
    nexus: "{{ lookup('tokensmith.auth.token', 'nexus', url='https://nexus.example.com', username='deployer',
               password=vault_nexus_password, output='token') }}"
  no_log: true
  diff: false

- name: Without the cache (every evaluation asks the provider)
  ansible.builtin.debug:
    msg: "{{ lookup('tokensmith.auth.token', 'nuvy', cache=false) | length }} characters"
'''

RETURN = r'''
_raw:
  description:
    - One item per term. With O(output=secret) or O(output=header), a string; with O(output=token), a dict
      with the fields the matching module returns, and C(source) - V(cached) when a cache held the token, else
      what the provider did (V(issued), V(refreshed), V(read), V(created), V(renewed)).
  type: list
  elements: raw
'''

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.tokensmith.auth.plugins.plugin_utils import _bytecode

# Before the lookup's own modules: they load with Python's bytecode cache (Ansible's loader compiles them in every
# worker otherwise, which was most of what a cache hit cost).
_bytecode.install()

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import Redactor, TokenError, unexpected  # noqa: E402
from ansible_collections.tokensmith.auth.plugins.module_utils._options import refuse_containers  # noqa: E402
from ansible_collections.tokensmith.auth.plugins.plugin_utils import _definitions  # noqa: E402
from ansible_collections.tokensmith.auth.plugins.plugin_utils._lookup import TokenLookup, refuse_unknown  # noqa: E402

display = Display()
_definitions.reuse(__name__, DOCUMENTATION)  # Ansible knows the plugin's options by its module name


class LookupModule(LookupBase):
    _on_error = 'fail'

    def run(self, terms, variables=None, **kwargs):
        definitions = C.config.get_configuration_definitions('lookup', self._load_name)
        sources = self._var_sources(definitions)
        self._on_error = kwargs.get('on_error', 'fail')  # direct only: read before the options are set
        try:
            refuse_unknown([str(term) for term in terms], kwargs, variables or {}, definitions, sources)
        except TokenError as err:
            return [self._failure(str(err))] * len(terms)
        # A lookup gets play variables as written; render the ones that feed our options (before path options
        # are resolved, which would otherwise happen to the unrendered text). An empty value counts as unset, so
        # a blank variable (a role's default, an AWX credential's empty field) never hides the environment.
        variables = variables or {}
        rendered = dict((source, self._templar.template(variables[source])) for source in sources if source in variables)
        rendered = dict((source, value) for source, value in rendered.items() if value != '')
        kwargs = dict((name, value) for name, value in kwargs.items() if value != '')
        given = dict((sources[source], value) for source, value in rendered.items())
        given.update(kwargs)
        try:
            refuse_containers(given, given)  # Ansible's own type error would print the value, a secret among them
        except TokenError as err:
            return [self._failure(str(err))] * len(terms)
        self.set_options(var_options=rendered, direct=kwargs)
        _definitions.share(self._load_name, DOCUMENTATION)
        results = []
        for term in terms:
            lookup = None
            try:
                lookup = TokenLookup(str(term), self, display.warning, check_mode=bool(variables.get('ansible_check_mode')))
                results.append(lookup.result())
            except TokenError as err:
                results.append(self._failure(lookup.error(err) if lookup else str(err)))
            except Exception as err:  # pylint: disable=broad-except  # a bug must not leak secrets either
                redactor = lookup.redactor if lookup else Redactor(v for v in given.values() if isinstance(v, str))
                results.append(self._failure(redactor(unexpected(err))))
        return results

    def _failure(self, message):
        """The failure as on_error asks: raised (the task fails), or returned for the play to handle."""
        if self._on_error == 'return':
            return dict(failed=True, msg=message)
        raise AnsibleLookupError(message)

    @staticmethod
    def _var_sources(definitions):
        """Play variable name -> option name, for every option that a variable can set."""
        sources = {}
        for name, option in definitions.items():
            sources.update((source['name'], name) for source in option.get('vars') or [])
        return sources
