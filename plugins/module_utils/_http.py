# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Internal use only: this file may change without notice. Do not import it from outside the collection.

"""The collection's only HTTP client: TLS, proxies, retries, and failures turned into one clear line."""

import datetime
import email.utils
import http.client
import json
import os
import random
import re
import threading
import time
import warnings
import zlib
from urllib.parse import urlsplit

from ansible_collections.tokensmith.auth.plugins.module_utils._errors import (
    EMPTY_BODY, EXCERPT_LENGTH, HttpStatusError, Redactor, TlsRefused, TokenError, TransportError, excerpt, strip_userinfo)
from ansible_collections.tokensmith.auth.plugins.module_utils._options import has_control_character
from ansible_collections.tokensmith.auth.plugins.module_utils._version import COLLECTION_VERSION

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the modules with missing_required_lib()
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

USER_AGENT = 'tokensmith.auth/%s (Ansible collection)' % COLLECTION_VERSION

RETRY_STATUSES = frozenset((429, 502, 503, 504))
BACKOFF_BASE = 1.0       # seconds before the first retry, doubled each time, jittered down to half
BACKOFF_CAP = 20.0       # longest single wait we choose ourselves
MAX_TOTAL_WAIT = 60.0    # all waits of one request together, Retry-After included
# Decoded bytes read of an answer: a token answer is a few KB, the largest real ones (a 2 MB token) fit; of an
# error, only enough for its JSON fields or an excerpt. Nothing more is read, inflated or kept.
ANSWER_LIMIT = 4 * 1024 * 1024
ERROR_LIMIT = 64 * 1024
_CHUNK = 16384
_LONGEST_DELAY = 10.0 ** 9   # a Retry-After beyond any budget, kept finite so it formats and compares

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
    if value.isascii() and value.isdigit():  # str.isdigit alone takes superscripts and other scripts' digits
        return float(value) if len(value) <= 12 else _LONGEST_DELAY
    if len(value) > 64:  # no HTTP date is this long
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


class AnswerTooLarge(TokenError):
    """The answer was larger than ANSWER_LIMIT: reading stopped there."""


class _AttemptTimeout(Exception):
    """The whole answer did not arrive within ``timeout``."""


class _UnreadableEncoding(Exception):
    """A Content-Encoding that no inflater here reads (a ValueError would be confused with requests' own)."""


class _BrokenAnswer(Exception):
    """The connection broke (closed, reset, stalled, its TLS cut) in the middle of an answer's body: a transport
    fault, retried as one. ``str()`` says what happened, in words."""


class Reply:
    """A server's answer, read whole within the attempt's deadline and size limit."""

    def __init__(self, response, content, truncated=False):
        self.status_code = response.status_code
        self.reason = response.reason or ''
        self.headers = response.headers
        self.content = content
        self.truncated = truncated

    @property
    def text(self):
        charset = ''
        for part in self.headers.get('Content-Type', '')[:256].split(';')[1:]:
            name, _sep, value = part.partition('=')
            if name.strip().lower() == 'charset':
                charset = value.strip().strip('"')
        try:
            return self.content.decode(charset or 'utf-8', 'replace')
        except LookupError:
            return self.content.decode('utf-8', 'replace')

    def json(self):
        """The decoded JSON, or None when the body is not JSON (or too deep to be an answer)."""
        if self.truncated:
            return None
        try:
            return json.loads(self.content)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return None


def _decoder(encoding):
    """A zlib inflater for the Content-Encoding, None for none; it never inflates more than asked for."""
    encoding = encoding.strip().lower()
    if encoding in ('', 'identity'):
        return None
    if encoding in ('gzip', 'x-gzip', 'deflate'):
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib wrapper, told apart by their headers
    raise _UnreadableEncoding(encoding)


