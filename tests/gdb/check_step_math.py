#!/usr/bin/env python3
"""Steps into the backward of tanh and of matmul from the reverse sweep, as a student would in gdb, and checks that
gdb arrives at the math: a function whose name ends in `_reference` (a kernel's plain-loop twin), or, when no kernel
runs, the op's own code under autodiff/ops/; never a SIMD frame (autodiff/runtime/simd.hpp, simd_math.hpp, tg::simd::) and never the
standard library's insides on the way. Meant for a reference build (TG_REFERENCE_KERNELS), where every kernel is its
plain twin; in a build on the fast path it fails (tanh's backward runs SIMD code), which is what it guards.

How it steps (docs/debugging.md, "Step into a derivative"): with the standard library skipped (SKIPS below), a
breakpoint on the sweep's call of an entry's backward rule in autodiff/tape.cpp, taken only for the entry of the
op; then `step` after `step` until a `_reference` function, a forbidden frame, or the rule's return to the sweep.
Inside the `_reference` function it steps on to the line of its element loop. Every frame passed is listed.

  check_step_math.py --program build/debug/tests/gdb_backward_math [--gdb GDB] [--transcript OUT] [--ops tanh,matmul]

Then, as a control, the same again with the program run with --fast (reference mode switched off): there the
descent must not land, or the check could not tell the twins from the fast kernels (--no-control skips it).

Exit status: 0 every op lands on the math (and the control does not), 1 otherwise (or gdb missing with CI=true),
77 gdb missing.
The same file is the script gdb runs (it knows by `import gdb`).
"""
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# What a student types first (docs/debugging.md): `step` then never enters the standard library.
SKIPS = ['skip -gfi /usr/include/*', 'skip -gfi /usr/lib/gcc/*', 'skip -rfu ^std::', 'skip -rfu ^__gnu_cxx::']
# The sweep's call of an entry's backward rule, found in this file by its text, and the entry it belongs to.
SWEEP_FILE = 'autodiff/tape.cpp'
SWEEP_CALL = re.compile(r'=\s*\w+\.backward\(\s*\w+\s*\)')
MAX_STEPS = 4000
MAX_LOOP_STEPS = 40  # inside the _reference function, to its element loop
# a line of an element loop: y[i] = ..., c[j] += ..., or acc += a[k] * b[k]
ELEMENT_LINE = re.compile(r'\w\s*\[[^]]*\]\s*[-+*/]?=[^=]|\b\w+\s*[-+*/]=[^=].*\w\s*\[')


