"""qapi-visit-MODULE.[ch]: visit_type_Foo() for every type."""

from .common import c_name, c_str
from .schema import (ObjectType, EnumType, AlternateType, ArrayType,
                     BuiltinType)


def visit_fn(t):
    if isinstance(t, BuiltinType):
        return 'visit_type_' + t.name
    return 'visit_type_' + t.c_name()


def gen_visit_decl(t):
    if isinstance(t, ObjectType):
        out = 'bool visit_type_%s_members(Visitor *v, %s *obj, ' \
              'Error **errp);\n' % (t.c_name(), t.c_name())
        if not t.is_implicit():
            out += 'bool visit_type_%s(Visitor *v, const char *name,\n' \
                   '                 %s **obj, Error **errp);\n' \
                % (t.c_name(), t.c_name())
        return out + '\n'
    if isinstance(t, EnumType):
        return 'bool visit_type_%s(Visitor *v, const char *name,\n' \
               '                 %s *obj, Error **errp);\n\n' \
            % (t.c_name(), t.c_name())
    return 'bool visit_type_%s(Visitor *v, const char *name,\n' \
           '                 %s **obj, Error **errp);\n\n' \
        % (t.c_name(), t.c_name())


def gen_visit_member(m, ptr='obj->'):
    fn = visit_fn(m.type)
    name = c_str(m.name)
    cm = m.c_name()
    if not m.optional:
        return ('    if (!%s(v, %s, &%s%s, errp)) {\n'
                '        return false;\n    }\n') % (fn, name, ptr, cm)
    return ('    if (visit_optional(v, %s, &%shas_%s)) {\n'
            '        if (!%s(v, %s, &%s%s, errp)) {\n'
            '            return false;\n        }\n    }\n'
            ) % (name, ptr, cm, fn, name, ptr, cm)


def gen_visit_members(t):
    out = 'bool visit_type_%s_members(Visitor *v, %s *obj, Error **errp)\n' \
          '{\n' % (t.c_name(), t.c_name())
    members = t.local_members
    if t.base:
        if t.base.is_implicit():
            members = t.base.members + members
        else:
            out += '    if (!visit_type_%s_members(v, (%s *)obj, errp)) {\n' \
                   '        return false;\n    }\n' \
                % (t.base.c_name(), t.base.c_name())
    for m in members:
        out += gen_visit_member(m)
    if t.variants:
        tag = t.tag_member
        out += '    switch (obj->%s) {\n' % tag.c_name()
        branches = {v.name: v for v in t.variants}
        for value in tag.type.members:
            out += '    case %s:\n' % tag.type.const(value.name)
            v = branches.get(value.name)
            if v and not v.type.is_empty():
                out += '        return visit_type_%s_members(v, &obj->u.%s,' \
                       ' errp);\n' % (v.type.c_name(), v.c_name())
            else:
                out += '        break;\n'
        out += '    default:\n        abort();\n    }\n'
    out += '    return true;\n}\n\n'
    return out


def gen_visit_object(t):
    return '''bool visit_type_%(n)s(Visitor *v, const char *name,
                 %(n)s **obj, Error **errp)
{
    bool ok = false;

    if (!visit_start_struct(v, name, (void **)obj, sizeof(%(n)s), errp)) {
        return false;
    }
    if (!*obj) {
        /* incomplete (dealloc), or a NULL where output expects a value */
        ok = visit_is_dealloc(v);
        if (!ok) {
            error_setg(errp, "Missing value for '%%s'", name ? name : "null");
        }
        goto out_obj;
    }
    if (!visit_type_%(n)s_members(v, *obj, errp)) {
        goto out_obj;
    }
    ok = visit_check_struct(v, errp);
out_obj:
    visit_end_struct(v, (void **)obj);
    if (!ok && visit_is_input(v)) {
        qapi_free_%(n)s(*obj);
        *obj = NULL;
    }
    return ok;
}

''' % {'n': t.c_name()}


