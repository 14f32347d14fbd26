"""qapi-events-MODULE.[ch] and qapi-emit-events.[ch].

qapi_event_send_NAME(args...) builds {"timestamp", "event", "data"?}
and hands it to qapi_event_emit(QAPI_EVENT_NAME, dict), which the
monitor implements.  "data" is present only for events with members.
"""

from .common import c_name, c_str, c_enum_const
from .schema import ObjectType
from .gen_commands import gen_params


def event_enum_name(prefix):
    return c_name(prefix, False) + 'QAPIEvent'


def event_emit_name(prefix):
    return c_name(prefix, False) + 'qapi_event_emit'


def send_name(ev):
    return 'qapi_event_send_' + c_name(ev.name.lower())


def gen_event_proto(ev):
    params = gen_params(ev, extra='')
    params = params.rstrip(', ') or 'void'
    return 'void %s(%s)' % (send_name(ev), params)


def gen_event(ev, prefix):
    argt = ev.arg_type
    has_args = argt is not None and not (isinstance(argt, ObjectType)
                                         and argt.is_empty())
    out = gen_event_proto(ev) + '\n{\n    QDict *qmp;\n'
    if has_args:
        out += '    QObject *obj;\n    Visitor *v;\n'
        if not ev.boxed:
            out += '    %s param = {\n' % argt.c_name()
            for m in argt.members:
                if m.optional:
                    out += '        has_%s,\n' % m.c_name()
                if m.type.c_param_type() != m.type.c_type():
                    out += '        (%s)%s,\n' % (m.type.c_type(), m.c_name())
                else:
                    out += '        %s,\n' % m.c_name()
            out += '    };\n'
    out += '\n    qmp = qmp_event_build_dict(%s);\n' % c_str(ev.name)
    if has_args:
        ptr = 'arg' if ev.boxed else '&param'
        out += '''
    v = qobject_output_visitor_new(&obj);
    visit_start_struct(v, %(name)s, NULL, 0, &error_abort);
    visit_type_%(t)s_members(v, %(ptr)s, &error_abort);
    visit_check_struct(v, &error_abort);
    visit_end_struct(v, NULL);
    visit_complete(v, &obj);
    qdict_put_obj(qmp, "data", obj);
    visit_free(v);
''' % {'name': c_str(ev.name), 't': argt.c_name(), 'ptr': ptr}
    out += '    %s(%s, qmp);\n    qobject_unref(qmp);\n}\n\n' \
        % (event_emit_name(prefix),
           c_enum_const(event_enum_name(prefix), ev.name))
    return out


def gen_module_events(schema, events, prefix):
    h = ''
    c = ''
    for ev in events:
        h += gen_event_proto(ev) + ';\n'
        c += gen_event(ev, prefix)
    return h, c


def gen_emit_events(schema, prefix):
    en = event_enum_name(prefix)
    h = 'typedef enum %s {\n' % en
    for ev in schema.events():
        h += '    %s,\n' % c_enum_const(en, ev.name)
    h += '    %s,\n} %s;\n\n' % (c_enum_const(en, '_MAX'), en)
    h += '#define %s_str(val) \\\n    qapi_enum_lookup(&%s_lookup, (val))\n' \
        % (en, en)
    h += 'extern const QEnumLookup %s_lookup;\n\n' % en
    h += '/* Implemented by the monitor (or a test). */\n'
    h += 'void %s(%s event, QDict *qdict);\n' % (event_emit_name(prefix), en)
    c = 'const QEnumLookup %s_lookup = {\n    .array = ' \
        '(const char *const[]) {\n' % en
    for ev in schema.events():
        c += '        [%s] = %s,\n' % (c_enum_const(en, ev.name),
                                       c_str(ev.name))
    c += '    },\n    .size = %s\n};\n' % c_enum_const(en, '_MAX')
    return h, c
