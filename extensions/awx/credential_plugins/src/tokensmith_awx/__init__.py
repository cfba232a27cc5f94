# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AWX / Automation Platform credential plugins: a short-lived Nexla, Nuvy Nexus or Nexus Repository token, minted
by the controller just before a job starts, so the job never holds the long-lived secret.

AWX reads ``name``, ``inputs`` and ``backend`` of each plugin (the entry points in pyproject.toml). Importing this
module does nothing else: the controller imports every plugin at start-up, and an error here would take it down. The
provider code (the tokensmith.auth collection's own, copied into this package when the wheel is built) and requests
are imported by the backend, when a token is asked for.
"""

from collections import namedtuple

__all__ = ('CredentialPlugin', 'nexla', 'nuvy', 'nexus', 'TOTAL_SECONDS')

# The shape AWX reads (awx_plugins.credentials.plugin.CredentialPlugin has the same fields).
CredentialPlugin = namedtuple('CredentialPlugin', 'name inputs backend plugin_description')

# Documented bound of one backend call (connecting, answers, the retry and its pause); the backend keeps it.
ATTEMPT_SECONDS = 10
RETRIES = 1
TOTAL_SECONDS = 30

_BOUND = ('Each request gets %d s and one retry; a call ends within %d s in all.' % (ATTEMPT_SECONDS, TOTAL_SECONDS))


def _url(label, help_text):
    return {'id': 'url', 'label': label, 'type': 'string', 'format': 'url',
            'help_text': help_text + ' https:// (credentials never go in the URL: it is not secret).'}


def _secret(field_id, label, help_text):
    return {'id': field_id, 'label': label, 'type': 'string', 'secret': True, 'help_text': help_text}


_CONNECTION = [
    {'id': 'ca_cert', 'label': 'CA certificate (PEM)', 'type': 'string', 'multiline': True,
     'help_text': 'The private CA that signed the provider\'s certificate, as PEM text. Blank: the default trust, or '
                  'the bundle REQUESTS_CA_BUNDLE or SSL_CERT_FILE names in the controller\'s job environment '
                  '(AWX_TASK_ENV). ' + _BOUND},
    {'id': 'allow_plain_http', 'label': 'Allow plain http://', 'type': 'boolean', 'default': False,
     'help_text': 'Send the secret over an http:// URL, unencrypted. Off: an https:// URL is required.'},
]


def _output(choices, help_text):
    return {'id': 'output', 'label': 'Output', 'type': 'string', 'choices': list(choices), 'default': choices[0],
            'help_text': help_text}


def _lazy_backend(provider):
    def backend(**kwargs):
        # Imported here, at the first call: requests and the provider code, never at the controller's start-up.
        from tokensmith_awx._backend import mint  # pylint: disable=import-outside-toplevel
        return mint(provider, kwargs)
    backend.__name__ = '%s_backend' % provider
    backend.__doc__ = 'Mint a %s token from the stored inputs and the link\'s metadata (AWX passes both).' % provider
    return backend


nexla = CredentialPlugin(
    name='Nexla Session Token (tokensmith.auth)',
    inputs={
        'fields': [
            _url('Nexla API URL', 'The Nexla API base, as the collection\'s api_url. Blank: the hosted service, '
                                  'https://dataops.nexla.io/nexla-api; a self-hosted one ends in /nexla-api too.'),
            _secret('service_key', 'Service key', 'The service key, exactly as the Nexla UI shows it.'),
        ] + _CONNECTION,
        'metadata': [_output(('token',), 'The session token (about an hour of life; see the collection\'s guide for '
                                         'logging it out at the end of the job).')],
        'required': ['service_key', 'output'],
    },
    backend=_lazy_backend('nexla'),
    plugin_description='Logs in to Nexla with a service key and hands the job the session token only.',
)

nuvy = CredentialPlugin(
    name='Nuvy Nexus OAuth 2.0 Token (tokensmith.auth)',
    inputs={
        'fields': [
            _url('Token URL', 'The OAuth 2.0 token endpoint, as the collection\'s token_url. Blank: production, '
                              'https://prd.api.nuvy.ai/nexus/oauth2/token.'),
            {'id': 'client_id', 'label': 'Client ID', 'type': 'string', 'help_text': 'The App Client\'s identifier.'},
            _secret('client_secret', 'Client secret', 'The App Client\'s secret.'),
            {'id': 'scope', 'label': 'Scope', 'type': 'string',
             'help_text': 'Scopes to request, separated by spaces. Blank: the App Client\'s defaults.'},
            {'id': 'auth_method', 'label': 'Client authentication', 'type': 'string', 'default': 'auto',
             'choices': ['auto', 'client_secret_basic', 'client_secret_basic_raw', 'client_secret_post'],
             'help_text': 'How the client credentials travel: auto tries HTTP Basic as RFC 6749 encodes it, then as '
                          'is; client_secret_post sends them in the form.'},
        ] + _CONNECTION,
        'metadata': [_output(('token',), 'The access token.')],
        'required': ['client_id', 'client_secret', 'output'],
    },
    backend=_lazy_backend('nuvy'),
    plugin_description='Runs the OAuth 2.0 client credentials grant against Nuvy Nexus and hands the job the access '
                       'token only.',
)

nexus = CredentialPlugin(
    name='Sonatype Nexus Repository User Token (tokensmith.auth)',
    inputs={
        'fields': [
            _url('Nexus URL', 'The Nexus base URL with its context path, as the collection\'s url: '
                              'https://nexus.example.com (NXRM 3) or https://repo.example.com/nexus (NXRM 2).'),
            {'id': 'username', 'label': 'Username', 'type': 'string'},
            _secret('password', 'Password', 'The user\'s password; the job gets the user token instead.'),
            {'id': 'api_version', 'label': 'API generation', 'type': 'string', 'default': 'auto',
             'choices': ['auto', '2.0', '2.7', '3.0', '3.8', '3.24'],
             'help_text': 'auto asks the server; or the NXRM version whose user-token API to use.'},
        ] + _CONNECTION,
        'metadata': [_output(('name_code', 'pass_code'), 'Which half of the user token this field gets: link one '
                                                         'field to name_code and another to pass_code; both get the '
                                                         'user\'s current token, so they always match.')],
        'required': ['url', 'username', 'password', 'output'],
    },
    backend=_lazy_backend('nexus'),
    plugin_description='Reads (or creates) the user\'s Nexus Repository user token with a single-use ticket and '
                       'hands the job its nameCode or passCode only.',
)
