# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX credential plugins as a controller gets them (test-only; never shipped; the awx_credential_plugins target):

    python plugins.py run CONFIG SCRATCH      # build the wheel, install it into each AWX venv, check it there, remove it
    python plugins.py check CONFIG SCRATCH    # (in an AWX venv) entry points, drift, backends, failures, injection
    python plugins.py hang CONFIG SCRATCH     # (in an AWX venv) a provider that never answers: the call's bound

CONFIG is the integration configuration (the emulator, the test credentials, awx_venvs: the controllers' application
virtualenvs, tests/requirements/awx-*.txt). What a failure showed (its text and formatted traceback) goes to
SCRATCH/<venv>.shown for the target's leak check; the figures go to stdout.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
COLLECTION = os.path.dirname(os.path.dirname(HERE))
PACKAGE = os.path.join(COLLECTION, 'extensions', 'awx', 'credential_plugins')
DISTRIBUTION = 'tokensmith-awx-credential-plugins'
GROUPS = ('awx.credential_plugins', 'awx_plugins.credentials')
NAMES = ('tokensmith_nexla', 'tokensmith_nuvy', 'tokensmith_nexus')


# A controller's process: nothing of this test run's Python path (ansible-test's, which finds ansible-core).
CONTROLLER_ENV = dict((name, value) for name, value in os.environ.items() if name != 'PYTHONPATH')


def _python(venv, *args):
    return [os.path.join(venv, 'bin', 'python')] + list(args)


def _pip(venv, *args):
    subprocess.check_call(_python(venv, '-m', 'pip', '--disable-pip-version-check', '-q', *args), env=CONTROLLER_ENV)


def run(config_path, scratch):
    """The whole proof, one venv after another (the emulator's counters are shared); the never-answering provider
    in every venv at once, meanwhile."""
    with open(config_path) as handle:
        venvs = json.load(handle)['awx_venvs']
    wheels = os.path.join(scratch, 'wheel')
    started = time.monotonic()
    # The README's one build step, with the newest venv's pip (setuptools comes from PyPI, in pip's build isolation).
    _pip(venvs['awx-current'], 'wheel', '--no-deps', PACKAGE, '-w', wheels)
    wheel = os.path.join(wheels, [name for name in os.listdir(wheels) if name.endswith('.whl')][0])
    print('built %s in %.1f s' % (os.path.basename(wheel), time.monotonic() - started), flush=True)
    try:
        for venv in venvs.values():
            _pip(venv, 'install', '--no-deps', '--force-reinstall', wheel)
        hangs = dict((name, subprocess.Popen(_python(venv, __file__, 'hang', config_path, os.path.join(scratch, name)),
                                             env=CONTROLLER_ENV))
                     for name, venv in venvs.items())
        try:
            for name, venv in venvs.items():
                subprocess.check_call(_python(venv, __file__, 'check', config_path, os.path.join(scratch, name)),
                                      env=CONTROLLER_ENV)
        finally:
            failed = [name for name, process in hangs.items() if process.wait() != 0]
        if failed:
            raise SystemExit('%s: the never-answering provider check failed' % ', '.join(failed))
    finally:
        for venv in venvs.values():
            subprocess.call(_python(venv, '-m', 'pip', '-q', 'uninstall', '-y', DISTRIBUTION), env=CONTROLLER_ENV)


def _plugins():
    """Every plugin of both groups, through importlib.metadata as AWX loads them; the same objects in both."""
    from importlib.metadata import entry_points  # pylint: disable=import-outside-toplevel
    loaded = {}
    for group in GROUPS:
        found = dict((entry.name, entry.load()) for entry in entry_points(group=group))
        assert tuple(sorted(found)) == tuple(sorted(NAMES)), (group, sorted(found))
        loaded[group] = found
    assert all(loaded[GROUPS[0]][name] is loaded[GROUPS[1]][name] for name in NAMES)
    heavy = sorted(name for name in sys.modules if name.split('.')[0] in ('requests', 'urllib3', 'ansible_collections'))
    assert not heavy, 'importing the plugins imported %s' % heavy
    plugins = loaded[GROUPS[0]]
    assert len(set(plugin.name for plugin in plugins.values())) == 3
    return plugins