def sweep_line():
    with open(os.path.join(ROOT, SWEEP_FILE), encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if SWEEP_CALL.search(line.partition('//')[0]):
                return n
    return None


# ---- inside gdb -------------------------------------------------------------------------------------------------

def short_name(fn):
    """tg::kernels::gemm_reference<float>(bool, ...) -> tg::kernels::gemm_reference; a lambda in tg::tanh ->
    tg::tanh::{lambda#1}::operator: template arguments and parameter lists dropped."""
    out, depth = '', 0
    for ch in (fn or '??').replace('(anonymous namespace)', '{anonymous}'):
        if ch in '<(':
            depth += 1
        elif ch in '>)' and depth:
            depth -= 1
        elif depth == 0:
            out += ch
    return out.replace(' const', '').strip()


def classify(fn, path):
    """'std' or 'simd' for a frame the descent must never stop in; 'system' for one outside the repository
    (left with `finish`); 'reference', 'ops', 'kernel' or 'other'."""
    name = short_name(fn)
    if path.startswith('/usr/') or name.startswith(('std::', '__gnu_cxx::')):
        return 'std'
    if not re.match(r'(%s)/' % '|'.join(TOP_FOLDERS), path):
        return 'system'  # the C library (with its debug symbols installed: malloc.c): `finish` returns from it
    if re.match(r'autodiff/simd[\w.]*\.hpp$', path) or '::simd::' in name or name.startswith('simd::'):
        return 'simd'
    if name.endswith('_reference'):
        return 'reference'
    if path.startswith('autodiff/ops/'):
        return 'ops'
    if re.match(r'autodiff/(kernels[\w]*\.(cpp|hpp)|gemm\.(cpp|hpp))$', path):
        return 'kernel'
    return 'other'


def inside_gdb():
    """Run by gdb after gdb/tapegrad.py (the command line sources it first), whose helpers it uses: kind, member,
    _strip, _cstr, repo_path, TOP_FOLDERS (gdb runs both files in one namespace)."""
    import gdb

    def where():
        f = gdb.newest_frame()
        depth, g = 0, f
        while g is not None:
            depth, g = depth + 1, g.older()
        sal = f.find_sal()
        path = repo_path(sal.symtab.fullname()) if sal.symtab else '??'
        return depth, f.name() or '??', path, sal.line

    def source(path, line):
        try:
            with open(os.path.join(ROOT, path), encoding='utf-8') as src:
                return src.readlines()[line - 1].strip()
        except (OSError, IndexError):
            return ''

    def entry_op():
        """The op of the tape entry the sweep is at (a local TapeEntry& of the selected frame), or None."""
        try:
            frame = gdb.selected_frame()
            block = frame.block()
        except (RuntimeError, gdb.error):
            return None
        while block is not None and not block.is_global:
            for sym in block:
                if sym.is_variable and kind(_strip(sym.type)) == 'TapeEntry':
                    try:
                        return _cstr(member(sym.value(frame), 'op'), 64)
                    except (ValueError, gdb.error, gdb.MemoryError):
                        return None
            block = block.superblock
        return None

    class SweepBreak(gdb.Breakpoint):
        """The sweep's call of a backward rule, taken only for the entries of the ops asked for."""

        def __init__(self, spec, ops):
            super().__init__(spec)
            self.ops = ops

        def stop(self):
            return entry_op() in self.ops

    ops = os.environ['TG_STEP_OPS'].split(',')
    result = {'ops': {}, 'log': []}
    line = sweep_line()
    if line is None:
        result['error'] = 'no line of %s matches the sweep call %s (check_step_math.py, SWEEP_CALL)' % (
            SWEEP_FILE, SWEEP_CALL.pattern)
    else:
        for cmd in SKIPS:
            gdb.execute(cmd, to_string=True)
        sweep = SweepBreak('%s:%d' % (SWEEP_FILE, line), set(ops))  # by its path in the repository
        gdb.execute('run', to_string=True)
        for _ in ops:
            try:
                depth0, fn0, path0, line0 = where()
            except gdb.error:
                break  # the program has exited
            op = entry_op()
            if path0 != SWEEP_FILE or op not in sweep.ops:
                break
            sweep.ops.discard(op)
            r = {'sweep': '%s:%d' % (path0, line0), 'frames': [], 'landed': None, 'verdict': ''}
            forbidden = None
            for _ in range(MAX_STEPS):
                gdb.execute('step', to_string=True)
                depth, fn, path, ln = where()
                if depth <= depth0:
                    break  # the rule returned to the sweep
                cls = classify(fn, path)
                r['frames'].append([depth - depth0, short_name(fn), path, ln, cls])
                if cls in ('std', 'simd'):
                    forbidden = r['frames'][-1]
                    break
                if cls == 'system':
                    gdb.execute('finish', to_string=True)
                    continue
                if cls == 'reference':
                    for _ in range(MAX_LOOP_STEPS):  # on to its element loop
                        if ELEMENT_LINE.search(source(path, ln).partition('//')[0]):
                            break
                        gdb.execute('step', to_string=True)
                        d2, fn2, path2, ln2 = where()
                        if short_name(fn2) != short_name(fn):
                            break
                        ln = ln2
                    r['landed'] = [short_name(fn), path, ln, source(path, ln)]
                    break
            kinds = {f[4] for f in r['frames']}
            if forbidden:
                r['verdict'] = 'FAIL: stepped into %s frame %s at %s:%d' % (
                    'a SIMD' if forbidden[4] == 'simd' else 'a standard library', forbidden[1], forbidden[2],
                    forbidden[3])
            elif 'ops' not in kinds:
                r['verdict'] = 'FAIL: never passed the backward rule of %s under autodiff/ops/' % op
            elif r['landed']:
                r['verdict'] = 'ok: landed on %s at %s:%d' % tuple(r['landed'][:3])
            elif 'kernel' in kinds:
                k = next(f for f in r['frames'] if f[4] == 'kernel')
                r['verdict'] = 'FAIL: ran kernel code that is not a _reference twin (%s at %s:%d)' % tuple(k[1:4])
            else:  # the derivative is written in ops/ itself: the last line there is where it was computed
                last = [f for f in r['frames'] if f[4] == 'ops'][-1]
                r['landed'] = [last[1], last[2], last[3], source(last[2], last[3])]
                r['verdict'] = 'ok: the derivative is computed in %s at %s:%d' % tuple(last[1:4])
            result['ops'][op] = r
            gdb.execute('continue', to_string=True)
    with open(os.environ['TG_STEP_RESULT'], 'w') as f:
        json.dump(result, f)


# ---- the driver -------------------------------------------------------------------------------------------------

def collapse(frames):
    """Consecutive stops in one function at one depth as one line: depth, function, file:first-last line."""
    out = []
    for depth, fn, path, ln, cls in frames:
        if out and out[-1][0] == depth and out[-1][1] == fn:
            out[-1][4] = ln
        else:
            out.append([depth, fn, path, ln, ln, cls])
    return ['%s%s  %s:%d%s%s' % ('  ' * min(depth, 20), fn, path, a, '' if a == b else '..%d' % b,
                                 '' if cls == 'other' else '  [%s]' % cls)
            for depth, fn, path, a, b, cls in out]


def descend(gdb, program, ops, base, fast):
    """Runs the descent in gdb; (every op landed, the transcript's lines)."""
    result_file = base + ('_fast' if fast else '') + '.json'
    if os.path.exists(result_file):
        os.remove(result_file)
    cmd = [gdb, '-nx', '-batch', '-iex', 'set debuginfod enabled off', '-iex', 'set pagination off',
           '-ex', 'source ' + os.path.join(ROOT, 'gdb', 'tapegrad.py'), '-x', os.path.abspath(__file__),
           '--args', program] + (['--fast'] if fast else [])
    env = dict(os.environ, TG_NUM_THREADS='1', LC_ALL='C.UTF-8', TG_STEP_OPS=ops, TG_STEP_RESULT=result_file)
    raw = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
                         timeout=600).stdout
    lines = []
    try:
        with open(result_file) as f:
            result = json.load(f)
    except (OSError, ValueError):
        result = {'error': 'gdb wrote no result; its output:\n' + raw, 'ops': {}}
    if result.get('error'):
        lines.append('FAILED: ' + result['error'])
    ok = not result.get('error')
    for op in ops.split(','):
        r = result['ops'].get(op)
        if r is None:
            lines.append('%s: FAIL: the sweep never reached an entry of %s' % (op, op))
            ok = False
            continue
        lines.append('%s: from the sweep at %s, `step` stopped in (depth below the sweep, function, file:lines):'
                     % (op, r['sweep']))
        lines += ['  ' + s for s in collapse(r['frames'])]
        if r['landed']:
            lines.append('  lands on %s:%d: %s' % (r['landed'][1], r['landed'][2], r['landed'][3]))
        lines.append('  ' + r['verdict'])
        ok = ok and r['verdict'].startswith('ok')
    return ok, lines


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument('--gdb', default='')
    ap.add_argument('--program', required=True)
    ap.add_argument('--transcript', default='')
    ap.add_argument('--ops', default='tanh,matmul')
    ap.add_argument('--no-control', action='store_true', help='skip the run on the fast kernels (--fast)')
    args = ap.parse_args()
    gdb = args.gdb if args.gdb and os.path.exists(args.gdb) else shutil.which('gdb')
    if not gdb:
        if os.environ.get('CI') == 'true':
            print('FAILED: gdb is not installed, and CI must run this test (.ci/run installs gdb)')
            return 1
        print('skipped: gdb is not installed (apt-get install gdb), so nothing can be stepped into')
        return 77
    base = os.path.splitext(args.transcript or os.path.join(os.path.dirname(args.program), 'gdb_step_math'))[0]
    ok, lines = descend(gdb, args.program, args.ops, base, fast=False)
    if not args.no_control:
        # The control: the same descent with reference mode switched off by the program (--fast) must not land,
        # or the check could not tell the twins from the fast kernels.
        fast_ok, fast_lines = descend(gdb, args.program, args.ops, base, fast=True)
        lines += ['', 'control: the same with reference mode off (the program run with --fast), which must not '
                  'land on the math:'] + ['  ' + s for s in fast_lines]
        lines.append('  control ' + ('FAILED: it lands on the math all the same, so this check cannot tell the '
                                     'fast kernels from their twins' if fast_ok else 'ok: it does not land'))
        ok = ok and not fast_ok
    text = '\n'.join(lines) + '\n'
    if args.transcript:
        with open(args.transcript, 'w') as f:
            f.write(text)
    print(text + ('every backward stepped into lands on the math' if ok else
                  'FAILED: a backward stepped into from the sweep does not land on the math, or the control does '
                  '(see above)'))
    return 0 if ok else 1


try:
    import gdb as _gdb  # noqa: F401  (run by gdb: the stepping itself)
    inside_gdb()
except ImportError:
    if __name__ == '__main__':
        sys.exit(main())
