"""The QAPI schema model: entities, type resolution and checks.

Schema(path) reads the files and builds:
  types     name -> Type (builtins, enums, objects, alternates, arrays)
  entities  non-builtin entities in definition order (with module)
  modules   module names in include order (main module last)
"""

from .common import c_name, c_enum_const
from .parser import QAPIError, read_schema, module_name


BUILTINS = [
    # name, introspection json-type, C type
    ('str', 'string', 'char *'),
    ('number', 'number', 'double'),
    ('int', 'int', 'int64_t'),
    ('int8', 'int', 'int8_t'),
    ('int16', 'int', 'int16_t'),
    ('int32', 'int', 'int32_t'),
    ('int64', 'int', 'int64_t'),
    ('uint8', 'int', 'uint8_t'),
    ('uint16', 'int', 'uint16_t'),
    ('uint32', 'int', 'uint32_t'),
    ('uint64', 'int', 'uint64_t'),
    ('size', 'int', 'uint64_t'),
    ('bool', 'boolean', 'bool'),
    ('any', 'value', 'QObject *'),
    ('null', 'null', 'QNull *'),
]

SPECIAL_FEATURES = {'deprecated': 'QAPI_DEPRECATED',
                    'unstable': 'QAPI_UNSTABLE'}


def special_features(features):
    bits = [SPECIAL_FEATURES[f] for f in features if f in SPECIAL_FEATURES]
    return ' | '.join(bits) if bits else '0'


def _features(info, expr):
    out = []
    for f in expr.get('features', []):
        if isinstance(f, dict):
            f = f['name']
        out.append(f)
    return out


class Entity:
    meta = None

    def __init__(self, name, info, module, features=()):
        self.name = name
        self.info = info
        self.module = module
        self.features = list(features)

    def c_name(self):
        return c_name(self.name)

    def is_implicit(self):
        return self.name.startswith('q_')


class Type(Entity):
    def c_type(self):
        return c_name(self.name) + ' *'

    def c_param_type(self):
        return self.c_type()

    def c_unboxed_type(self):
        return c_name(self.name)

    def is_pointer(self):
        return self.c_type().endswith('*')

    def visit_fn(self):
        return 'visit_type_' + self.c_name()

    def c_null(self):
        return 'NULL' if self.is_pointer() else '0'


class BuiltinType(Type):
    meta = 'builtin'

    def __init__(self, name, json_type, ctype):
        super().__init__(name, None, None)
        self.json_type = json_type
        self.ctype = ctype

    def c_type(self):
        return self.ctype

    def c_param_type(self):
        return 'const char *' if self.name == 'str' else self.ctype

    def c_unboxed_type(self):
        return self.ctype

    def alternate_qtype(self):
        return {'string': 'QTYPE_QSTRING', 'number': 'QTYPE_QNUM',
                'int': 'QTYPE_QNUM', 'boolean': 'QTYPE_QBOOL',
                'null': 'QTYPE_QNULL'}.get(self.json_type)

    def intro_name(self):
        return {'string': 'str', 'int': 'int', 'number': 'number',
                'boolean': 'bool', 'null': 'null',
                'value': 'any'}[self.json_type]


class EnumMember:
    def __init__(self, name, features):
        self.name = name
        self.features = features


class EnumType(Type):
    meta = 'enum'

    def __init__(self, name, info, module, members, prefix, features):
        super().__init__(name, info, module, features)
        self.members = members
        self.prefix = prefix

    def c_type(self):
        return c_name(self.name)

    def const(self, value):
        return c_enum_const(self.name, value, self.prefix)

    def max_const(self):
        return c_enum_const(self.name, '_MAX', self.prefix)

    def alternate_qtype(self):
        return 'QTYPE_QSTRING'


class ArrayType(Type):
    meta = 'array'

    def __init__(self, element):
        super().__init__(element.name + 'List', None,
                         element.module)
        self.element = element

    def c_name(self):
        if isinstance(self.element, BuiltinType):
            return self.element.name + 'List'
        return c_name(self.element.name) + 'List'

    def c_type(self):
        return self.c_name() + ' *'

    def c_unboxed_type(self):
        return self.c_name()

    def alternate_qtype(self):
        return 'QTYPE_QLIST'

    def is_implicit(self):
        return False


class Member:
    def __init__(self, name, typeref, optional, features, info):
        self.name = name
        self.typeref = typeref
        self.type = None
        self.optional = optional
        self.features = features
        self.info = info

    def c_name(self):
        return c_name(self.name)


class Variant:
    def __init__(self, name, typeref, info):
        self.name = name
        self.typeref = typeref
        self.type = None
        self.info = info

    def c_name(self):
        return c_name(self.name)


