"""qapi-types-MODULE.[ch]: C types, enum lookup tables, qapi_free_*()."""

from .common import c_name, c_str
from .schema import (ObjectType, EnumType, AlternateType, ArrayType,
                     BuiltinType, special_features)


def gen_enum_decl(t):
    out = 'typedef enum %s {\n' % t.c_name()
    for m in t.members:
        out += '    %s,\n' % t.const(m.name)
    out += '    %s,\n} %s;\n\n' % (t.max_const(), t.c_name())
    out += '#define %s_str(val) \\\n    qapi_enum_lookup(&%s_lookup, (val))\n' \
        % (t.c_name(), t.c_name())
    out += 'extern const QEnumLookup %s_lookup;\n\n' % t.c_name()
    return out


def gen_enum_lookup(t):
    out = 'const QEnumLookup %s_lookup = {\n' % t.c_name()
    out += '    .array = (const char *const[]) {\n'
    for m in t.members:
        out += '        [%s] = %s,\n' % (t.const(m.name), c_str(m.name))
    out += '    },\n'
    feats = [(m, special_features(m.features)) for m in t.members]
    feats = [(m, f) for m, f in feats if f != '0']
    if feats:
        out += '    .special_features = (const unsigned char[%s]) {\n' \
            % t.max_const()
        for m, f in feats:
            out += '        [%s] = %s,\n' % (t.const(m.name), f)
        out += '    },\n'
    out += '    .size = %s\n};\n\n' % t.max_const()
    return out


def gen_fwd(name):
    return 'typedef struct %s %s;\n' % (name, name)


def gen_members(members):
    out = ''
    for m in members:
        if m.optional:
            out += '    bool has_%s;\n' % m.c_name()
        out += '    %s%s;\n' % (_spaced(m.type.c_type()), m.c_name())
    return out


def _spaced(ctype):
    return ctype if ctype.endswith('*') else ctype + ' '


def gen_variants_decl(variants, tag):
    body = ''
    for v in variants:
        if isinstance(v.type, ObjectType) and v.type.is_empty():
            continue
        body += '        %s%s;\n' % (_spaced(v.type.c_unboxed_type()),
                                      v.c_name())
    if not body:
        return ''
    return '    union { /* union tag is @%s */\n%s    } u;\n' \
        % (c_name(tag), body)


class TypesGen:
    def __init__(self, schema):
        self.schema = schema
        self.seen = set()

    def gen_object(self, t):
        """Struct definition, preceded by what it embeds by value."""
        if t.name in self.seen or t.name == 'q_empty':
            return ''
        self.seen.add(t.name)
        out = ''
        for v in getattr(t, 'variants', []):
            if isinstance(v.type, ObjectType) and \
               v.type.module == t.module:
                out += self.gen_object(v.type)
        out += 'struct %s {\n' % t.c_name()
        if isinstance(t, AlternateType):
            out += '    QType type;\n'
            out += gen_variants_decl(t.variants, 'type')
        else:
            if t.base:
                if not t.base.is_implicit():
                    out += '    /* Members inherited from %s: */\n' \
                        % t.base.c_name()
                out += gen_members(t.base.members)
                if not t.base.is_implicit():
                    out += '    /* Own members: */\n'
            out += gen_members(t.local_members)
            if t.variants:
                out += gen_variants_decl(t.variants, t.tag_name)
            if not t.members and not t.variants:
                out += '    char qapi_dummy_for_empty_struct;\n'
        out += '};\n\n'
        if not t.is_implicit():
            out += 'void qapi_free_%s(%s *obj);\n' % (t.c_name(), t.c_name())
            out += 'G_DEFINE_AUTOPTR_CLEANUP_FUNC(%s, qapi_free_%s)\n\n' \
                % (t.c_name(), t.c_name())
        if isinstance(t, ObjectType) and t.base and \
           not t.base.is_implicit():
            out += ('static inline %s *qapi_%s_base(const %s *obj)\n'
                    '{\n    return (%s *)obj;\n}\n\n'
                    % (t.base.c_name(), t.c_name(), t.c_name(),
                       t.base.c_name()))
        return out


def gen_array_decl(a):
    out = 'struct %s {\n    %s *next;\n    %svalue;\n};\n\n' \
        % (a.c_name(), a.c_name(), _spaced(a.element.c_type()))
    out += 'void qapi_free_%s(%s *obj);\n' % (a.c_name(), a.c_name())
    out += 'G_DEFINE_AUTOPTR_CLEANUP_FUNC(%s, qapi_free_%s)\n\n' \
        % (a.c_name(), a.c_name())
    return out


def gen_free(name):
    return '''void qapi_free_%(n)s(%(n)s *obj)
{
    Visitor *v;

    if (!obj) {
        return;
    }

    v = qapi_dealloc_visitor_new();
    visit_type_%(n)s(v, NULL, &obj, NULL);
    visit_free(v);
}

''' % {'n': name}


def gen_module_types(schema, module, entities, arrays, includes, visit_h):
    """Returns (header body, source body)."""
    g = TypesGen(schema)
    h = ''
    c = ''
    for a in arrays:
        h += gen_fwd(a.c_name())
    for e in entities:
        if isinstance(e, (ObjectType, AlternateType)):
            h += gen_fwd(e.c_name())
    h += '\n'
    for e in entities:
        if isinstance(e, EnumType):
            h += gen_enum_decl(e)
            c += gen_enum_lookup(e)
    for e in entities:
        if isinstance(e, (ObjectType, AlternateType)):
            h += g.gen_object(e)
            if not e.is_implicit():
                c += gen_free(e.c_name())
    for a in arrays:
        h += gen_array_decl(a)
        c += gen_free(a.c_name())
    return h, c
