#!/usr/bin/env python3
"""Mutation testing of tapegrad: applies each mutation of tests/mutation/catalogue.txt to the source, rebuilds the
test programs it names in their own build tree (build/mutation, incremental), runs their tests, restores the source,
and reports which mutants the tests kill and which survive.

    tests/mutation/run.py                 # the whole catalogue
    tests/mutation/run.py gemm-k-blocks   # some mutations, by id (or a prefix ending in '*': 'prob-*')
    tests/mutation/run.py --list          # ids and files, nothing built
    tests/mutation/run.py --check         # only check that every mutation still applies (no build)

A mutant is killed when a test fails (or crashes, or runs past the time limit); it survives when every test passes.
A survivor the catalogue marks `equivalent:` (with the reason it cannot be told apart) is reported as such; any other
survivor, and any mutation whose text no longer applies exactly once, makes the run fail, so that the catalogue is
kept in step with the code. Mutations that do not compile are reported as errors too. The source is restored after
each mutant, also on Ctrl-C; a copy of the file being mutated is kept in build/mutation/backup until then, and
restored at the next start if the run was killed.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build", "mutation")
BACKUP = os.path.join(BUILD, "backup")
CATALOGUE = os.path.join(ROOT, "tests", "mutation", "catalogue.txt")


class Mutation:
    def __init__(self, ident, line):
        self.id, self.line = ident, line
        self.file, self.tests, self.equivalent, self.why, self.timeout = None, [], None, None, None
        self.find, self.replace = [], []

    def check(self):
        if not self.file or not self.find or not self.tests:
            raise SystemExit("%s:%d: [%s] needs file =, tests = and - / + lines" % (CATALOGUE, self.line, self.id))


def parse_catalogue(path):
    """Blocks of: [id], key = value lines (file, tests, why, equivalent), '- ' find lines, '+ ' replace lines."""
    mutations, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith("[") and line.endswith("]"):
                if cur:
                    cur.check()
                cur = Mutation(line[1:-1], n)
                if any(m.id == cur.id for m in mutations):
                    raise SystemExit("%s:%d: id [%s] is used twice" % (path, n, cur.id))
                mutations.append(cur)
            elif cur is None:
                raise SystemExit("%s:%d: text before the first [id]" % (path, n))
            elif line.startswith("- ") or line == "-":
                cur.find.append(line[2:])
            elif line.startswith("+ ") or line == "+":
                cur.replace.append(line[2:])
            elif "=" in line:
                key, value = (s.strip() for s in line.split("=", 1))
                if key == "file":
                    cur.file = value
                elif key == "tests":
                    cur.tests = value.split(";")  # "test_autodiff [ops]; test_vae" -> program and Catch2 filter
                elif key == "equivalent":
                    cur.equivalent = value
                elif key == "why":
                    cur.why = value
                elif key == "timeout":
                    cur.timeout = int(value)  # seconds per test program, for a mutant expected to be slow
                else:
                    raise SystemExit("%s:%d: unknown key '%s'" % (path, n, key))
            else:
                raise SystemExit("%s:%d: cannot read '%s'" % (path, n, line))
    if cur:
        cur.check()
    return mutations


def apply(m):
    """The mutated text of m.file, or an error message if the find text does not occur exactly once.

    One find line is a substring of the file. Several find lines must equal whole consecutive lines of the file,
    indentation aside; the replacement lines then take the indentation of the first matched line (plus their own).
    """
    path = os.path.join(ROOT, m.file)
    if not os.path.exists(path):
        return None, "file %s does not exist" % m.file
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if len(m.find) == 1:
        count = text.count(m.find[0])
        if count != 1:
            return None, "the text to mutate occurs %d times in %s (it must occur exactly once)" % (count, m.file)
        return text.replace(m.find[0], "\n".join(m.replace)), None
    lines = text.split("\n")
    want = [l.strip() for l in m.find]
    starts = [i for i in range(len(lines) - len(want) + 1)
              if all(lines[i + j].strip() == want[j] for j in range(len(want)))]
    if len(starts) != 1:
        return None, "the lines to mutate occur %d times in %s (they must occur exactly once)" % (len(starts), m.file)
    i = starts[0]
    indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
    return "\n".join(lines[:i] + [indent + r for r in m.replace] + lines[i + len(want):]), None


def put_back(backup, path):
    """Copies the saved source over the mutant with a new modification time: a restored file older than the objects
    built from its mutant would not be recompiled, and the mutant would stay in every later test program."""
    shutil.copyfile(backup, path)
    os.utime(path)


def restore_backup():
    if not os.path.isdir(BACKUP):
        return
    for name in os.listdir(BACKUP):
        rel = name.replace("__", "/")
        put_back(os.path.join(BACKUP, name), os.path.join(ROOT, rel))
        os.remove(os.path.join(BACKUP, name))
        print("restored %s from an interrupted run" % rel)


def run(cmd, timeout=None, log=None):
    # In a session of its own, so that a timeout kills the whole process group: a test program and every program
    # it started (a train_vae left running would hold a core through the mutants that follow).
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        stdout, _ = p.communicate(timeout=timeout)
        out, rc = stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        stdout, _ = p.communicate()
        out, rc = (stdout or b"").decode(errors="replace") + "\n[timed out after %ss]" % timeout, "timeout"
    except BaseException:  # Ctrl-C: stop the test program and its children before the source is restored
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        raise
    if log:
        log.write("$ %s\n%s\n" % (" ".join(cmd), out))
    return rc, out


def configure(jobs):
    os.makedirs(BUILD, exist_ok=True)
    if not os.path.exists(os.path.join(BUILD, "CMakeCache.txt")):
        rc, out = run(["cmake", "-S", ROOT, "-B", BUILD, "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DTG_BUILD_TESTS=ON",
                       "-DTG_BUILD_BENCH=OFF", "-DTG_WERROR=OFF"])
        if rc != 0:
            raise SystemExit("configure failed:\n" + out)


def programs(m):
    return sorted({t.split()[0] for t in m.tests})


def build(targets, jobs, log):
    rc, out = run(["cmake", "--build", BUILD, "-j", str(jobs), "--target"] + targets, log=log)
    return rc == 0, out


def run_tests(m, timeout, log):
    """True if every test passes (the mutant survives); the first failure ends it."""
    for spec in m.tests:
        parts = spec.split(None, 1)
        exe = os.path.join(BUILD, "tests", parts[0])
        cmd = [exe, "--abort", "--warn", "NoTests"] + ([parts[1]] if len(parts) > 1 else [])
        rc, out = run(cmd, timeout=timeout, log=log)
        if rc != 0:
            last = [l for l in out.splitlines() if l.strip()][-12:]
            return False, "%s: %s" % (spec, " | ".join(l.strip() for l in last if "FAILED" in l or "with expansion" in l
                                                       or "due to" in l or "timed out" in l)[:300])
    return True, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ids", nargs="*", help="mutation ids (a trailing * matches a prefix)")
    ap.add_argument("--list", action="store_true", help="list the catalogue")
    ap.add_argument("--check", action="store_true", help="only check that every mutation applies")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per test program run")
    args = ap.parse_args()

    mutations = parse_catalogue(CATALOGUE)
    if args.ids:
        chosen = [m for m in mutations
                  if any(m.id == i or (i.endswith("*") and m.id.startswith(i[:-1])) for i in args.ids)]
        if not chosen:
            raise SystemExit("no mutation matches %s" % " ".join(args.ids))
        mutations = chosen
    if args.list:
        for m in mutations:
            print("%-32s %-36s %s%s" % (m.id, m.file, ", ".join(m.tests), "  (equivalent)" if m.equivalent else ""))
        print("%d mutations" % len(mutations))
        return 0
    errors = [(m, apply(m)[1]) for m in mutations if apply(m)[1]]
    for m, e in errors:
        print("error: [%s] %s" % (m.id, e))
    if args.check:
        print("%d mutations, %d do not apply" % (len(mutations), len(errors)))
        return 1 if errors else 0

    restore_backup()
    configure(args.jobs)
    log = open(os.path.join(BUILD, "mutation.log"), "w", encoding="utf-8")
    targets = sorted({p for m in mutations for p in programs(m)})
    print("building %s in %s ..." % (" ".join(targets), os.path.relpath(BUILD, ROOT)), flush=True)
    ok, out = build(targets + (["train_vae"] if "test_examples" in targets else []), args.jobs, log)
    if not ok:
        raise SystemExit("the unmutated build fails; see build/mutation/mutation.log")
    for spec in sorted({s for m in mutations for s in m.tests}):
        survived, detail = run_tests(_with(spec), args.timeout, log)
        if not survived:
            raise SystemExit("the unmutated tests fail (%s); fix them first" % detail)

    results = []
    os.makedirs(BACKUP, exist_ok=True)
    for i, m in enumerate(mutations, 1):
        start = time.time()
        mutated, error = apply(m)
        if error:
            results.append((m, "error", error, 0.0))
            print("[%d/%d] %-32s ERROR %s" % (i, len(mutations), m.id, error), flush=True)
            continue
        path = os.path.join(ROOT, m.file)
        backup = os.path.join(BACKUP, m.file.replace("/", "__"))
        shutil.copy2(path, backup)
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(mutated)
            log.write("\n==== [%s] %s\n" % (m.id, m.file))
            extra = ["train_vae"] if any(p == "test_examples" for p in programs(m)) else []
            ok, out = build(programs(m) + extra, args.jobs, log)
            if not ok:
                status, detail = "error", "does not compile: " + next(
                    (l for l in out.splitlines() if "error" in l), "see build/mutation/mutation.log")[:200]
            else:
                survived, detail = run_tests(m, m.timeout or args.timeout, log)
                status = ("equivalent" if m.equivalent else "SURVIVED") if survived else "killed"
                if not survived and m.equivalent:
                    status = "killed-but-marked-equivalent"
        finally:
            put_back(backup, path)
            os.remove(backup)
        elapsed = time.time() - start
        results.append((m, status, detail, elapsed))
        print("[%d/%d] %-32s %-10s %5.0fs  %s" % (i, len(mutations), m.id, status, elapsed,
                                                   detail if status != "equivalent" else m.equivalent), flush=True)
    # Rebuild once more from the restored sources, so build/mutation is left matching them.
    build(targets, args.jobs, log)

    counts = {}
    for _, status, _, _ in results:
        counts[status] = counts.get(status, 0) + 1
    killed = counts.get("killed", 0) + counts.get("killed-but-marked-equivalent", 0)
    total = len(results) - counts.get("error", 0)
    print("\nmutation score: %d killed / %d mutants (%d equivalent, documented; %d survived; %d errors)" %
          (killed, total, counts.get("equivalent", 0), counts.get("SURVIVED", 0), counts.get("error", 0)))
    with open(os.path.join(BUILD, "report.txt"), "w", encoding="utf-8") as f:
        for m, status, detail, elapsed in results:
            f.write("%s\t%s\t%s\t%.0fs\t%s\n" % (m.id, m.file, status, elapsed, m.equivalent or detail))
    bad = [r for r in results if r[1] in ("SURVIVED", "error", "killed-but-marked-equivalent")]
    for m, status, detail, _ in bad:
        print("  %s: [%s] %s -- %s" % (status, m.id, m.file, detail or m.why or ""))
    return 1 if bad else 0


def _with(spec):
    m = Mutation("baseline", 0)
    m.tests = [spec]
    return m


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        restore_backup()
        raise
