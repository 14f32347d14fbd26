#!/usr/bin/python3
"""Helpers for tests/guest/build.sh.

  mkinitrd.py modorder MODDIR MOD...   print MOD... and their dependencies
                                       (from each .ko's modinfo "depends=")
                                       in load order, one per line; fails if
                                       a dependency is missing from MODDIR
  mkinitrd.py cpio STAGING OUT         write a gzip'ed newc cpio of STAGING
                                       (owner root, mtime 0, sorted, plus
                                       /dev/console and /dev/ttyS0 nodes)

Output is deterministic: the same inputs give byte-identical images.
"""
import gzip
import os
import re
import stat
import sys


def ko_depends(path):
    with open(path, 'rb') as f:
        data = f.read()
    m = re.search(rb'(?:^|\x00)depends=([^\x00]*)\x00', data)
    if not m or not m.group(1):
        return []
    return m.group(1).decode().split(',')


def find_modules(moddir):
    found = {}
    for root, _dirs, files in os.walk(moddir):
        for name in files:
            if name.endswith('.ko'):
                found[name[:-3].replace('-', '_')] = os.path.join(root, name)
    return found


def modorder(moddir, wanted):
    found = find_modules(moddir)
    order, state = [], {}

    def visit(mod):
        if state.get(mod) == 'done':
            return
        if state.get(mod) == 'busy':
            sys.exit('mkinitrd: module dependency cycle at %s' % mod)
        if mod not in found:
            sys.exit('mkinitrd: module %s not found in %s' % (mod, moddir))
        state[mod] = 'busy'
        for dep in ko_depends(found[mod]):
            visit(dep)
        state[mod] = 'done'
        order.append(mod)

    for mod in wanted:
        visit(mod)
    extra = sorted(set(order) - set(wanted))
    if extra:
        sys.exit('mkinitrd: modules needed but not listed: %s' % extra)
    for mod in order:
        print('%s %s' % (mod, found[mod]))


def newc_entry(out, name, mode, data=b'', rdev=(0, 0), ino=0, nlink=1):
    name_b = name.encode() + b'\x00'
    hdr = '070701' + ''.join('%08x' % v for v in (
        ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
        rdev[0], rdev[1], len(name_b), 0))
    out.append(hdr.encode() + name_b)
    out.append(b'\x00' * ((4 - (110 + len(name_b)) % 4) % 4))
    out.append(data)
    out.append(b'\x00' * ((4 - len(data) % 4) % 4))


def cpio(staging, out_path):
    entries = []
    for root, dirs, files in os.walk(staging):
        for name in dirs + files:
            full = os.path.join(root, name)
            entries.append(os.path.relpath(full, staging))
    entries.sort()
    out, ino = [], 1
    names = set(entries)
    for rel in entries:
        full = os.path.join(staging, rel)
        st = os.lstat(full)
        perm = stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            newc_entry(out, rel, stat.S_IFLNK | 0o777,
                       os.readlink(full).encode(), ino=ino)
        elif stat.S_ISDIR(st.st_mode):
            newc_entry(out, rel, stat.S_IFDIR | perm, ino=ino, nlink=2)
        elif stat.S_ISREG(st.st_mode):
            with open(full, 'rb') as f:
                newc_entry(out, rel, stat.S_IFREG | perm, f.read(), ino=ino)
        else:
            sys.exit('mkinitrd: unsupported file type: %s' % full)
        ino += 1
    if 'dev' not in names:
        newc_entry(out, 'dev', stat.S_IFDIR | 0o755, ino=ino, nlink=2)
        ino += 1
    for name, major, minor in (('dev/console', 5, 1), ('dev/ttyS0', 4, 64)):
        newc_entry(out, name, stat.S_IFCHR | 0o600, rdev=(major, minor),
                   ino=ino)
        ino += 1
    newc_entry(out, 'TRAILER!!!', 0)
    raw = b''.join(out)
    with open(out_path + '.tmp', 'wb') as f:
        f.write(gzip.compress(raw, compresslevel=6, mtime=0))
    os.replace(out_path + '.tmp', out_path)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == 'modorder':
        modorder(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 4 and sys.argv[1] == 'cpio':
        cpio(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
