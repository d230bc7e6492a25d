#!/usr/bin/env python3
"""Replays the gdb session of a doc (docs/debugging.md, tests/gdb/printers.md) and checks that gdb prints what it says.

The session is every ```gdb block of the doc, in order: a line "(gdb) CMD  # comment" is a command (the comment is
the doc's, not sent), the lines under it are what gdb printed. Compared line by line after normalising: the
repository path, hexadecimal addresses and process ids; runs of spaces count as one; integers must be equal
(except line numbers, which move when code is edited); decimals within 1% or 1e-3 (kernels may round differently);
a line "..." skips any number of lines. Thread start/exit notices are ignored.

  check_gdb.py --program P --doc docs/debugging.md [--gdb GDB] [--transcript OUT] [--update]

Exit status: 0 match, 1 mismatch (or gdb missing with CI=true), 77 gdb missing (CTest reports "skipped").
--update rewrites the doc's blocks with what gdb printed (review the diff before committing).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCK = re.compile(r'^```gdb\n(.*?)^```\n', re.S | re.M)
NUMBER = re.compile(r'(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?(?![\w])|(?<!\w)-?(?:nan|inf)(?!\w)')
NOISE = re.compile(r'^\[(New Thread|Thread .* exited|Thread debugging using)|^Using host libthread_db')


def parse_session(doc):
    """[(command line as written, [expected lines])] from every ```gdb block of the doc."""
    session = []
    for block in BLOCK.findall(doc):
        for line in block.splitlines():
            if line.startswith('(gdb) '):
                session.append((line, []))
            elif session:
                session[-1][1].append(line)
    return session


def command_of(line):
    return re.sub(r'\s+#.*$', '', line[len('(gdb) '):]).strip()


def normalise(line):
    line = line.replace(ROOT + '/', '')
    # a source path the compiler was given relative to the build folder (ccache's base_dir): ../../../vae/iwae.cpp
    line = re.sub(r'(?<![\w/.])(?:\.\./)+(?=(?:autodiff|prob|nn|vae|examples|tests|bench|gdb)/)', '', line)
    line = re.sub(r'0x[0-9a-f]+', '0x...', line)
    line = re.sub(r'process \d+', 'process N', line)
    line = re.sub(r'LWP \d+', 'LWP N', line)
    return line.rstrip()


def run_gdb(gdb, program, session, script):
    with open(script, 'w') as f:
        for i, (line, _) in enumerate(session):
            f.write('echo @@tg-step-%d@@\\n\n%s\n' % (i, command_of(line)))
        f.write('echo @@tg-end@@\\n\n')
    cmd = [gdb, '-nx', '-batch', '-iex', 'set debuginfod enabled off', '-iex', 'add-auto-load-safe-path ' + ROOT,
           '-iex', 'set pagination off', '-iex', 'set width 0', '-x', script, program]
    env = dict(os.environ, TG_NUM_THREADS='1', LC_ALL='C.UTF-8')
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
                         timeout=300).stdout
    outputs, current = [], None
    for line in out.splitlines():
        m = re.fullmatch(r'@@tg-step-(\d+)@@|@@tg-end@@', line.strip())
        if m:
            current = [] if m.group(1) is not None else None
            if current is not None:
                outputs.append(current)
            continue
        if current is not None and not NOISE.match(line):
            current.append(normalise(line.replace(script, 'session.gdb')))
    return out, outputs


def tokens(line):
    parts, last = [], 0
    for m in NUMBER.finditer(line):
        parts.append(('text', ' '.join(line[last:m.start()].split())))
        parts.append(('num', m.group(0), line[max(0, m.start() - 5):m.start()]))
        last = m.end()
    parts.append(('text', ' '.join(line[last:].split())))
    return parts


def same_number(a, b, before):
    if before.endswith(':') or before.endswith('line ') or before == '':  # file:line, "line 17", a listing's "17\t"
        if re.fullmatch(r'\d+', a) and re.fullmatch(r'\d+', b):
            return True
    if a == b:
        return True
    if re.fullmatch(r'-?\d+', a) and re.fullmatch(r'-?\d+', b) and '.' not in a + b:
        return False
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return abs(x - y) <= 1e-3 + 1e-2 * max(abs(x), abs(y))


def same_line(expected, actual):
    te, ta = tokens(expected), tokens(actual)
    if len(te) != len(ta):
        return False
    for e, a in zip(te, ta):
        if e[0] != a[0]:
            return False
        if e[0] == 'text' and e[1] != a[1]:
            return False
        if e[0] == 'num' and not same_number(e[1], a[1], e[2]):
            return False
    return True


def match(expected, actual):
    """True when the actual lines match the expected ones ("..." skips any number of lines)."""
    if not expected:
        return not actual
    if expected[0].strip() == '...':
        return any(match(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and same_line(normalise(expected[0]), actual[0]) and match(expected[1:], actual[1:])


def update_doc(doc, session, outputs):
    it = iter(zip(session, outputs))

    def block(_m):
        lines = []
        for line in _m.group(1).splitlines():
            if line.startswith('(gdb) '):
                (cmd, _), out = next(it)
                lines += [cmd] + out
        return '```gdb\n' + '\n'.join(lines) + '\n```\n'

    return BLOCK.sub(block, doc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--gdb', default='')
    ap.add_argument('--program', required=True)
    ap.add_argument('--doc', default=os.path.join(ROOT, 'docs', 'debugging.md'))
    ap.add_argument('--transcript', default='')
    ap.add_argument('--update', action='store_true')
    args = ap.parse_args()
    gdb = args.gdb if args.gdb and os.path.exists(args.gdb) else shutil.which('gdb')
    if not gdb:
        if os.environ.get('CI') == 'true':
            print('FAILED: gdb is not installed, and CI must run this test (.ci/run installs gdb)')
            return 1
        print('skipped: gdb is not installed (apt-get install gdb), so the walkthrough cannot be replayed')
        return 77
    with open(args.doc, encoding='utf-8') as f:
        doc = f.read()
    session = parse_session(doc)
    if not session:
        print('FAILED: %s has no ```gdb block' % args.doc)
        return 1
    # the commands go to a file beside the transcript, named after it: tests run in parallel do not share it
    script = os.path.splitext(args.transcript or os.path.join(os.path.dirname(args.program), 'session'))[0] + '.gdb'
    raw, outputs = run_gdb(gdb, args.program, session, script)
    if args.transcript:
        with open(args.transcript, 'w') as f:
            for (cmd, _), out in zip(session, outputs):
                f.write('\n'.join([cmd] + out) + '\n')
    if args.update:
        with open(args.doc, 'w', encoding='utf-8') as f:
            f.write(update_doc(doc, session, outputs + [[]] * (len(session) - len(outputs))))
        print('updated %s from gdb (%d commands)' % (args.doc, len(session)))
        return 0
    if 'Traceback (most recent call last)' in raw.split('@@tg-step-0@@')[0]:
        print('FAILED: gdb/tapegrad.py did not load:\n' + raw.split('@@tg-step-0@@')[0])
        return 1
    bad = 0
    for i, (cmd, expected) in enumerate(session):
        actual = outputs[i] if i < len(outputs) else ['<gdb stopped before this command>']
        if not match(expected, actual):
            bad += 1
            print('MISMATCH at %s\n  doc says:\n    %s\n  gdb printed:\n    %s' %
                  (cmd, '\n    '.join(expected), '\n    '.join(actual)))
    if bad:
        print('\n%d of %d commands differ from %s. Whole gdb output:\n%s' %
              (bad, len(session), os.path.relpath(args.doc, ROOT), raw))
        return 1
    print('gdb session: all %d commands print what %s shows' % (len(session), os.path.relpath(args.doc, ROOT)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