class ObjectType(Type):
    meta = 'object'

    def __init__(self, name, info, module, baseref, members, tag=None,
                 variants=None, features=()):
        super().__init__(name, info, module, features)
        self.baseref = baseref
        self.base = None
        self.local_members = members
        self.tag_name = tag
        self.tag_member = None
        self.variants = variants or []
        self.members = None

    def alternate_qtype(self):
        return 'QTYPE_QDICT'

    def is_empty(self):
        return not self.members and not self.variants


class AlternateType(Type):
    meta = 'alternate'

    def __init__(self, name, info, module, variants, features):
        super().__init__(name, info, module, features)
        self.variants = variants


class Command(Entity):
    meta = 'command'

    def __init__(self, name, info, module, argref, retref, expr, features):
        super().__init__(name, info, module, features)
        self.argref = argref
        self.retref = retref
        self.arg_type = None
        self.ret_type = None
        self.boxed = expr.get('boxed', False)
        self.gen = expr.get('gen', True)
        self.success_response = expr.get('success-response', True)
        self.allow_oob = expr.get('allow-oob', False)
        self.allow_preconfig = expr.get('allow-preconfig', False)


class Event(Entity):
    meta = 'event'

    def __init__(self, name, info, module, argref, expr, features):
        super().__init__(name, info, module, features)
        self.argref = argref
        self.arg_type = None
        self.boxed = expr.get('boxed', False)


