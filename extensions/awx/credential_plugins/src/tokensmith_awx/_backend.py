# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plugins' one backend: the stored inputs and the link's metadata in, one token (or half a Nexus pair) out,
through the tokensmith.auth collection's own provider code - the request, error table, redaction, bounds and retries
the modules and the lookup use - copied into this package when the wheel is built (setup.py).

What AWX does with a failure decides the exceptions: the Test button shows only the class's name, so each class names
the problem; a job stores ``str(exc)`` and the whole formatted traceback, so the text is the collection's redacted
line (no secret, token or echoed body) and no exception is chained to another.
"""

import logging
import os
import re
import sys
import tempfile
import threading

import tokensmith_awx as plugins

COLLECTION_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '_collection')
_IMPORT_LOCK = threading.Lock()
LOG = logging.getLogger('tokensmith_awx')


class TokensmithPluginError(Exception):
    """A token could not be minted; the text says why and what to do, and holds no secret."""


class InvalidInput(TokensmithPluginError):
    """An input is missing or unusable: nothing was sent."""


class CredentialsRejected(TokensmithPluginError):
    """The provider refused the service key, client credentials or username and password."""


class ProviderUnreachable(TokensmithPluginError):
    """No answer came from the provider through every attempt: the URL, the network or a proxy."""


class CertificateNotTrusted(TokensmithPluginError):
    """The TLS handshake failed: the provider's certificate is not trusted here (ca_cert), or the server refused."""


class ProviderTimedOut(TokensmithPluginError):
    """The call took the whole bound (TOTAL_SECONDS) and was abandoned."""


class ProviderError(TokensmithPluginError):
    """The provider answered, but with an error or an answer that holds no usable token."""


class UnexpectedFailure(TokensmithPluginError):
    """Something this package did not foresee; the detail is withheld, as it could hold a secret."""


def _collection():
    """The collection's module_utils, importable under their own names (they import each other so)."""
    with _IMPORT_LOCK:
        if COLLECTION_ROOT not in sys.path:
            sys.path.insert(0, COLLECTION_ROOT)
    from ansible_collections.tokensmith.auth.plugins.module_utils import (  # pylint: disable=import-outside-toplevel
        _errors, _http, _options, _providers)
    return _errors, _http, _options, _providers


# The collection's words for what the plugins name otherwise or do not offer, as (pattern, replacement) per provider.
_COMMON_TERMS = ((r'\bca_path\b', 'ca_cert'), (r',? or raise timeout/retries', ''), (r' \(use_proxy\)', ''),
                 # the environment variables a module would read: the plugins read none
                 (r' \((?:or )?[A-Z]+_[A-Z_]+(?:/[A-Z]+_[A-Z_]+)*\)', ''))
_TERMS = {'nexla': ((r'\bapi_url\b', 'url'),) + _COMMON_TERMS, 'nuvy': ((r'\btoken_url\b', 'url'),) + _COMMON_TERMS,
          'nexus': _COMMON_TERMS}


def _in_plugin_terms(provider, text):
    """The collection's line in this plugin's terms: its inputs' names, and no option or variable it lacks."""
    for pattern, replacement in _TERMS[provider]:
        text = re.sub(pattern, replacement, text)
    return text


def _ca_path(ca_cert, directory):
    """A file for the PEM text in ``ca_cert``; blank: the bundle the controller's job environment names, if any."""
    if not ca_cert or not ca_cert.strip():
        return os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('SSL_CERT_FILE') or None
    if '-----BEGIN CERTIFICATE-----' not in ca_cert:
        raise InvalidInput('ca_cert holds no PEM certificate (-----BEGIN CERTIFICATE-----): paste the CA certificate '
                           'as text, or leave it blank for the default trust')
    path = os.path.join(directory, 'ca.pem')
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w') as handle:
        handle.write(ca_cert.strip() + '\n')
    return path


def _flag(value):
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ('true', 'yes', 'on', '1')