def gen_visit_list(a):
    return '''bool visit_type_%(n)s(Visitor *v, const char *name,
                 %(n)s **obj, Error **errp)
{
    bool ok = false;
    %(n)s *tail;
    size_t size = sizeof(**obj);

    if (!visit_start_list(v, name, (GenericList **)obj, size, errp)) {
        return false;
    }

    for (tail = *obj; tail;
         tail = (%(n)s *)visit_next_list(v, (GenericList *)tail, size)) {
        if (!%(fn)s(v, NULL, &tail->value, errp)) {
            goto out_obj;
        }
    }

    ok = visit_check_list(v, errp);
out_obj:
    visit_end_list(v, (void **)obj);
    if (!ok && visit_is_input(v)) {
        qapi_free_%(n)s(*obj);
        *obj = NULL;
    }
    return ok;
}

''' % {'n': a.c_name(), 'fn': visit_fn(a.element)}


def gen_visit_enum(t):
    return '''bool visit_type_%(n)s(Visitor *v, const char *name,
                 %(n)s *obj, Error **errp)
{
    int value = *obj;
    bool ok = visit_type_enum(v, name, &value, &%(n)s_lookup, errp);
    *obj = value;
    return ok;
}

''' % {'n': t.c_name()}


def gen_visit_alternate(t):
    cases = ''
    for v in t.variants:
        cases += '    case %s:\n' % v.type.alternate_qtype()
        if isinstance(v.type, ObjectType):
            cases += '''        if (!visit_start_struct(v, name, NULL, 0, errp)) {
            break;
        }
        if (visit_type_%(t)s_members(v, &(*obj)->u.%(c)s, errp)) {
            ok = visit_check_struct(v, errp);
        }
        visit_end_struct(v, NULL);
        break;
''' % {'t': v.type.c_name(), 'c': v.c_name()}
        else:
            cases += '        ok = %s(v, name, &(*obj)->u.%s, errp);\n' \
                     '        break;\n' % (visit_fn(v.type), v.c_name())
    return '''bool visit_type_%(n)s(Visitor *v, const char *name,
                 %(n)s **obj, Error **errp)
{
    bool ok = false;

    if (!visit_start_alternate(v, name, (GenericAlternate **)obj,
                               sizeof(**obj), errp)) {
        return false;
    }
    if (!*obj) {
        /* incomplete (dealloc), or a NULL where output expects a value */
        ok = visit_is_dealloc(v);
        if (!ok) {
            error_setg(errp, "Missing value for '%%s'", name ? name : "null");
        }
        goto out_obj;
    }
    switch ((*obj)->type) {
%(cases)s    case QTYPE_NONE:
        abort();
    default:
        assert(visit_is_input(v));
        error_setg(errp, "Invalid parameter type for '%%s', expected: %%s",
                   name ? name : "null", "%(n)s");
        /* Avoid passing invalid *obj to qapi_free_%(n)s() */
        g_free(*obj);
        *obj = NULL;
    }
out_obj:
    visit_end_alternate(v, (void **)obj);
    if (!ok && visit_is_input(v)) {
        qapi_free_%(n)s(*obj);
        *obj = NULL;
    }
    return ok;
}

''' % {'n': t.c_name(), 'cases': cases}


def gen_module_visit(schema, entities, arrays):
    h = ''
    c = ''
    for e in entities:
        if isinstance(e, ObjectType):
            if e.name == 'q_empty':
                continue
            h += gen_visit_decl(e)
            c += gen_visit_members(e)
            if not e.is_implicit():
                c += gen_visit_object(e)
        elif isinstance(e, EnumType):
            h += gen_visit_decl(e)
            c += gen_visit_enum(e)
        elif isinstance(e, AlternateType):
            h += gen_visit_decl(e)
            c += gen_visit_alternate(e)
    for a in arrays:
        h += gen_visit_decl(a)
        c += gen_visit_list(a)
    return h, c
