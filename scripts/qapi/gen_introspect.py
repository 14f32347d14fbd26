"""qapi-introspect.[ch]: the query-qmp-schema reply as JSON text.

Shape follows QEMU's SchemaInfo: commands and events in definition
order, then every type they reach.  Names of non-builtin types are
replaced by numbers in order of first reference ("0", "1", ...), arrays
are "[N]"; all integer builtins appear as "int".  Commands and events
without arguments use the empty object type.
"""

import json

from .common import c_name, c_str
from .schema import (BuiltinType, EnumType, ObjectType, AlternateType,
                     ArrayType, Command, Event)


class Introspect:
    def __init__(self, schema):
        self.schema = schema
        self.names = {}             # type name -> masked name
        self.queue = []             # types to describe, in order
        self.builtins = []

    def name(self, t):
        if t is None:
            t = self.schema.types['q_empty']
        if isinstance(t, BuiltinType):
            n = t.intro_name()
            if n not in self.builtins:
                self.builtins.append(n)
            return n
        if isinstance(t, ArrayType):
            n = '[%s]' % self.name(t.element)
            if t.name not in self.names:
                self.names[t.name] = n
                self.queue.append(t)
            return n
        if t.name not in self.names:
            self.names[t.name] = str(sum(1 for k, v in self.names.items()
                                         if not v.startswith('[')))
            self.queue.append(t)
        return self.names[t.name]

    @staticmethod
    def _feats(entry, features):
        if features:
            entry['features'] = list(features)
        return entry

    def describe(self, t):
        if isinstance(t, ArrayType):
            return {'name': self.name(t), 'meta-type': 'array',
                    'element-type': self.name(t.element)}
        if isinstance(t, EnumType):
            return self._feats({
                'name': self.name(t), 'meta-type': 'enum',
                'members': [self._feats({'name': m.name}, m.features)
                            for m in t.members],
                'values': [m.name for m in t.members]}, t.features)
        if isinstance(t, AlternateType):
            return self._feats({
                'name': self.name(t), 'meta-type': 'alternate',
                'members': [{'type': self.name(v.type)}
                            for v in t.variants]}, t.features)
        members = []
        for m in t.members:
            d = {'name': m.name}
            if m.optional:
                d['default'] = None
            d['type'] = self.name(m.type)
            members.append(self._feats(d, m.features))
        e = {'name': self.name(t), 'meta-type': 'object',
             'members': members}
        if t.variants:
            # declared branches first, then every other tag value with
            # the empty object type (as QEMU 7.2 lists them)
            declared = [v.name for v in t.variants]
            e['tag'] = t.tag_name
            e['variants'] = [{'case': v.name, 'type': self.name(v.type)}
                             for v in t.variants]
            e['variants'] += [{'case': m.name, 'type': self.name(None)}
                              for m in t.tag_member.type.members
                              if m.name not in declared]
        return self._feats(e, t.features)

    def build(self):
        out = []
        for e in self.schema.entities:
            if isinstance(e, Command):
                d = {'name': e.name, 'meta-type': 'command',
                     'arg-type': self.name(e.arg_type),
                     'ret-type': self.name(e.ret_type)}
                if e.allow_oob:
                    d['allow-oob'] = True
                out.append(self._feats(d, e.features))
            elif isinstance(e, Event):
                out.append(self._feats({'name': e.name,
                                        'meta-type': 'event',
                                        'arg-type': self.name(e.arg_type)},
                                       e.features))
        types = []
        i = 0
        while i < len(self.queue):
            types.append(self.describe(self.queue[i]))
            i += 1

        def key(d):
            n = d['name'].strip('[]')
            num = int(n) if n.isdigit() else 1 << 30
            return (num, 0 if d['name'].startswith('[') else 1)
        types.sort(key=key)
        out += types
        for b in self.builtins:
            jt = {'str': 'string', 'int': 'int', 'number': 'number',
                  'bool': 'boolean', 'null': 'null', 'any': 'value'}[b]
            out.append({'name': b, 'meta-type': 'builtin', 'json-type': jt})
        return out


def gen_introspect(schema, prefix):
    cp = c_name(prefix, False)
    data = Introspect(schema).build()
    text = json.dumps(data, separators=(',', ':'))
    h = ('/* JSON text of the query-qmp-schema reply (a list). */\n'
         'extern const char %sqmp_schema_json[];\n' % cp)
    c = 'const char %sqmp_schema_json[] =\n' % cp
    for i in range(0, len(text), 70):
        c += '    %s\n' % c_str(text[i:i + 70])
    c += '    ;\n'
    return h, c
