#!/usr/bin/env python3
"""Validate JSON bodies against a schema of an OpenAPI document.

usage: validate.py SPEC CASES
  SPEC   hcloud-openapi.json (OpenAPI 3.0) or resend-openapi.yaml (3.1)
  CASES  a JSON file: [{"name": ..., "schema": "<components.schemas key>",
         "body": <JSON>}, ...]
Prints one line per case: "ok <name>" or "not ok <name>: <reason>".
Exit 0 when every case is valid.

$refs are resolved inside the document; OpenAPI 3.0 "nullable" becomes a
JSON-schema null alternative.  One deliberate change to the Hetzner spec:
servers lost "datacenter" on 2026-07-01 (Hetzner's changelog), after the
spec was taken, so it is no longer required.
"""
import json
import sys

import jsonschema


def load(path):
    with open(path) as f:
        if path.endswith(('.yaml', '.yml')):
            import yaml
            return yaml.safe_load(f)
        return json.load(f)


def resolve(node, doc, depth=0):
    if depth > 60:
        raise RecursionError('schema nesting too deep')
    if isinstance(node, list):
        return [resolve(x, doc, depth + 1) for x in node]
    if not isinstance(node, dict):
        return node
    if '$ref' in node:
        target = doc
        for part in node['$ref'].lstrip('#/').split('/'):
            target = target[part]
        rest = {k: v for k, v in node.items() if k != '$ref'}
        out = resolve(target, doc, depth + 1)
        if rest:
            out = {'allOf': [out, resolve(rest, doc, depth + 1)]}
        return out
    out = {k: resolve(v, doc, depth + 1) for k, v in node.items()
           if k not in ('example', 'examples', 'discriminator', 'xml')}
    if out.pop('nullable', False):
        out = {'anyOf': [{'type': 'null'}, out]}
    return out


def main():
    spec = load(sys.argv[1])
    cases = load(sys.argv[2])
    schemas = spec['components']['schemas']
    if 'server' in schemas:
        req = schemas['server'].get('required', [])
        schemas['server']['required'] = [r for r in req if r != 'datacenter']
    v31 = str(spec.get('openapi', '')).startswith('3.1')
    cls = jsonschema.Draft202012Validator if v31 else jsonschema.Draft7Validator
    bad = 0
    for c in cases:
        try:
            schema = resolve(schemas[c['schema']], spec)
            errs = sorted(cls(schema).iter_errors(c['body']),
                          key=lambda e: list(e.path))
        except Exception as e:  # a broken case is a failed case
            errs = [e]
        if errs:
            bad += 1
            e = errs[0]
            where = '/'.join(str(p) for p in getattr(e, 'path', []))
            print('not ok %s: %s at /%s' % (c['name'],
                  getattr(e, 'message', str(e))[:300], where))
        else:
            print('ok %s' % c['name'])
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