class Check:
    def __init__(self, config_path, out):
        sys.path[:0] = [HERE, os.path.join(COLLECTION, 'tests')]
        with open(config_path) as handle:
            self.config = json.load(handle)
        self.out = out
        with open(self.config['emulator_ca']) as handle:
            self.ca_cert = handle.read()
        self.url = self.config['emulator_url']
        # A Nexus instance of this venv's own (the emulator keys user tokens by instance), so its user has no token.
        self.nexus_url = '%s/nxrm/3.70.%d' % (self.url, sys.version_info[1])

    def inputs(self, name, **more):
        config = self.config
        given = {
            'tokensmith_nexla': dict(url=self.url + '/nexla-api', service_key=config['test_nexla_service_key']),
            'tokensmith_nuvy': dict(url=self.url + '/nexus/oauth2/token', client_id=config['test_nuvy_client_id'],
                                    client_secret=config['test_nuvy_client_secret'], scope='', auth_method='auto'),
            'tokensmith_nexus': dict(url=self.nexus_url, username=config['test_nexus_username'],
                                     password=config['test_nexus_password'], api_version='auto'),
        }[name]
        given.update(ca_cert=self.ca_cert, allow_plain_http=False)
        given.update(more)
        return given

    def emulator(self, path):
        from emulator.cli import control_at  # pylint: disable=import-outside-toplevel,import-error
        return control_at(self.url, self.config['emulator_ca'], path)

    def record(self, err):
        """What AWX keeps of a failure: str(exc) in the job, the whole formatted traceback, for the leak check."""
        with open(self.out + '.shown', 'a') as handle:
            handle.write(str(err) + '\n' + ''.join(traceback.format_exception(type(err), err, err.__traceback__)))


def check(config_path, out):
    # Before anything imports requests: loading the plugins must not.
    plugins = _plugins()
    import importlib.util  # pylint: disable=import-outside-toplevel
    found = importlib.util.find_spec('ansible')
    assert found is None, 'this controller venv must not have ansible-core (%s)' % found.origin
    import requests  # pylint: disable=import-outside-toplevel
    import urllib3  # pylint: disable=import-outside-toplevel
    checker = Check(config_path, out)
    print('%s: Python %d.%d, requests %s, urllib3 %s' % (os.path.basename(out), sys.version_info[0],
                                                         sys.version_info[1], requests.__version__, urllib3.__version__))
    _drift()
    tokens = _backends(plugins, checker)
    _failures(plugins, checker)
    _injection(tokens, out)


def _drift():
    """The wheel's copy of the collection's code is plugins/module_utils, byte for byte."""
    import tokensmith_awx  # pylint: disable=import-outside-toplevel,import-error
    copy = os.path.join(os.path.dirname(tokensmith_awx.__file__), '_collection', 'ansible_collections', 'tokensmith',
                        'auth', 'plugins', 'module_utils')
    names = sorted(name for name in os.listdir(copy) if name.endswith('.py'))
    for name in names:
        with open(os.path.join(copy, name), 'rb') as installed, \
                open(os.path.join(COLLECTION, 'plugins', 'module_utils', name), 'rb') as source:
            assert installed.read() == source.read(), '%s differs from plugins/module_utils' % name
    print('  the wheel carries %d files of plugins/module_utils, byte-identical' % len(names))


def _counted(checker, counter, call):
    before = checker.emulator('counters').get(counter, 0)
    started = time.monotonic()
    value = call()
    return value, checker.emulator('counters').get(counter, 0) - before, time.monotonic() - started


def _backends(plugins, checker):
    """Each backend over TLS with the private CA as PEM text: the token the emulator issued, one request a call."""
    tokens = {}
    for name, counter in (('tokensmith_nexla', 'nexla.token'), ('tokensmith_nuvy', 'nuvy.token')):
        token, requests, took = _counted(checker, counter, lambda: plugins[name].backend(
            **checker.inputs(name, output='token', description='stored by AWX, unknown to the plugin')))
        assert token in checker.emulator('issued') and requests == 1, (name, requests)
        tokens[name] = token
        print('  %s: the issued token, %d token request, %.2f s' % (name, requests, took))
    # Two linked fields, two calls: the first creates the user's token (NXRM 3.24+: a read, then the creation).
    nexus = plugins['tokensmith_nexus'].backend
    name_code, created, _took = _counted(checker, 'nexus.token',
                                         lambda: nexus(**checker.inputs('tokensmith_nexus', output='name_code')))
    pass_code, read, took = _counted(checker, 'nexus.token',
                                     lambda: nexus(**checker.inputs('tokensmith_nexus', output='pass_code')))
    assert (created, read) == (2, 1), (created, read)
    assert pass_code in checker.emulator('issued')
    again = nexus(**checker.inputs('tokensmith_nexus', output='name_code'))
    assert again == name_code, 'two linked fields got two different tokens'
    tokens['tokensmith_nexus'] = (name_code, pass_code)
    print('  tokensmith_nexus: one pair for both fields (%d + %d token requests), %.2f s' % (created, read, took))
    return tokens