def _options(provider, inputs, ca_path):
    """The collection's options for ``provider`` from the plugin's ``inputs`` (stored values only: AWX applies no
    field default, so a blank or missing one gets the collection's)."""
    def text(name):
        value = inputs.get(name)
        return value.strip() if isinstance(value, str) else value
    values = dict(validate_certs=True, ca_path=ca_path, timeout=float(plugins.ATTEMPT_SECONDS),
                  retries=plugins.RETRIES, use_proxy=True, allow_plain_http=_flag(inputs.get('allow_plain_http', False)))
    if provider == 'nexla':
        values.update(api_url=text('url'), service_key=inputs.get('service_key'))
    elif provider == 'nuvy':
        values.update(token_url=text('url'), client_id=text('client_id'), client_secret=inputs.get('client_secret'),
                      scope=(text('scope') or '').replace(',', ' ').split(), auth_method=text('auth_method') or 'auto')
    else:
        values.update(url=text('url'), username=text('username'), password=inputs.get('password'),
                      api_version=text('api_version') or 'auto', state='present')
    return values


def _classify(err, errors):
    """The exception class for one of the collection's errors."""
    if isinstance(err, errors.TransportError):
        return ProviderUnreachable
    if isinstance(err, errors.TlsRefused):
        return CertificateNotTrusted
    if isinstance(err, errors.HttpStatusError):
        if err.status in (401, 403) or err.code in ('invalid_client', 'unauthorized_client'):
            return CredentialsRejected
    return ProviderError


def _output(provider, token, output):
    if provider == 'nexus':
        return token.extra[output]
    return token.access_token


def _run(provider, inputs, output, directory):
    """The token's requested part; raises one of this module's exceptions, never the collection's own."""
    errors, http_module, options_module, providers = _collection()
    declared = providers.PROVIDERS[provider]
    values = _options(provider, inputs, _ca_path(inputs.get('ca_cert'), directory))
    redactor = errors.Redactor([values.get(name) or '' for name in declared.secrets])
    options = options_module.Options(values, face='awx', provider=provider)
    try:
        options_module.check_options(values, [name for name in values if values[name] is not None])
        http = http_module.HttpClient(options, provider, redactor, lambda message: LOG.warning('%s', message))
        for name in ('url', 'api_url', 'token_url'):
            if values.get(name):
                http.check_url(values[name])
    except errors.TokenError as err:
        err.redactor = err.redactor or redactor
        raise InvalidInput(_in_plugin_terms(provider, str(err))) from None
    try:
        token, _outcome = providers.load(provider).obtain(options, http)
        return _output(provider, token, output)
    except errors.TokenError as err:
        err.redactor = err.redactor or http.redactor
        raise _classify(err, errors)(_in_plugin_terms(provider, str(err))) from None


def mint(provider, kwargs):
    """The backend of the plugin for ``provider``: AWX's keyword arguments (the credential's stored inputs and the
    link's metadata; unknown ones ignored) in, a string out, within TOTAL_SECONDS."""
    inputs = getattr(plugins, provider).inputs
    choices = inputs['metadata'][0]['choices']  # output's
    output = kwargs.get('output') or (choices[0] if len(choices) == 1 else None)
    if output not in choices:
        raise InvalidInput('output must be one of %s, in the metadata of the field\'s link to this credential'
                           % ', '.join(choices))
    for name in inputs['required']:
        if name != 'output' and not str(kwargs.get(name) or '').strip():
            raise InvalidInput('%s is required: set it in the credential' % name)
    outcome = {}

    def work():
        try:
            with tempfile.TemporaryDirectory(prefix='tokensmith-awx-') as directory:
                outcome['value'] = _run(provider, kwargs, output, directory)
        except TokensmithPluginError as err:
            outcome['error'] = err
        except BaseException as err:  # pylint: disable=broad-except  # its text could hold anything: only the type
            outcome['error'] = UnexpectedFailure(
                '%s: unexpected %s while minting the token (its detail is withheld, as it could hold a secret); '
                'try again, and report it to tokensmith.auth if it persists' % (provider, type(err).__name__))

    # AWX puts no bound around a backend; a provider that holds the line would hold the job's start. The request
    # code bounds each attempt; this bounds the whole call, waits and several requests (Nexus) included.
    worker = threading.Thread(target=work, name='tokensmith-awx-%s' % provider, daemon=True)
    worker.start()
    worker.join(plugins.TOTAL_SECONDS)
    if worker.is_alive():
        raise ProviderTimedOut('%s: no token within %d s (each request gets %d s and one retry): check the URL, the '
                               'network and the provider\'s health'
                               % (provider, plugins.TOTAL_SECONDS, plugins.ATTEMPT_SECONDS))
    if 'error' in outcome:
        raise outcome['error'] from None
    return outcome['value']
