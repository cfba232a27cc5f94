# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # The shared connection options of every module and of the token lookup (tokensmith.auth.connection).
    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Verify the server's TLS certificate.
      - Turning this off lets anyone on the network path read the credentials; a warning says so.
      - Falls back to the E(TOKENSMITH_VALIDATE_CERTS) environment variable.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to trust instead of the default store, for a private CA.
      - When unset, the E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) environment variable is honoured if set.
      - Falls back to the E(TOKENSMITH_CA_PATH) environment variable.
    type: path
  client_cert:
    description:
      - A PEM client certificate for servers that require mutual TLS.
      - May hold the private key too; otherwise set O(client_key).
      - Falls back to the E(TOKENSMITH_CLIENT_CERT) environment variable.
    type: path
  client_key:
    description:
      - The PEM private key of O(client_cert), when it is in a separate file.
      - Falls back to the E(TOKENSMITH_CLIENT_KEY) environment variable.
    type: path
  timeout:
    description:
      - Seconds one attempt of a request may take in all - connecting, sending, and receiving the whole answer,
        however slowly the server sends it. More than 0, at most 3600.
      - A request takes at most (O(retries) + 1) x O(timeout) seconds, plus at most 60 seconds of waits between
        attempts. An answer is read up to 4 MiB (decoded; an error answer up to 64 KiB), never further.
      - Falls back to the E(TOKENSMITH_TIMEOUT) environment variable.
    type: float
    default: 30
  retries:
    description:
      - How many times to retry a request after a connection error, a timeout, or HTTP 429, 502, 503 or 504.
      - Waits grow exponentially with jitter and honour C(Retry-After), within 60 seconds in all; once those are
        spent, no more retries are made. Other HTTP errors are never retried. Each retry is reported as a warning.
      - V(0) disables retries. At most 100.
      - Falls back to the E(TOKENSMITH_RETRIES) environment variable.
    type: int
    default: 3
  use_proxy:
    description:
      - Use the proxy named by the E(https_proxy)/E(http_proxy) environment variables (with E(no_proxy)).
      - V(false) connects directly whatever the environment says.
      - Falls back to the E(TOKENSMITH_USE_PROXY) environment variable.
    type: bool
    default: true
  allow_plain_http:
    description:
      - Allow plain C(http://) URLs. Credentials then travel unencrypted, and a warning says so.
      - Without it, an C(http://) URL is refused before anything is sent.
      - Falls back to the E(TOKENSMITH_ALLOW_PLAIN_HTTP) environment variable.
    type: bool
    default: false
notes:
  - Credentials are only ever sent in headers or request bodies, never logged; a C(~/.netrc) file is ignored.
  - Environment variables are read where the code runs - a module on the host that runs it (a managed node, or the
    controller when delegated to localhost), the lookup and the roles' token step on the controller - and only for
    an option that was not given. The guide has a table of them all.
  - Options are checked before any request. A credential with a control character (such as the trailing newline
    of a YAML C(|) block or a file) or given as a list, a URL with C(user:password@) in it, and numbers out of
    range are refused with a message that names the option and never shows a secret.
  - Redirects are not followed, so credentials never reach a second host; point the URL at the final location.
requirements:
  - requests (Python library) on the host that runs the module (for the lookup, the controller).
'''

    # Where the lookup also reads these options (the descriptions are DOCUMENTATION's; the lookup extends both).
    PLUGINS = r'''
options:
  validate_certs:
    env:
      - name: TOKENSMITH_VALIDATE_CERTS
    ini:
      - section: tokensmith
        key: validate_certs
    vars:
      - name: tokensmith_validate_certs
  ca_path:
    env:
      - name: TOKENSMITH_CA_PATH
    ini:
      - section: tokensmith
        key: ca_path
    vars:
      - name: tokensmith_ca_path
  client_cert:
    env:
      - name: TOKENSMITH_CLIENT_CERT
    ini:
      - section: tokensmith
        key: client_cert
    vars:
      - name: tokensmith_client_cert
  client_key:
    env:
      - name: TOKENSMITH_CLIENT_KEY
    ini:
      - section: tokensmith
        key: client_key
    vars:
      - name: tokensmith_client_key
  timeout:
    env:
      - name: TOKENSMITH_TIMEOUT
    ini:
      - section: tokensmith
        key: timeout
    vars:
      - name: tokensmith_timeout
  retries:
    env:
      - name: TOKENSMITH_RETRIES
    ini:
      - section: tokensmith
        key: retries
    vars:
      - name: tokensmith_retries
  use_proxy:
    env:
      - name: TOKENSMITH_USE_PROXY
    ini:
      - section: tokensmith
        key: use_proxy
    vars:
      - name: tokensmith_use_proxy
  allow_plain_http:
    env:
      - name: TOKENSMITH_ALLOW_PLAIN_HTTP
    vars:
      - name: tokensmith_allow_plain_http
'''