def _failures(plugins, checker):
    """A wrong secret: an exception whose class names the problem; what AWX keeps of it goes to the leak check."""
    for name, secret in (('tokensmith_nexla', 'service_key'), ('tokensmith_nuvy', 'client_secret'),
                         ('tokensmith_nexus', 'password')):
        try:
            plugins[name].backend(**checker.inputs(name, output='pass_code' if name == 'tokensmith_nexus' else 'token',
                                                   **{secret: 'wrong-Secret-99'}))
        except Exception as err:  # pylint: disable=broad-except
            assert type(err).__name__ == 'CredentialsRejected', (name, type(err).__name__, str(err))
            assert err.__cause__ is None and err.__suppress_context__, 'a chained exception would be stored too'
            checker.record(err)
        else:
            raise AssertionError('%s accepted a wrong secret' % name)
    try:
        plugins['tokensmith_nuvy'].backend(**checker.inputs('tokensmith_nuvy', output='token', ca_cert=''))
    except Exception as err:  # pylint: disable=broad-except
        assert type(err).__name__ == 'CertificateNotTrusted', type(err).__name__
        checker.record(err)
    print('  a wrong secret: CredentialsRejected; an unknown CA: CertificateNotTrusted')


def _injection(tokens, out):
    """The tokens through the shipped token-only types, by AWX's own injection code: the job gets them, the
    environment AWX stores does not."""
    import yaml  # pylint: disable=import-outside-toplevel
    from credential_types import host_path, job_environment, shipped  # pylint: disable=import-outside-toplevel,import-error
    types = shipped()
    name_code, pass_code = tokens['tokensmith_nexus']
    for type_name, inputs in (('nexla_token.yml', dict(access_token=tokens['tokensmith_nexla'])),
                              ('nuvy_token.yml', dict(access_token=tokens['tokensmith_nuvy'])),
                              ('nexus_user_token.yml', dict(name_code=name_code, pass_code=pass_code))):
        private_data_dir = out + '-' + type_name.split('.', maxsplit=1)[0]
        env, stored, args = job_environment(types[type_name], inputs, private_data_dir,
                                            base_env=dict(HOME='/runner'))
        with open(host_path(args[1][1:], private_data_dir)) as handle:
            given = yaml.safe_dump(yaml.safe_load(handle))
        for value in inputs.values():
            assert value in given and value not in json.dumps(stored) + json.dumps(env), type_name
        with open(out + '.job_env', 'a') as handle:  # the leak check reads it too
            json.dump(stored, handle)
    print('  rendered into the token-only types by inject_credential; the stored job environment holds none')


def hang(config_path, out):
    """A provider that accepts the connection and never answers (not even the TLS handshake): the call ends within
    the documented bound, with an exception that says so."""
    plugins = _plugins()
    import tokensmith_awx  # pylint: disable=import-outside-toplevel,import-error
    checker = Check(config_path, out)
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(16)
    held = []
    threading.Thread(target=lambda: [held.append(listener.accept()) for _index in range(16)], daemon=True).start()
    url = 'https://127.0.0.1:%d/nexla-api' % listener.getsockname()[1]
    started = time.monotonic()
    took, kind = None, None
    try:
        plugins['tokensmith_nexla'].backend(**checker.inputs('tokensmith_nexla', url=url, output='token'))
    except Exception as err:  # pylint: disable=broad-except
        took, kind = time.monotonic() - started, type(err).__name__
        assert kind in ('ProviderUnreachable', 'ProviderTimedOut'), (kind, str(err))
        checker.record(err)
    else:
        raise AssertionError('a provider that never answers gave a token')
    # The bound is the plugin's own thread join; the margin is for a loaded machine's scheduling only.
    assert took <= tokensmith_awx.TOTAL_SECONDS + 5, took
    print('%s: a provider that never answers: %s after %.1f s (%d connections held; bound %d s)'
          % (os.path.basename(out), kind, took, len(held), tokensmith_awx.TOTAL_SECONDS))


def main(argv):
    action, arguments = argv[0], argv[1:]
    {'run': run, 'check': check, 'hang': hang}[action](*arguments)


if __name__ == '__main__':
    main(sys.argv[1:])
