# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The collection's only HTTP client: TLS, proxies, retries, and failures turned into one clear line."""

import datetime
import email.utils
import os
import random
import re
import time
import warnings
from urllib.parse import urlsplit

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import (
    EMPTY_BODY, HttpStatusError, Redactor, TokenError, strip_userinfo)
from ansible_collections.tokensmith.auth.plugins.module_utils._options import has_control_character

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the modules with missing_required_lib()
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'tokensmith.auth/%s (Ansible collection)' % COLLECTION_VERSION

RETRY_STATUSES = frozenset((429, 502, 503, 504))
BACKOFF_BASE = 1.0       # seconds before the first retry, doubled each time, jittered down to half
BACKOFF_CAP = 20.0       # longest single wait we choose ourselves
MAX_TOTAL_WAIT = 60.0    # all waits of one request together, Retry-After included
EXCERPT_LENGTH = 120

_TAGS = re.compile(r'<[^>]*>')
_OBJECT_REPR = re.compile(r'<[\w.]+ object at 0x[0-9a-f]+>:?\s*')


def plain_headers(headers):
    """Header names and values as exact ``str``: requests refuses some ``str`` subclasses Ansible uses."""
    return dict((_plain(name), _plain(value)) for name, value in headers.items() if value is not None)


def _plain(value):
    if isinstance(value, bytes):
        return value.decode('latin-1')
    return ''.join(str(value))  # join always builds an exact str, never a subclass


def retry_after_seconds(value, now=None):
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); ``None`` if unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def body_excerpt(text):
    """A short, tag-free, single-line piece of a non-JSON body (a gateway's HTML page, say)."""
    text = ' '.join(_TAGS.sub(' ', text or '').split())
    if len(text) > EXCERPT_LENGTH:
        text = text[:EXCERPT_LENGTH - 3] + '...'
    return text or EMPTY_BODY


def _budget_note(waited):
    return ' and the %d s this collection waits in all' % MAX_TOTAL_WAIT if waited >= MAX_TOTAL_WAIT else ''


def _describe_transport_error(exc):
    """The root cause of a requests exception, without URLs (they may carry a ticket in the query)."""
    reason = exc
    for _level in range(4):
        inner = getattr(reason, 'reason', None) or (reason.args[0] if getattr(reason, 'args', None) else None)
        if isinstance(inner, BaseException):
            reason = inner
        else:
            break
    text = _OBJECT_REPR.sub('', str(reason))
    text = re.sub(r"Max retries exceeded with url: \S+", '', text)
    return '%s: %s' % (type(reason).__name__, text.strip(' :')) if text else type(reason).__name__


