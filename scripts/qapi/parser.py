"""Reader of QAPI schema files.

A schema file is a sequence of JSON-like top-level expressions:
single- or double-quoted strings, dicts, lists, true/false, and '#'
comments to end of line.  {'include': 'file.json'} pulls in another
file (a module); {'pragma': {...}} is accepted and ignored.  Doc
comments are ordinary comments here.

read_schema(path) returns a list of Expr(info, module, dict) in order,
each module's expressions after those of the modules it includes first.
"""

import os


class QAPIError(Exception):
    def __init__(self, info, msg):
        super().__init__('%s: %s' % (info, msg) if info else msg)


class Info:
    def __init__(self, fname, line):
        self.fname = fname
        self.line = line

    def __str__(self):
        return '%s:%d' % (self.fname, self.line)


class Expr:
    def __init__(self, info, module, expr):
        self.info = info
        self.module = module        # module name, e.g. 'run-state'
        self.expr = expr


class _Lexer:
    def __init__(self, fname, text):
        self.fname = fname
        self.text = text
        self.pos = 0
        self.line = 1

    def info(self):
        return Info(self.fname, self.line)

    def error(self, msg):
        raise QAPIError(self.info(), msg)

    def skip(self):
        t = self.text
        while self.pos < len(t):
            c = t[self.pos]
            if c == '#':
                while self.pos < len(t) and t[self.pos] != '\n':
                    self.pos += 1
            elif c == '\n':
                self.line += 1
                self.pos += 1
            elif c in ' \t\r':
                self.pos += 1
            else:
                return
        return

    def peek(self):
        self.skip()
        return self.text[self.pos] if self.pos < len(self.text) else ''

    def value(self):
        c = self.peek()
        if c == '{':
            self.pos += 1
            d = {}
            if self.peek() == '}':
                self.pos += 1
                return d
            while True:
                k = self.value()
                if not isinstance(k, str):
                    self.error('expected string key')
                if self.peek() != ':':
                    self.error("expected ':'")
                self.pos += 1
                if k in d:
                    self.error("duplicate key '%s'" % k)
                d[k] = self.value()
                c = self.peek()
                self.pos += 1
                if c == '}':
                    return d
                if c != ',':
                    self.error("expected ',' or '}'")
        if c == '[':
            self.pos += 1
            lst = []
            if self.peek() == ']':
                self.pos += 1
                return lst
            while True:
                lst.append(self.value())
                c = self.peek()
                self.pos += 1
                if c == ']':
                    return lst
                if c != ',':
                    self.error("expected ',' or ']'")
        if c in '\'"':
            q = c
            self.pos += 1
            s = ''
            while True:
                if self.pos >= len(self.text):
                    self.error('unterminated string')
                ch = self.text[self.pos]
                self.pos += 1
                if ch == q:
                    return s
                if ch == '\\':
                    ch = self.text[self.pos]
                    self.pos += 1
                if ch == '\n':
                    self.error('newline in string')
                s += ch
        for word, val in (('true', True), ('false', False)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return val
        self.error("unexpected '%s'" % c)


def module_name(path):
    return os.path.splitext(os.path.basename(path))[0]


def read_schema(path):
    exprs = []
    seen = set()

    def read(fname, incl_info):
        fname = os.path.normpath(fname)
        if fname in seen:
            return
        seen.add(fname)
        try:
            with open(fname, encoding='utf-8') as f:
                text = f.read()
        except OSError as e:
            raise QAPIError(incl_info, "can't read '%s': %s"
                            % (fname, e.strerror))
        lex = _Lexer(fname, text)
        mod = module_name(fname)
        while lex.peek():
            info = lex.info()
            e = lex.value()
            if not isinstance(e, dict):
                raise QAPIError(info, 'top-level expression must be '
                                'an object')
            if 'include' in e:
                read(os.path.join(os.path.dirname(fname), e['include']),
                     info)
                continue
            if 'pragma' in e:
                continue
            exprs.append(Expr(info, mod, e))

    read(path, None)
    return exprs
