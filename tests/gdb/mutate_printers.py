#!/usr/bin/env python3
"""Breaks gdb/tapegrad.py in small, plausible ways, one at a time, and checks that the gdb sessions catch each one:
docs/debugging.md (gdb_walkthrough) and tests/gdb/printers.md (gdb_printers). The printers are Python, so nothing
is rebuilt; tests/mutation/run.py, which rebuilds Catch2 programs, does not cover them.

  tests/gdb/mutate_printers.py [--build build/test] [ids...]

Needs the two programs built (cmake --build build/test --target gdb_iwae_step gdb_probe). The file is restored after
each mutant (also on Ctrl-C). Exit status 0 when every mutant is caught, 1 otherwise (a survivor, or a mutation
whose text does not occur exactly once: update it with the code).
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.path.join(ROOT, 'gdb', 'tapegrad.py')

# (id, the text to replace (exactly once in gdb/tapegrad.py), its replacement, what it breaks)
MUTATIONS = [
    ('list-spilled-read-inline', "        elems = heap\n", "        elems = inline.address.cast(tensor.pointer())\n",
     'a list past four inline tensors is read from the inline bytes'),
    ('list-inline-off-by-one', 'if n < 0 or n > fits:', 'if n < 0 or n >= fits:',
     'a list of exactly four (the inline capacity) is refused'),
    ('list-spill-as-vector', "        heap = _ptr(spill)\n", "        return _vector(spill)\n",
     'the old reading: spill_ taken for a std::vector'),
    ('tensor-entry-0', "        if self.entry >= 0:\n            s += ' #%d' % self.entry",
     "        if self.entry > 0:\n            s += ' #%d' % self.entry", 'a tensor of entry 0 does not show #0'),
    ('entry-index-off-by-one', "return '#%d %s ->%s %s at %s' % (out.entry,",
     "return '#%d %s ->%s %s at %s' % (out.entry + 1,", 'the entry printer counts from 1'),
    ('tg-tape-from-1', 'first = 0 if n is None else', 'first = 1 if n is None else', 'tg-tape leaves out entry 0'),
    ('tg-entry-0-refused', 'if not 0 <= i < len(entries):', 'if not 0 < i < len(entries):',
     '$tg_entry(0) is refused'),
    ('tape-printer-drops-first', 'for e in entries[-self.LAST:]:', 'for e in entries[-self.LAST:][1:]:',
     'the Tape printer leaves out the first entry it should show'),
    ('tg-grad-newest', 'if best_rank is None or rank > best_rank:', 'if best_rank is None:',
     'tg-grad takes the newest tensor of the name (a detached copy after DReG)'),
    ('tg-grad-no-grad-first', 'rank = (view.grad() is not None, view.requires_grad, view.entry >= 0)',
     'rank = (view.entry < 0,)', 'tg-grad prefers a leaf or a detached copy'),
    ('normal-log-var-always', 'if tensor_impl(log_var) is not None:', 'if True:',
     'a Normal from scale shows an undefined log_var'),
    ('bernoulli-event-dims', "'prob::Bernoulli event_dims=%d' % int(member(self.val, 'event_dims'))",
     "'prob::Bernoulli event_dims=%d' % 0", 'the Bernoulli printer does not read event_dims'),
    ('bernoulli-logits-grad', "yield 'logits', describe(logits, with_grad=False)",
     "yield 'logits', describe(logits, with_grad=True)", 'the Bernoulli printer shows what the others do not'),
    ('tg-values-ignored', 'VALUES = max(1, int(arg))', 'VALUES = max(6, int(arg))', 'tg-values 2 changes nothing'),
    ('tensorimpl-unprinted', "    'TensorImpl': TensorPrinter,\n", '',
     'a TensorImpl (*x.impl_._M_ptr) prints as a raw struct'),
    ('softmax-axis', 'for j in range(inner):', 'for j in range(max(1, inner - 1)):',
     'tg-softmax leaves a column unnormalised'),
]


def run_sessions(build):
    """True when both sessions pass."""
    sessions = [('gdb_iwae_step', os.path.join(ROOT, 'docs', 'debugging.md')),
                ('gdb_probe', os.path.join(ROOT, 'tests', 'gdb', 'printers.md'))]
    for program, doc in sessions:
        cmd = [sys.executable, os.path.join(ROOT, 'tests', 'gdb', 'check_gdb.py'), '--program',
               os.path.join(build, 'tests', program), '--doc', doc,
               '--transcript', os.path.join(build, 'tests', 'mutant_%s.txt' % program)]
        if subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
            return False, os.path.relpath(doc, ROOT)
    return True, ''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(ROOT, 'build', 'test'))
    ap.add_argument('ids', nargs='*')
    args = ap.parse_args()
    with open(TARGET, encoding='utf-8') as f:
        original = f.read()
    ok, _ = run_sessions(args.build)
    if not ok:
        print('FAILED: the sessions do not pass on the unmutated printers; fix that first')
        return 1
    bad = 0
    try:
        for ident, find, replace, why in MUTATIONS:
            if args.ids and ident not in args.ids:
                continue
            if original.count(find) != 1:
                print('%-28s ERROR: its text occurs %d times in gdb/tapegrad.py' % (ident, original.count(find)))
                bad += 1
                continue
            with open(TARGET, 'w', encoding='utf-8') as f:
                f.write(original.replace(find, replace))
            passed, where = run_sessions(args.build)
            print('%-28s %s  (%s)' % (ident, 'SURVIVED' if passed else 'killed by ' + where, why), flush=True)
            bad += passed
    finally:
        with open(TARGET, 'w', encoding='utf-8') as f:
            f.write(original)
    print('%d mutants of gdb/tapegrad.py not caught' % bad if bad else 'every mutant of gdb/tapegrad.py is caught')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
