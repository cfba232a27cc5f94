# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What AWX does with a custom credential type, for the tests: its validation rules and its env injection.

Test-only; never shipped. The injection is AWX's own code (awx-plugins.interfaces from PyPI, which AWX imports). The
validation is not in that package: it is written after awx/main/fields.py (CredentialTypeInputField and
CredentialTypeInjectorField): the JSON schemas, the extra checks, the templates rendered against every field and the
reserved tower namespace.
"""

import glob
import os
import types

import yaml
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from awx_plugins.interfaces._temporary_private_api import ManagedCredentialType
from awx_plugins.interfaces._temporary_private_credential_api import Credential
from awx_plugins.interfaces._temporary_private_inject_api import ENV_BLOCKLIST, build_safe_env, inject_credential

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TYPES_DIR = os.path.join(ROOT, 'extensions', 'awx', 'credential_types')

INPUTS_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'required': {'type': 'array', 'items': {'type': 'string'}},
        'fields': {
            'type': 'array',
            'items': {
                'type': 'object',
                'properties': {
                    'type': {'enum': ['string', 'boolean']},
                    'format': {'enum': ['ssh_private_key', 'url']},
                    'choices': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}, 'uniqueItems': True},
                    'id': {'type': 'string', 'pattern': '^[a-zA-Z_]+[a-zA-Z0-9_]*$'},
                    'label': {'type': 'string'},
                    'help_text': {'type': 'string'},
                    'multiline': {'type': 'boolean'},
                    'secret': {'type': 'boolean'},
                    'ask_at_runtime': {'type': 'boolean'},
                    'default': {},
                },
                'additionalProperties': False,
                'required': ['id', 'label'],
            },
        },
    },
}

INJECTORS_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'file': {
            'type': 'object',
            'patternProperties': {r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$': {'type': 'string'}},
            'additionalProperties': False,
        },
        'env': {
            'type': 'object',
            'patternProperties': {'^[a-zA-Z_]+[a-zA-Z0-9_]*$': {'type': 'string', 'pattern': '^[\x00-\x7F]*$'}},
            'additionalProperties': False,
        },
        'extra_vars': {
            'type': 'object',
            'patternProperties': {r'^[a-zA-Z_\{\}]+[a-zA-Z0-9_\{\}]*$': {
                'anyOf': [{'type': 'string'}, {'type': 'array'}, {'$ref': '#/properties/extra_vars'}]}},
            'additionalProperties': False,
        },
    },
}


def load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def shipped():
    """Every credential type the collection ships, by file name."""
    return dict((os.path.basename(path), load(path)) for path in sorted(glob.glob(os.path.join(TYPES_DIR, '*.yml'))))


class _NoUnnamedFile(types.SimpleNamespace):
    def __str__(self):
        raise UndefinedError('Must define unnamed file injector in order to reference `tower.filename`.')


def _tower_namespace(files):
    """AWX's tower namespace for validation: tower.filename names the one unnamed file, or tower.filename.NAME each
    named one; tower.filename alone without an unnamed file is an error."""
    names = [name for name in files if name.startswith('template')]
    if 'template' in names:
        return types.SimpleNamespace(filename='EXAMPLE_FILENAME')
    return types.SimpleNamespace(filename=_NoUnnamedFile(**dict((name.split('.')[1], 'EXAMPLE_FILENAME')
                                                                for name in names)))


def validate(credential_type):
    """The errors AWX would report for this custom credential type (an empty list when it would accept it)."""
    import jsonschema  # pylint: disable=import-outside-toplevel  # only the unit tests validate
    errors = []
    if not isinstance(credential_type.get('name'), str) or not credential_type['name']:
        errors.append('name is required')
    if credential_type.get('kind') not in ('cloud', 'net'):
        errors.append('kind must be cloud or net for a custom credential type')
    inputs = credential_type.get('inputs') or {}
    injectors = credential_type.get('injectors') or {}
    for schema, value, what in ((INPUTS_SCHEMA, inputs, 'inputs'), (INJECTORS_SCHEMA, injectors, 'injectors')):
        for error in jsonschema.Draft4Validator(schema).iter_errors(value):
            errors.append('%s: %s' % (what, error.message))
    if 'dependencies' in inputs:
        errors.append("'dependencies' is not supported for custom credentials")
    ids = []
    for field in inputs.get('fields', []):
        if field.get('id') == 'tower':
            errors.append('"tower" is a reserved field name')
        if field.get('id') in ids:
            errors.append('field IDs must be unique (%s)' % field.get('id'))
        ids.append(field.get('id'))
        kind = field.get('type', 'string')
        # exactly the type, as AWX checks it (a boolean is not a string, and True is not 1)
        if 'default' in field and field['default'].__class__ is not {'string': str, 'boolean': bool}[kind]:
            errors.append('%s is not a %s' % (field['default'], kind))
        for key in ('choices', 'multiline', 'format', 'secret'):
            if key in field and kind != 'string':
                errors.append('%s not allowed for %s type (%s)' % (key, kind, field.get('id')))
    for required in inputs.get('required', []):
        if required not in ids:
            errors.append('required field %s is not defined' % required)
    namespace = dict((field_id, 'EXAMPLE') for field_id in ids)
    namespace['tower'] = _tower_namespace(injectors.get('file', {}))
    sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined)

    def check(key, template):
        try:
            sandbox.from_string(template).render(namespace)
        except (UndefinedError, SecurityError, TemplateSyntaxError) as err:
            errors.append('%s uses an undefined field or unsafe code (%s)' % (key, err))

    def check_extra_vars(key, node):  # keys are templates too, at every level
        if isinstance(node, dict):
            for name, value in node.items():
                check('a key' if key is None else key, name)
                check_extra_vars(name if key is None else '%s.%s' % (key, name), value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                check_extra_vars('%s[%d]' % (key, index), value)
        else:
            check(key, node)

    for kind, injector in injectors.items():
        if kind == 'extra_vars':
            check_extra_vars(None, injector)
            continue
        for key, template in (injector.items() if isinstance(injector, dict) else []):
            if kind == 'env' and (key.startswith('ANSIBLE_') or key in ENV_BLOCKLIST):
                errors.append('environment variable %s is not allowed in credentials' % key)
            check(key, template)
    return errors


def job_environment(credential_type, inputs, private_data_dir, base_env=None):
    """What AWX gives a job from a credential of this type, by AWX's own injection code (awx-plugins.interfaces, as
    awx/main/tasks/jobs.py runs it): the job's environment, the environment AWX stores and shows (job_env: the base
    environment hidden by its variables' names, then the credential's safe copy over it) and the extra arguments."""
    os.makedirs(os.path.join(private_data_dir, 'env'), exist_ok=True)
    env = dict(base_env or {})
    stored = build_safe_env(env)
    safe_credential_env, args = {}, []
    managed = ManagedCredentialType(namespace='tokensmith', name=credential_type['name'], kind=credential_type['kind'],
                                    inputs=credential_type['inputs'], injectors=credential_type['injectors'])
    inject_credential(managed, Credential(inputs), env, safe_credential_env, args, private_data_dir)
    stored.update(safe_credential_env)
    return env, stored, args


def host_path(container_path, private_data_dir):
    """The file behind a path AWX gives the job (it mounts the private data directory at /runner)."""
    return os.path.join(private_data_dir, os.path.relpath(container_path, '/runner'))
