# -*- coding: utf-8 -*-
# Copyright (c) tokensmith.auth contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What AWX does with a custom credential type, for the tests: its validation rules and its env injection.

Test-only; never shipped. Written after AWX's own code (awx/main/fields.py CredentialTypeInputField and
CredentialTypeInjectorField, awx/main/models/credential.py CredentialType.inject_credential, and
awx/main/constants.py ENV_BLOCKLIST): the JSON schemas, the extra checks, the sandboxed Jinja rendering.
"""

import glob
import os
import re

import yaml
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TYPES_DIR = os.path.join(ROOT, 'extensions', 'awx', 'credential_types')

ENV_BLOCKLIST = frozenset((
    'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID', 'INVENTORY_UPDATE_ID',
    'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES', 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION',
    'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS', 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH'))

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
    sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind, injector in injectors.items():
        for key, template in (injector.items() if isinstance(injector, dict) else []):
            if kind == 'env' and (key.startswith('ANSIBLE_') or key in ENV_BLOCKLIST):
                errors.append('environment variable %s is not allowed in credentials' % key)
            try:
                sandbox.from_string(template).render(namespace)
            except (UndefinedError, SecurityError, TemplateSyntaxError) as err:
                errors.append('%s uses an undefined field or unsafe code (%s)' % (key, err))
    return errors


def inject_env(credential_type, inputs):
    """The job environment AWX builds from a credential of this type, and the safe copy it stores (secrets
    replaced), as CredentialType.inject_credential does for env injectors."""
    secret_fields = set(field['id'] for field in credential_type['inputs']['fields'] if field.get('secret'))
    namespace, safe_namespace = {}, {}
    for name, value in inputs.items():
        if value:
            namespace[name] = value
            safe_namespace[name] = '**********' if name in secret_fields else value
    sandbox = ImmutableSandboxedEnvironment()
    env, safe_env = {}, {}
    for name, template in credential_type['injectors'].get('env', {}).items():
        env[name] = sandbox.from_string(template).render(**namespace)
        safe_env[name] = sandbox.from_string(template).render(**safe_namespace)
    return env, safe_env


def build_safe_env(env):
    """The job environment AWX stores and shows (job_env), as awx/main/models/credential.py build_safe_env hides it."""
    hidden_re = re.compile(r'API|TOKEN|KEY|SECRET|PASS', re.I)
    urlpass_re = re.compile(r'^.*?://[^:]+:(.*?)@.*?$')
    safe_env = dict(env)
    for key, value in safe_env.items():
        if key == 'AWS_ACCESS_KEY_ID':
            continue
        if key.startswith('ANSIBLE_') and not key.startswith('ANSIBLE_NET') and not key.startswith('ANSIBLE_GALAXY_SERVER'):
            continue
        if hidden_re.search(key):
            safe_env[key] = '$encrypted$'
        elif isinstance(value, str) and urlpass_re.match(value):
            safe_env[key] = urlpass_re.sub('$encrypted$', value)
    return safe_env
