#!/usr/bin/env python3
"""Replays the gdb labs of docs/teaching.md on the solutions' graders and checks that gdb prints what the labs say.

A lab is a ```gdb block whose first line is "# lab EXERCISE, at: CODE": the program is the grader built with the
solution (assignment_EXERCISE_solution), "LINE" in its commands is the line of EXERCISE.cpp holding CODE (a student
finds it in their own file). A line "(gdb) CMD  # comment" is a command; the lines under it are what gdb printed:
each must appear, in order, in gdb's output for that command ($N history numbers and spaces normalised; numbers
equal within 1e-9, relative). A command with no lines under it is not compared (run, break).

  gdb_labs.py --doc docs/teaching.md --solutions DIR --programs DIR [--gdb GDB] [--show]

Exit status: 0 every lab matches, 1 a mismatch (or gdb missing with CI=true), 77 gdb missing (CTest: skipped).
--show prints what gdb printed for each command (to write a new lab).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

BLOCK = re.compile(r'^```gdb\n(.*?)^```\n', re.S | re.M)
HEADER = re.compile(r'^# lab (\w+), at: (.+)$')
NUMBER = re.compile(r'[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?')


def parse_labs(doc):
    """[(exercise, code, [(command, [expected lines])])] from the lab blocks of the doc."""
    labs = []
    for block in BLOCK.findall(doc):
        lines = block.splitlines()
        header = HEADER.match(lines[0]) if lines else None
        if not header:
            continue
        steps = []
        for line in lines[1:]:
            if line.startswith('(gdb) '):
                steps.append((re.sub(r'\s+#.*$', '', line[len('(gdb) '):]).strip(), []))
            elif steps and line.strip():
                steps[-1][1].append(line)
        labs.append((header.group(1), header.group(2).strip(), steps))
    return labs


def line_of(path, code):
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if code in line:
                return number
    raise SystemExit('%s: no line holds "%s" (the lab\'s "at:")' % (path, code))


def run_lab(gdb, program, commands, workdir):
    """gdb's output for each command, in order."""
    script = os.path.join(workdir, 'lab.gdb')
    with open(script, 'w') as f:
        for i, command in enumerate(commands):
            f.write('echo @@tg-step-%d@@\\n\n%s\n' % (i, command))
        f.write('echo @@tg-end@@\\n\nkill\n')
    cmd = [gdb, '-nx', '-batch', '-iex', 'set debuginfod enabled off', '-iex', 'set pagination off',
           '-iex', 'set width 0', '-iex', 'set breakpoint pending on', '-x', script, program]
    env = dict(os.environ, TG_NUM_THREADS='1', LC_ALL='C.UTF-8')
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, timeout=300,
                         cwd=workdir).stdout
    parts = re.split(r'^@@tg-(?:step-\d+|end)@@$', out, flags=re.M)
    return [p.strip('\n').splitlines() for p in parts[1:len(commands) + 1]]


def same(expected, actual):
    norm = lambda s: ' '.join(re.sub(r'\$\d+', '$N', s).split())
    e, a = norm(expected), norm(actual)
    if NUMBER.sub('#', e) != NUMBER.sub('#', a):
        return False
    for x, y in zip(NUMBER.findall(e), NUMBER.findall(a)):
        if abs(float(x) - float(y)) > 1e-9 * max(1.0, abs(float(x))):
            return False
    return True


def check(commands, outputs, name):
    failures = []
    for (command, expected), got in zip(commands, outputs):
        at = 0
        for line in expected:
            while at < len(got) and not same(line, got[at]):
                at += 1
            if at == len(got):
                failures.append('lab %s, (gdb) %s: expected "%s", gdb printed:\n  %s' %
                                (name, command, line, '\n  '.join(got) or '(nothing)'))
                break
            at += 1
    return failures


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--doc', required=True)
    p.add_argument('--solutions', required=True)
    p.add_argument('--programs', required=True)
    p.add_argument('--gdb', default='')
    p.add_argument('--show', action='store_true')
    args = p.parse_args()
    gdb = args.gdb or shutil.which('gdb')
    if not gdb or not os.path.exists(gdb):
        print('gdb is not installed (apt-get install gdb): the labs cannot be replayed')
        return 1 if os.environ.get('CI') == 'true' else 77
    with open(args.doc) as f:
        labs = parse_labs(f.read())
    if not labs:
        raise SystemExit('%s: no gdb lab (a ```gdb block opening with "# lab EXERCISE, at: CODE")' % args.doc)
    failures = []
    with tempfile.TemporaryDirectory() as workdir:
        for name, code, steps in labs:
            line = line_of(os.path.join(args.solutions, name + '.cpp'), code)
            commands = [c.replace('LINE', str(line)) for c, _ in steps]
            program = os.path.abspath(os.path.join(args.programs, 'assignment_%s_solution' % name))
            if not os.path.exists(program):
                raise SystemExit('%s: no such program (build it: the lab %s runs it)' % (program, name))
            outputs = run_lab(gdb, program, commands, workdir)
            if args.show:
                for command, got in zip(commands, outputs):
                    print('(gdb) %s\n%s' % (command, '\n'.join('    ' + g for g in got)))
            failures += check(steps, outputs, name)
            print('lab %s: %s' % (name, 'see below' if any(f.startswith('lab %s,' % name) for f in failures) else 'ok'))
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