class Schema:
    def __init__(self, path):
        self.main_module = module_name(path)
        self.types = {}
        self.entities = []
        self.modules = []
        for name, jt, ct in BUILTINS:
            self.types[name] = BuiltinType(name, jt, ct)
        self.types['q_empty'] = ObjectType('q_empty', None, None, None, [])
        for x in read_schema(path):
            if x.module not in self.modules:
                self.modules.append(x.module)
            self._define(x)
        if self.main_module in self.modules:
            self.modules.remove(self.main_module)
        self.modules.append(self.main_module)
        self._resolve()

    # ---- definition ----

    def _add(self, ent):
        if ent.name in self.types or any(e.name == ent.name and
                                         e.meta == ent.meta
                                         for e in self.entities
                                         if not isinstance(e, Type)):
            raise QAPIError(ent.info, "'%s' is already defined" % ent.name)
        if isinstance(ent, Type):
            self.types[ent.name] = ent
        self.entities.append(ent)

    def _members(self, info, data):
        out = []
        for key, val in data.items():
            optional = key.startswith('*')
            name = key[1:] if optional else key
            features = []
            if isinstance(val, dict) and 'type' in val:
                features = _features(info, val)
                val = val['type']
            out.append(Member(name, val, optional, features, info))
        return out

    def _implicit(self, name, info, module, data):
        obj = ObjectType(name, info, module, None,
                         self._members(info, data))
        self._add(obj)
        return name

    ALLOWED = {
        'enum': {'data', 'prefix'},
        'struct': {'data', 'base'},
        'union': {'data', 'base', 'discriminator'},
        'alternate': {'data'},
        'command': {'data', 'returns', 'boxed', 'gen', 'success-response',
                    'allow-oob', 'allow-preconfig', 'coroutine'},
        'event': {'data', 'boxed'},
    }

    def _check_keys(self, info, e):
        kinds = [k for k in self.ALLOWED if k in e]
        if len(kinds) != 1:
            raise QAPIError(info, 'expression must have exactly one of %s'
                            % ', '.join(self.ALLOWED))
        extra = set(e) - self.ALLOWED[kinds[0]] - {kinds[0], 'if',
                                                   'features'}
        if extra:
            raise QAPIError(info, "%s '%s' has unknown key(s) %s"
                            % (kinds[0], e[kinds[0]],
                               ', '.join(sorted(extra))))

    def _define(self, x):
        e, info, mod = x.expr, x.info, x.module
        self._check_keys(info, e)
        feats = _features(info, e)
        if 'enum' in e:
            members = []
            for m in e['data']:
                if isinstance(m, dict):
                    members.append(EnumMember(m['name'], _features(info, m)))
                else:
                    members.append(EnumMember(m, []))
            self._add(EnumType(e['enum'], info, mod, members,
                               e.get('prefix'), feats))
        elif 'struct' in e:
            self._add(ObjectType(e['struct'], info, mod, e.get('base'),
                                 self._members(info, e.get('data', {})),
                                 features=feats))
        elif 'union' in e:
            name = e['union']
            base = e.get('base')
            if isinstance(base, dict):
                base = self._implicit('q_obj_%s-base' % name, info, mod,
                                      base)
            variants = []
            for k, v in e['data'].items():
                if isinstance(v, dict):
                    v = v['type']
                variants.append(Variant(k, v, info))
            self._add(ObjectType(name, info, mod, base, [],
                                 e['discriminator'], variants, feats))
        elif 'alternate' in e:
            variants = []
            for k, v in e['data'].items():
                if isinstance(v, dict):
                    v = v['type']
                variants.append(Variant(k, v, info))
            self._add(AlternateType(e['alternate'], info, mod, variants,
                                    feats))
        elif 'command' in e:
            name = e['command']
            data = e.get('data')
            if isinstance(data, dict):
                data = self._implicit('q_obj_%s-arg' % name, info, mod,
                                      data) if data else None
            self._add(Command(name, info, mod, data, e.get('returns'), e,
                              feats))
        elif 'event' in e:
            name = e['event']
            data = e.get('data')
            if isinstance(data, dict):
                data = self._implicit('q_obj_%s-arg' % name, info, mod,
                                      data) if data else None
            self._add(Event(name, info, mod, data, e, feats))
        else:
            raise QAPIError(info, 'unknown expression kind')

    # ---- resolution ----

    def lookup(self, ref, info):
        if isinstance(ref, list):
            elem = self.lookup(ref[0], info)
            name = elem.name + 'List'
            if name not in self.types:
                self.types[name] = ArrayType(elem)
            return self.types[name]
        if ref not in self.types:
            raise QAPIError(info, "unknown type '%s'" % ref)
        return self.types[ref]

    def _resolve_object(self, obj, stack=()):
        if obj.members is not None:
            return
        if obj.name in stack:
            raise QAPIError(obj.info, "object '%s' contains itself"
                            % obj.name)
        members = []
        if obj.baseref:
            obj.base = self.lookup(obj.baseref, obj.info)
            if not isinstance(obj.base, ObjectType) or obj.base.variants:
                raise QAPIError(obj.info, "base of '%s' must be a struct"
                                % obj.name)
            self._resolve_object(obj.base, stack + (obj.name,))
            members += obj.base.members
        for m in obj.local_members:
            m.type = self.lookup(m.typeref, m.info)
        members += obj.local_members
        seen = set()
        for m in members:
            if m.name in seen:
                raise QAPIError(obj.info, "member '%s' collides"
                                % m.name)
            seen.add(m.name)
        obj.members = members
        if obj.tag_name:
            tags = [m for m in members if m.name == obj.tag_name]
            if not tags or not isinstance(tags[0].type, EnumType) \
               or tags[0].optional:
                raise QAPIError(obj.info, "discriminator '%s' must be a "
                                "required enum member" % obj.tag_name)
            obj.tag_member = tags[0]
            values = [v.name for v in obj.tag_member.type.members]
            for v in obj.variants:
                if v.name not in values:
                    raise QAPIError(obj.info, "branch '%s' is not a value "
                                    "of %s" % (v.name,
                                               obj.tag_member.type.name))
                v.type = self.lookup(v.typeref, v.info)
                if not isinstance(v.type, ObjectType):
                    raise QAPIError(obj.info, "branch '%s' must be an "
                                    "object type" % v.name)
                self._resolve_object(v.type)

    def _resolve(self):
        for ent in list(self.entities):
            if isinstance(ent, ObjectType):
                self._resolve_object(ent)
            elif isinstance(ent, AlternateType):
                qtypes = set()
                for v in ent.variants:
                    v.type = self.lookup(v.typeref, v.info)
                    if isinstance(v.type, ObjectType):
                        self._resolve_object(v.type)
                    q = v.type.alternate_qtype()
                    if q is None or q in qtypes:
                        raise QAPIError(ent.info, "alternate '%s' branch "
                                        "'%s' is ambiguous or invalid"
                                        % (ent.name, v.name))
                    qtypes.add(q)
            elif isinstance(ent, (Command, Event)):
                if ent.argref:
                    ent.arg_type = self.lookup(ent.argref, ent.info)
                    if isinstance(ent.arg_type, ObjectType):
                        self._resolve_object(ent.arg_type)
                if isinstance(ent, Command) and ent.retref:
                    ent.ret_type = self.lookup(ent.retref, ent.info)
        self.types['q_empty'].members = []

    # ---- queries for generators ----

    def module_entities(self, module):
        return [e for e in self.entities if e.module == module]

    def arrays_of_module(self, module):
        return [t for t in self.types.values()
                if isinstance(t, ArrayType) and t.module == module]

    def builtin_arrays(self):
        out = []
        for name, jt, ct in BUILTINS:
            out.append(self.lookup([name], None))
        return out

    def commands(self):
        return [e for e in self.entities if isinstance(e, Command)]

    def events(self):
        return [e for e in self.entities if isinstance(e, Event)]