def _raw_chunk(response, received):
    """The next piece of the body as sent (compressed or not), or b'' at its end; a connection that breaks first -
    closed, reset, its TLS cut, or short of the length announced - raises _BrokenAnswer."""
    try:
        data = response.raw.read(_CHUNK, decode_content=False)
    except (requests.packages.urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
        # urllib3's ProtocolError (IncompleteRead, a broken chunk), ReadTimeoutError, SSLError; a socket's own error
        raise _BrokenAnswer('the connection broke after %d bytes of the answer\'s body (%s)'
                            % (received, _root_name(exc))) from None
    # urllib3 before 2.0 does not hold a body to its Content-Length: a connection closed early looks like an end.
    length = response.headers.get('Content-Length', '')
    if not data and length.isdigit() and len(length) < 20 and received < int(length):
        raise _BrokenAnswer('the connection closed after %d of the %s bytes the answer announced' % (received, length))
    return data


def _root_name(exc):
    """The innermost cause's class name (ProtocolError wraps IncompleteRead wraps ...), for a message."""
    seen = 0
    while seen < 5:
        inner = getattr(exc, 'reason', None) or (exc.args[1] if len(getattr(exc, 'args', ())) > 1 else None)
        if not isinstance(inner, BaseException):
            break
        exc, seen = inner, seen + 1
    return type(exc).__name__


def read_body(response, limit):
    """``(content, truncated)``: at most ``limit`` decoded bytes; a compressed body is inflated only that far."""
    decoder = _decoder(response.headers.get('Content-Encoding', ''))
    content, raw_deflate, received = bytearray(), False, 0
    while len(content) <= limit:
        data = _raw_chunk(response, received)
        received += len(data)
        if not data:
            break
        while data and len(content) <= limit:
            if decoder is None:
                piece, data = data[:limit + 1 - len(content)], b''
            else:
                try:
                    piece = decoder.decompress(data, min(4 * _CHUNK, limit + 1 - len(content)))
                except zlib.error:
                    if raw_deflate or content:
                        raise
                    # Some servers send "deflate" without its zlib wrapper, as urllib3 also accepts.
                    decoder, raw_deflate = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                data = decoder.unconsumed_tail
            content += piece
    while decoder is not None and len(content) <= limit:  # what the inflater still holds once the input ended
        piece = decoder.decompress(decoder.unconsumed_tail, min(4 * _CHUNK, limit + 1 - len(content)))
        if not piece:
            break
        content += piece
    truncated = len(content) > limit
    del content[limit:]
    return bytes(content), truncated


# What a refused handshake says, and what to do about it; a handshake that merely broke off (EOF, reset) is retried.
_TLS_HINTS = (
    (('CERTIFICATE_VERIFY_FAILED', 'certificate verify failed', "doesn't match", 'hostname mismatch'),
     'If the server uses a private CA, set ca_path to its CA bundle'),
    (('CERTIFICATE_REQUIRED', 'BAD_CERTIFICATE', 'UNKNOWN_CA', 'CERTIFICATE_UNKNOWN', 'alert handshake failure',
      'HANDSHAKE_FAILURE'),
     'The server refused this client: check client_cert/client_key if it requires one'),
    (('WRONG_VERSION_NUMBER', 'wrong version number', 'record layer failure', 'http request'),
     'The server does not speak TLS there: check the URL (https on a plain http port?)'),
    (('UNSUPPORTED_PROTOCOL', 'NO_PROTOCOLS_AVAILABLE', 'no ciphers', 'NO_SHARED_CIPHER'),
     'The server and this client share no TLS version or cipher: check the server\'s TLS settings'),
)


def _tls_hint(exc):
    """The hint for a handshake the server or its certificate refused; None for one that broke off (a transport
    fault: a FIN or an RST in the middle of it), which is retried."""
    text = str(exc)
    cause = exc
    for _level in range(6):
        if type(cause).__name__ == 'SSLCertVerificationError':
            return _TLS_HINTS[0][1]
        inner = getattr(cause, 'reason', None) or (cause.args[0] if getattr(cause, 'args', None) else None)
        if not isinstance(inner, BaseException):
            break
        cause = inner
        text += ' ' + str(inner)
    for words, hint in _TLS_HINTS:
        if any(word in text for word in words):
            return hint
    return None


def _budget_note(waited):
    return ' and the %d s this collection waits in all' % MAX_TOTAL_WAIT if waited >= MAX_TOTAL_WAIT else ''


def _describe_transport_error(exc, redact):
    """The root cause of a requests exception, without URLs (they may carry a ticket in the query), cut short
    (a proxy's reason phrase is the provider's text too)."""
    reason = exc
    for _level in range(4):
        inner = getattr(reason, 'reason', None) or (reason.args[0] if getattr(reason, 'args', None) else None)
        if isinstance(inner, BaseException):
            reason = inner
        else:
            break
    text = _OBJECT_REPR.sub('', str(reason))
    text = re.sub(r"Max retries exceeded with url: \S+", '', text)
    text = excerpt(text, redact, length=2 * EXCERPT_LENGTH)
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
        self.session = self._new_session()

    @staticmethod
    def _new_session():
        session = requests.Session()
        # Without trust_env, requests never applies ~/.netrc credentials over ours; proxies and the CA
        # bundle from the environment are applied below, explicitly and per request.
        session.trust_env = False
        session.headers['User-Agent'] = USER_AGENT
        # Only what read_body inflates, itself and within its limit (not brotli or zstd, were they installed).
        session.headers['Accept-Encoding'] = 'gzip, deflate'
        return session

    def warn(self, message):
        message = self.redactor(message)
        if message not in self._warned:
            self._warned.add(message)
            self._warn(message)

    def error(self, message, step=None, hint=None, kind=TokenError):
        """A :class:`TokenError` (or ``kind``, a subclass) of this flow, ready to raise."""
        err = kind(message, self.provider, step, hint)
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

    def _attempt(self, method, url, settings, expected):
        """One request and its whole answer, within ``timeout`` seconds in all and the size limits.

        requests bounds each socket read only, so a peer that trickles one byte at a time would hold it for ever:
        the attempt runs in a thread the caller stops waiting for at the deadline, and that session is dropped.
        """
        session, outcome = self.session, {}

        def work():
            try:
                response = session.request(method, url, stream=True, **settings)
                try:
                    limit = ANSWER_LIMIT if response.status_code in expected else ERROR_LIMIT
                    length = response.headers.get('Content-Length', '')
                    if limit == ANSWER_LIMIT and length.isdigit() and len(length) < 20 and int(length) > limit:
                        outcome['reply'] = Reply(response, b'', truncated=True)
                    else:
                        outcome['reply'] = Reply(response, *read_body(response, limit))
                finally:
                    response.close()
            except BaseException as exc:  # pylint: disable=broad-except  # handed to the waiting thread as it is
                outcome['error'] = exc

        worker = threading.Thread(target=work, name='tokensmith-request', daemon=True)
        worker.start()
        worker.join(settings['timeout'])
        if worker.is_alive():
            self.session = self._new_session()
            raise _AttemptTimeout()
        if 'error' in outcome:
            raise outcome['error']
        return outcome['reply']

    def request(self, step, method, url, build=None, expected=(200,), **request):
        """Send one request, retrying what may heal; return ``(reply, sent_at)``.

        ``build(attempt)``, when given, returns the request's keyword arguments (``headers``, ``data``,
        ``json``, ``params``) afresh for every attempt, so a single-use credential is never replayed.
        Statuses outside ``expected`` raise :class:`HttpStatusError`; transport failures raise
        :class:`TokenError`. Each attempt takes at most ``timeout`` seconds, connecting and reading included, so
        the whole takes at most ``(retries + 1) * timeout`` plus MAX_TOTAL_WAIT of waits.
        """
        self.check_url(url, step)
        self._check_files(step)
        host, settings = self._request_settings(url)
        retries = int(self.options.get('retries', 3))
        waited = 0.0
        attempt = 0

        def no_answer(problem, hint):
            """The attempt got no answer: ``problem``, to retry, or the one line once no attempt or wait is left."""
            if attempt >= retries or waited >= MAX_TOTAL_WAIT:
                raise self.error('could not get an answer from %s after %d attempt(s)%s (%s)'
                                 % (host, attempt + 1, _budget_note(waited), problem), step, hint, kind=TransportError)
            return problem

        while True:
            kwargs = dict(build(attempt) if build else request)
            kwargs['headers'] = plain_headers(kwargs.get('headers') or {})
            self._remember_credentials(kwargs['headers'])
            self._check_headers(kwargs['headers'], step)
            sent_at = time.time()
            server_delay = None
            try:
                with warnings.catch_warnings():
                    # validate_certs: false is already reported once, as an Ansible warning.
                    warnings.simplefilter('ignore', requests.packages.urllib3.exceptions.InsecureRequestWarning)
                    response = self._attempt(method, url, dict(settings, **kwargs), expected)
            except requests.exceptions.SSLError as exc:
                hint = _tls_hint(exc)
                if hint:  # the server or its certificate was refused: no retry heals that
                    raise self.error('TLS handshake with %s failed (%s)'
                                     % (host, _describe_transport_error(exc, self.redactor)), step, hint,
                                     kind=TlsRefused)
                # The connection was closed or reset in the middle of the handshake: a transport fault.
                reason = no_answer('the TLS handshake broke off (%s)' % _describe_transport_error(exc, self.redactor),
                                   'Check the network, a proxy or a firewall in between (use_proxy), or raise '
                                   'timeout/retries; a server that wants a client certificate may close the '
                                   'handshake too: set client_cert/client_key if it does')
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout, _AttemptTimeout,
                    _BrokenAnswer) as exc:
                if isinstance(exc, _AttemptTimeout):
                    problem = 'the whole answer did not arrive within timeout (%g s)' % settings['timeout']
                elif isinstance(exc, _BrokenAnswer):
                    problem = str(exc)
                else:
                    problem = _describe_transport_error(exc, self.redactor)
                reason = no_answer(problem, 'Check the URL, the network and proxy settings (use_proxy), or raise '
                                            'timeout/retries')
            except _UnreadableEncoding as exc:
                raise self.error('the server answered in an encoding this collection does not read (%s)'
                                 % excerpt(exc, length=40), step, 'Check that the URL points at the provider API')
            except (requests.exceptions.RequestException, OSError, zlib.error) as exc:
                raise self.error('request to %s failed (%s)' % (host, _describe_transport_error(exc, self.redactor)), step)
            else:
                if response.status_code in expected:
                    if response.truncated:
                        raise AnswerTooLarge('the answer from %s is larger than %d MiB, far more than any token '
                                             'answer: stopped reading it' % (host, ANSWER_LIMIT >> 20),
                                             self.provider, step, 'Check that the URL points at the provider API')
                    return response, sent_at
                if response.status_code not in RETRY_STATUSES:
                    raise self._status_error(response, step)
                if attempt >= retries or waited >= MAX_TOTAL_WAIT:
                    err = self._status_error(response, step)
                    err.hint = ('The server kept answering HTTP %d through %d attempt(s)%s: try again later'
                                % (response.status_code, attempt + 1, _budget_note(waited)))
                    raise err
                reason = 'HTTP %s' % response.status_code
                server_delay = retry_after_seconds(response.headers.get('Retry-After'))
                if server_delay is not None and waited + server_delay > MAX_TOTAL_WAIT:
                    err = self._status_error(response, step)
                    err.hint = ('The server asked to retry after %d s, beyond the %d s this collection waits '
                                'in all: try again later' % (server_delay, MAX_TOTAL_WAIT))
                    raise err
            # The server's delay is a floor under the backoff, never a shortcut past it (Retry-After: 0).
            delay = min(max(self._backoff(attempt), server_delay or 0.0), max(0.0, MAX_TOTAL_WAIT - waited))
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
        return excerpt(response.text, self.redactor, tags=True) or EMPTY_BODY

    def _cut(self, text):
        return excerpt(text, self.redactor)

    def _status_error(self, response, step):
        """An :class:`HttpStatusError` with whatever the provider said about the failure."""
        code = description = body = None
        data = response.json()
        if isinstance(data, dict):
            code = self._cut(data['error']) if isinstance(data.get('error'), str) else None
            description = data.get('error_description') or data.get('message') or data.get('detail')
            description = self._cut(description) if isinstance(description, str) else None
        if not code and not description:
            body = self._excerpt(response)
        err = HttpStatusError(response.status_code, self._cut(response.reason), code, description, body,
                              provider=self.provider, step=step)
        err.redactor = self.redactor
        if 300 <= response.status_code < 400:
            location = response.headers.get('Location', 'another location')
            err.hint = ('The server redirected to %s: set the URL to the final location'
                        % self._cut(strip_userinfo(location)))
        return err

    def body(self, response, step):
        """The JSON object of a successful answer, or a clear (redacted) error for anything else."""
        data = response.json()
        if not isinstance(data, dict):
            kind = self._cut(response.headers.get('Content-Type', 'no Content-Type'))
            raise self.error('the server answered HTTP %s with a body that is not a JSON object (%s: "%s")'
                             % (response.status_code, kind, self._excerpt(response)), step,
                             'Check that the URL points at the provider API and not at a proxy or web page')
        return data

    def json(self, step, method, url, **kwargs):
        """:meth:`request`, then the answer's JSON object; returns ``(data, sent_at)``."""
        response, sent_at = self.request(step, method, url, **kwargs)
        return self.body(response, step), sent_at