class HttpClient:
    """One session per flow. ``options`` is a mapping of the shared connection options.

    ``warn`` receives warnings (already redacted); ``redactor`` knows every secret of the flow and
    cleans every message that leaves here.
    """

    def __init__(self, options, provider, redactor=None, warn=None, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise TokenError('the Python library requests is required on the host that runs this; '
                             'install it with pip install requests', provider)
        self.options = options
        self.provider = provider
        self.redactor = redactor or Redactor()
        self._warn = warn or (lambda message: None)
        self._sleep = sleep
        self._warned = set()
        self.session = requests.Session()
        # Without trust_env, requests never applies ~/.netrc credentials over ours; proxies and the CA
        # bundle from the environment are applied below, explicitly and per request.
        self.session.trust_env = False
        self.session.headers['User-Agent'] = USER_AGENT

    def warn(self, message):
        message = self.redactor(message)
        if message not in self._warned:
            self._warned.add(message)
            self._warn(message)

    def error(self, message, step=None, hint=None):
        """A :class:`TokenError` of this flow, ready to raise."""
        err = TokenError(message, self.provider, step, hint)
        err.redactor = self.redactor
        return err

    def check_url(self, url, step=None):
        """Refuse anything but https://, unless plain http was explicitly allowed."""
        parts = urlsplit(str(url))
        if parts.scheme == 'https' and parts.netloc:
            return
        if parts.scheme == 'http' and parts.netloc:
            if not self.options.get('allow_plain_http'):
                raise self.error('refusing to send credentials over plain http:// to %s'
                                 % strip_userinfo(str(url)), step,
                                 'Use an https:// URL, or set allow_plain_http: true if you accept that '
                                 'credentials travel unencrypted')
            self.warn('%s: credentials travel unencrypted over plain http:// to %s (allow_plain_http is set)'
                      % (self.provider, parts.netloc.rpartition('@')[2]))
            return
        raise self.error('%r is not an http(s) URL' % strip_userinfo(str(url)), step,
                         'Give the full URL, such as https://host/path')

    def _verify(self, host):
        if not self.options.get('validate_certs', True):
            self.warn('%s: TLS certificate verification is disabled for %s (validate_certs: false); '
                      'anyone on the path can read the credentials' % (self.provider, host))
            return False
        if self.options.get('ca_path'):
            return self.options['ca_path']
        # What requests would do with trust_env; a per-request verify= is never overridden by them.
        return os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('CURL_CA_BUNDLE') or True

    def _check_files(self, step):
        for name in ('ca_path', 'client_cert', 'client_key'):
            path = self.options.get(name)
            if path and not os.path.isfile(path):
                raise self.error('%s %s is not a readable file' % (name, path), step,
                                 'Give the path of a PEM file on the host that runs this')

    def _request_settings(self, url):
        host = urlsplit(url).netloc.rpartition('@')[2]
        settings = dict(verify=self._verify(host), timeout=float(self.options.get('timeout', 30)),
                        allow_redirects=False)
        if self.options.get('client_cert'):
            key = self.options.get('client_key')
            settings['cert'] = (self.options['client_cert'], key) if key else self.options['client_cert']
        if self.options.get('use_proxy', True):
            settings['proxies'] = requests.utils.get_environ_proxies(url)
        else:
            settings['proxies'] = {'http': None, 'https': None, 'all': None}
        return host, settings

    def _backoff(self, attempt):
        return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt)) * random.uniform(0.5, 1.0)

    def request(self, step, method, url, build=None, expected=(200,), **request):
        """Send one request, retrying what may heal; return ``(response, sent_at)``.

        ``build(attempt)``, when given, returns the request's keyword arguments (``headers``, ``data``,
        ``json``, ``params``) afresh for every attempt, so a single-use credential is never replayed.
        Statuses outside ``expected`` raise :class:`HttpStatusError`; transport failures raise
        :class:`TokenError`.
        """
        self.check_url(url, step)
        self._check_files(step)
        host, settings = self._request_settings(url)
        retries = int(self.options.get('retries', 3))
        waited = 0.0
        attempt = 0
        while True:
            kwargs = dict(build(attempt) if build else request)
            kwargs['headers'] = plain_headers(kwargs.get('headers') or {})
            self._remember_credentials(kwargs['headers'])
            self._check_headers(kwargs['headers'], step)
            sent_at = time.time()
            delay = None
            try:
                with warnings.catch_warnings():
                    # validate_certs: false is already reported once, as an Ansible warning.
                    warnings.simplefilter('ignore', requests.packages.urllib3.exceptions.InsecureRequestWarning)
                    response = self.session.request(method, url, **dict(settings, **kwargs))
            except requests.exceptions.SSLError as exc:
                raise self.error('TLS handshake with %s failed (%s)' % (host, _describe_transport_error(exc)), step,
                                 'If the server uses a private CA, set ca_path to its CA bundle; '
                                 'check client_cert/client_key if the server requires one')
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                problem = _describe_transport_error(exc)
                if attempt >= retries or waited >= MAX_TOTAL_WAIT:
                    raise self.error('could not get an answer from %s after %d attempt(s)%s (%s)'
                                     % (host, attempt + 1, _budget_note(waited), problem), step,
                                     'Check the URL, the network and proxy settings (use_proxy), or raise '
                                     'timeout/retries')
                reason = problem
            except (requests.exceptions.RequestException, OSError) as exc:
                raise self.error('request to %s failed (%s)' % (host, _describe_transport_error(exc)), step)
            else:
                if response.status_code in expected:
                    return response, sent_at
                if response.status_code not in RETRY_STATUSES:
                    raise self._status_error(response, step)
                if attempt >= retries or waited >= MAX_TOTAL_WAIT:
                    err = self._status_error(response, step)
                    err.hint = ('The server kept answering HTTP %d through %d attempt(s)%s: try again later'
                                % (response.status_code, attempt + 1, _budget_note(waited)))
                    raise err
                reason = 'HTTP %s' % response.status_code
                delay = retry_after_seconds(response.headers.get('Retry-After'))
                if delay is not None and waited + delay > MAX_TOTAL_WAIT:
                    err = self._status_error(response, step)
                    err.hint = ('The server asked to retry after %d s, beyond the %d s this collection waits '
                                'in all: try again later' % (delay, MAX_TOTAL_WAIT))
                    raise err
            if delay is None:
                delay = min(self._backoff(attempt), max(0.0, MAX_TOTAL_WAIT - waited))
            attempt += 1
            self.warn('%s %s: %s from %s; retry %d of %d in %.1f s'
                      % (self.provider, step, reason, host, attempt, retries, delay))
            self._sleep(delay)
            waited += delay

    def _check_headers(self, headers, step):
        """The last wall before the wire: requests would refuse these with the whole value in its message."""
        for name, value in headers.items():
            try:
                value.encode('latin-1')
            except UnicodeEncodeError:
                bad = True
            else:
                bad = has_control_character(value)
            if bad:
                raise self.error('the %s header would carry a control character or a character HTTP headers cannot '
                                 'hold' % name, step, 'Check the credentials and tokens for stray characters such as '
                                 'a trailing newline; the value is not shown')

    def _remember_credentials(self, headers):
        """Whatever travels in an Authorization header is a secret, whole and after its scheme."""
        credentials = headers.get('Authorization')
        if credentials:
            self.redactor.add(credentials, credentials.partition(' ')[2])

    def _excerpt(self, response):
        # Redacted before it is cut and folded: a reflected secret must not survive in a shortened form.
        return body_excerpt(self.redactor(response.text))

    def _status_error(self, response, step):
        """An :class:`HttpStatusError` with whatever the provider said about the failure."""
        code = description = excerpt = None
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            code = data.get('error') if isinstance(data.get('error'), str) else None
            description = data.get('error_description') or data.get('message') or data.get('detail')
            if not isinstance(description, str):
                description = None
        if not code and not description:
            excerpt = self._excerpt(response)
        err = HttpStatusError(response.status_code, response.reason or '', code, description, excerpt,
                              provider=self.provider, step=step)
        err.redactor = self.redactor
        if 300 <= response.status_code < 400:
            err.hint = ('The server redirected to %s: set the URL to the final location'
                        % strip_userinfo(response.headers.get('Location', 'another location')))
        return err

    def body(self, response, step):
        """The JSON object of a successful answer, or a clear (redacted) error for anything else."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            kind = response.headers.get('Content-Type', 'no Content-Type')
            raise self.error('the server answered HTTP %s with a body that is not a JSON object (%s: "%s")'
                             % (response.status_code, kind, self._excerpt(response)), step,
                             'Check that the URL points at the provider API and not at a proxy or web page')
        return data

    def json(self, step, method, url, **kwargs):
        """:meth:`request`, then the answer's JSON object; returns ``(data, sent_at)``."""
        response, sent_at = self.request(step, method, url, **kwargs)
        return self.body(response, step), sent_at
