"""Naming rules shared by the generators (QEMU 7.2 conventions)."""

import re

_c89 = set('''auto break case char const continue default do double else
enum extern float for goto if int long register return short signed
sizeof static struct switch typedef union unsigned void volatile
while'''.split())
_c99 = set('inline restrict _Bool _Complex _Imaginary'.split())
_c11 = set('''_Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert
_Thread_local'''.split())
_gcc = set('asm typeof'.split())
_cpp = set('''bool catch class const_cast delete dynamic_cast explicit
false friend mutable namespace new operator private protected public
reinterpret_cast static_cast template this throw true try typeid
typename using virtual wchar_t and and_eq bitand bitor compl not not_eq
or or_eq xor xor_eq'''.split())
_polluted = set('unix errno mips sparc i386 linux'.split())
_protected = _c89 | _c99 | _c11 | _gcc | _cpp | _polluted


def c_name(name, protect=True):
    """Map a QAPI name to a C identifier ('query-status' -> query_status)."""
    name = re.sub(r'[^A-Za-z0-9_]', '_', name)
    if protect and (name in _protected or name[0].isdigit()):
        return 'q_' + name
    return name


def camel_to_upper(value):
    """'RunState' -> 'RUN_STATE', 'QMPCapability' -> 'QMP_CAPABILITY'."""
    s = c_name(value, False)
    if value.isupper():
        return s
    out = ''
    for i, ch in enumerate(s):
        if ch.isupper() and i > 0 and s[i - 1] != '_':
            if i < len(s) - 1 and s[i + 1].islower():
                out += '_'
            elif s[i - 1].isdigit():
                out += '_'
        out += ch
    return out.lstrip('_').upper()


def c_enum_const(type_name, const_name, prefix=None):
    if prefix is not None:
        return prefix + '_' + c_name(const_name, False).upper()
    return camel_to_upper(type_name) + '_' + c_name(const_name, False).upper()


def c_str(s):
    """A C string literal for s (ASCII-safe)."""
    out = '"'
    for ch in s:
        if ch in '"\\':
            out += '\\' + ch
        elif ch == '\n':
            out += '\\n'
        elif 32 <= ord(ch) < 127:
            out += ch
        else:
            out += ''.join('\\%03o' % b for b in ch.encode('utf-8'))
    return out + '"'


def mcgen(text, **kwds):
    """Dedent a template (first line empty) and substitute %(key)s."""
    lines = text.split('\n')
    if lines and not lines[0].strip():
        lines = lines[1:]
    body = '\n'.join(lines)
    return body % kwds if kwds else body


class Indent:
    def __init__(self):
        self.level = 0

    def __str__(self):
        return ' ' * self.level


def guard_name(fname):
    return re.sub(r'[^A-Za-z0-9]', '_', fname).upper()
