"""qapi-commands-MODULE.[ch] and qapi-init-commands.[ch].

For every command with 'gen' true: the prototype of the handler that a
subsystem implements (qmp_NAME) and a marshaller qmp_marshal_NAME that
unpacks the arguments with the QObject input visitor, calls the handler
and packs the result with the output visitor.

qapi-init-commands.c registers the commands whose implementation is
linked in (see QMP_COMMAND_IMPLEMENTED in qapi/qmp/dispatch.h) and holds
weak link-time fallbacks for the others.
"""

from .common import c_name, c_str
from .schema import (ObjectType, BuiltinType, special_features)
from .gen_visit import visit_fn


def handler_name(cmd):
    return 'qmp_' + c_name(cmd.name)


def ret_ctype(cmd):
    return cmd.ret_type.c_type() if cmd.ret_type else 'void'


def _sp(ctype):
    return ctype if ctype.endswith('*') else ctype + ' '


def gen_params(cmd, extra='Error **errp'):
    params = []
    if cmd.arg_type and cmd.boxed:
        params.append('%sarg' % _sp(cmd.arg_type.c_param_type()))
    elif cmd.arg_type:
        for m in cmd.arg_type.members:
            if m.optional:
                params.append('bool has_%s' % m.c_name())
            params.append('%s%s' % (_sp(m.type.c_param_type()),
                                    m.c_name()))
    params.append(extra)
    return ', '.join(params)


def gen_prototype(cmd):
    if not cmd.gen:
        return 'void %s(QDict *args, QObject **ret, Error **errp);\n' \
            % handler_name(cmd)
    return '%s%s(%s);\n' % (_sp(ret_ctype(cmd)), handler_name(cmd),
                             gen_params(cmd))


def gen_marshal_output(t):
    return '''static void qmp_marshal_output_%(c)s(%(ct)sret_in,
                                QObject **ret_out, Error **errp)
{
    Visitor *v;

    v = qobject_output_visitor_new(ret_out);
    if (%(fn)s(v, "unused", &ret_in, errp)) {
        visit_complete(v, ret_out);
    }
    visit_free(v);
    v = qapi_dealloc_visitor_new();
    %(fn)s(v, "unused", &ret_in, NULL);
    visit_free(v);
}

''' % {'c': c_name(t.c_name()), 'ct': _sp(t.c_type()), 'fn': visit_fn(t)}


def gen_marshal(cmd):
    argt = cmd.arg_type
    has_args = argt is not None and not (isinstance(argt, ObjectType)
                                         and argt.is_empty())
    out = 'void qmp_marshal_%s(QDict *args, QObject **ret, Error **errp)\n' \
          '{\n' % c_name(cmd.name)
    out += '    Error *err = NULL;\n    bool ok = false;\n    Visitor *v;\n'
    if cmd.ret_type:
        out += '    %sretval;\n' % _sp(cmd.ret_type.c_type())
    if has_args:
        out += '    %s arg = {0};\n' % argt.c_name()
    out += '\n    v = qobject_input_visitor_new(QOBJECT(args));\n'
    out += '    if (!visit_start_struct(v, NULL, NULL, 0, errp)) {\n' \
           '        goto out;\n    }\n'
    if has_args:
        out += '    if (visit_type_%s_members(v, &arg, errp)) {\n' \
               '        ok = visit_check_struct(v, errp);\n    }\n' \
            % argt.c_name()
    else:
        out += '    ok = visit_check_struct(v, errp);\n'
    out += '    visit_end_struct(v, NULL);\n' \
           '    if (!ok) {\n        goto out;\n    }\n\n'
    if cmd.boxed and has_args:
        args = '&arg, '
    elif has_args:
        args = ''
        for m in argt.members:
            if m.optional:
                args += 'arg.has_%s, ' % m.c_name()
            args += 'arg.%s, ' % m.c_name()
    else:
        args = ''
    if cmd.ret_type:
        out += '    retval = %s(%s&err);\n' % (handler_name(cmd), args)
    else:
        out += '    %s(%s&err);\n' % (handler_name(cmd), args)
    out += '    if (err) {\n        error_propagate(errp, err);\n' \
           '        goto out;\n    }\n\n'
    if cmd.ret_type:
        out += '    qmp_marshal_output_%s(retval, ret, errp);\n' \
            % c_name(cmd.ret_type.c_name())
    else:
        out += '    *ret = QOBJECT(qdict_new());\n'
    out += '\nout:\n    visit_free(v);\n'
    if has_args:
        out += '    v = qapi_dealloc_visitor_new();\n' \
               '    visit_start_struct(v, NULL, NULL, 0, NULL);\n' \
               '    visit_type_%s_members(v, &arg, NULL);\n' \
               '    visit_end_struct(v, NULL);\n' \
               '    visit_free(v);\n' % argt.c_name()
    out += '}\n\n'
    return out


def gen_module_commands(schema, commands):
    h = ''
    c = ''
    outputs = set()
    for cmd in commands:
        h += gen_prototype(cmd)
        if not cmd.gen:
            continue
        h += 'void qmp_marshal_%s(QDict *args, QObject **ret, ' \
             'Error **errp);\n' % c_name(cmd.name)
        if cmd.ret_type and cmd.ret_type.name not in outputs:
            outputs.add(cmd.ret_type.name)
            c += gen_marshal_output(cmd.ret_type)
        c += gen_marshal(cmd)
    return h, c


def gen_weak_fallback(cmd):
    name = handler_name(cmd)
    if not cmd.gen:
        sig = 'void %s(QDict *args, QObject **ret, Error **errp)' % name
        ret = ''
    else:
        sig = '%s%s(%s)' % (_sp(ret_ctype(cmd)), name, gen_params(cmd))
        ret = '    return %s;\n' % cmd.ret_type.c_null() \
            if cmd.ret_type else ''
    return ('__attribute__((weak)) %s;\n%s\n{\n'
            '    error_setg(errp, "Command \'%%s\' is not available in this '
            'build",\n               %s);\n%s}\n\n'
            '__attribute__((weak)) const bool qmp_impl_%s = false;\n\n'
            % (sig, sig, c_str(cmd.name), ret, c_name(cmd.name)))


def gen_init_commands(schema, prefix):
    cp = c_name(prefix, False)
    h = 'void %sqmp_init_marshal(QmpCommandList *cmds);\n' % cp
    c = ''
    for cmd in schema.commands():
        c += 'extern const bool qmp_impl_%s;\n' % c_name(cmd.name)
    c += '\n'
    for cmd in schema.commands():
        c += gen_weak_fallback(cmd)
    c += ('/*\n * The weak "false" flags above are replaced by an implementing\n'
          ' * file\'s QMP_COMMAND_IMPLEMENTED(); read them through volatile\n'
          ' * so the compiler cannot fold the weak initialiser.\n */\n'
          '#define IMPLEMENTED(flag) (*(const volatile bool *)&(flag))\n\n')
    c += 'void %sqmp_init_marshal(QmpCommandList *cmds)\n{\n' % cp
    for cmd in schema.commands():
        opts = []
        if not cmd.success_response:
            opts.append('QCO_NO_SUCCESS_RESP')
        if cmd.allow_oob:
            opts.append('QCO_ALLOW_OOB')
        if cmd.allow_preconfig:
            opts.append('QCO_ALLOW_PRECONFIG')
        fn = handler_name(cmd) if not cmd.gen \
            else 'qmp_marshal_' + c_name(cmd.name)
        c += '    if (IMPLEMENTED(qmp_impl_%s)) {\n' \
             '        qmp_register_command(cmds, %s, %s,\n' \
             '                             %s, %s);\n    }\n' \
            % (c_name(cmd.name), c_str(cmd.name), fn,
               ' | '.join(opts) if opts else 'QCO_NO_OPTIONS',
               special_features(cmd.features))
    c += '}\n'
    return h, c
