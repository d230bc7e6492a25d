#!/usr/bin/env python3
"""The hostile-file table: makes every hostile file of the hardening catalogue (cards that claim another model than
the file holds, too many or too large text and meta entries, gzip bombs, lying sizes, implausible optimiser state,
values that forge terminal lines), runs train_vae on each (--resume FILE, or --data DIR for the IDX files), and
prints one row per file: its size, the outcome (exit status and the message), the time and the peak RSS of the
run (wait4's rusage of the child). docs/checkpoints.md quotes the table.

    tests/hostile/hostile_files.py [--program build/test/examples/train_vae] [--workdir /tmp/tg_hostile]

Needs only Python's standard library (zipfile, zlib, struct). Each run is killed after --limit seconds (a hang is
reported as such, never waited for).
"""
import argparse
import itertools
import os
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def npy(descr, shape, data):
    """The .npy bytes of an array (format 1.0), header padded to 64 bytes."""
    shape_text = "(" + "".join("%d, " % d for d in shape).rstrip(" ") + ")" if shape else "()"
    if len(shape) == 1:
        shape_text = "(%d,)" % shape[0]
    head = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    total = (10 + len(head) + 1 + 63) // 64 * 64
    head = head + " " * (total - 10 - len(head) - 1) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head.encode() + data


def text_npy(s):
    b = s.encode() if isinstance(s, str) else s
    return npy("|u1", (len(b),), b)


def read_entries(path):
    """The entries of an .npz as {name: npy bytes}, in order."""
    with zipfile.ZipFile(path) as z:
        return [(n[:-4], z.read(n)) for n in z.namelist()]


def write_npz(path, entries, deflate=()):
    """Entries (name, npy bytes); those named in `deflate` compressed."""
    with zipfile.ZipFile(path, "w", allowZip64=True) as z:
        for name, data in entries:
            method = zipfile.ZIP_DEFLATED if name in deflate or "*" in deflate else zipfile.ZIP_STORED
            z.writestr(zipfile.ZipInfo(name + ".npy", (1980, 1, 1, 0, 0, 0)), data, compress_type=method)


def with_text(base, changes, extra=(), deflate=()):
    out = [(n, d) for n, d in base if n not in ["text." + k for k in changes]]
    out += [("text." + k, text_npy(v)) for k, v in changes.items()]
    return out + list(extra)


def make_files(work, base_ckpt, two_layer_ckpt):
    """(name, path, kind) of every hostile file: kind 'resume' (train_vae --resume) or 'data' (train_vae --data)."""
    base = read_entries(base_ckpt)
    files = []

    def ckpt(name, entries, deflate=()):
        path = os.path.join(work, name + ".npz")
        write_npz(path, entries, deflate)
        files.append((name, path, "resume"))

    ckpt("card hidden 200000", with_text(base, {"arch.hidden": "200000"}))
    ckpt("card hidden 1000000", with_text(base, {"arch.hidden": "1000000"}))
    ckpt("card coupling_layers 200000", with_text(base, {"arch.posterior": "coupling", "arch.coupling_layers": "200000"}))
    ckpt("card coupling_layers 2^31", with_text(base, {"arch.posterior": "coupling", "arch.coupling_layers": "2147483648"}))
    ckpt("card 30000 hidden layers of 1", with_text(base, {"arch.hidden": ",".join(["1"] * 30000)}))
    ckpt("card float64, weights float32", with_text(base, {"dtype": "float64"}))
    ckpt("card activation forging a line", with_text(base, {"arch.activation": "tanh\n\x1b[1Atrain_vae: resumed (OK)"}))
    blob = text_npy("x" * 65536)  # one array, written under many names (entries made as they are written)
    ckpt("5000 deflated 64 KiB text entries", itertools.chain(base, (("text.t%d" % i, blob) for i in range(5000))),
         ("*",))
    ckpt("20000 deflated 64 KiB text entries", itertools.chain(base, (("text.t%d" % i, blob) for i in range(20000))),
         ("*",))
    one = npy("<f8", (), struct.pack("<d", 1.0))
    ckpt("10000 meta entries", base + [("meta.m%d" % i, one) for i in range(10000)])
    ckpt("100000 meta entries (zip64)", base + [("meta.m%d" % i, one) for i in range(100000)])
    step = [(n, npy("<i8", (), struct.pack("<q", 2**63 - 1)) if n == "optim.step" else d) for n, d in base]
    ckpt("optim.step 2^63-1", step)
    # A deflated weight whose zip64 extra field claims 1 GiB (the central directory's sizes say "see zip64").
    path = os.path.join(work, "bogus zip64 size.npz")
    write_npz(path, base)
    data = bytearray(open(path, "rb").read())
    lie_zip64_size(data, "encoder.0.weight.npy", 1 << 30)
    open(path, "wb").write(data)
    files.append(("bogus zip64 size", path, "resume"))
    files.append(("iwae-paper-2 file without --arch", two_layer_ckpt, "resume"))
    # IDX data: a gzip bomb, and a gzip file whose ISIZE claims 4 GiB.
    for name, images in (("gzip bomb 1.1 GB of zeros", gzip_bomb()), ("gzip ISIZE claiming 4 GiB", false_isize())):
        d = os.path.join(work, name)
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "train-images-idx3-ubyte.gz"), "wb").write(images)
        for split, n in (("train", 100), ("t10k", 10)):
            labels = struct.pack(">II", 0x801, n) + bytes(n)
            open(os.path.join(d, split + "-labels-idx1-ubyte"), "wb").write(labels)
        t10k = struct.pack(">IIII", 0x803, 10, 28, 28) + bytes(10 * 784)
        open(os.path.join(d, "t10k-images-idx3-ubyte"), "wb").write(t10k)
        files.append((name, d, "data"))
    return files


def lie_zip64_size(data, name, size):
    """Rewrites the central directory entry of `name`: sizes 0xFFFFFFFF and a zip64 extra field holding `size`."""
    key = name.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        nlen, elen = struct.unpack_from("<HH", data, at + 28)
        if data[at + 46:at + 46 + nlen] == key:
            extra = struct.pack("<HHQQ", 1, 16, size, struct.unpack_from("<I", data, at + 20)[0])
            struct.pack_into("<II", data, at + 20, 0xFFFFFFFF, 0xFFFFFFFF)
            struct.pack_into("<H", data, at + 30, len(extra))
            data[at + 46 + nlen:at + 46 + nlen + elen] = extra
            fix_end_record(data, len(extra) - elen)
            return
        at = data.find(b"PK\x01\x02", at + 46)
    raise SystemExit("no entry " + name)


def fix_end_record(data, grown):
    end = data.rfind(b"PK\x05\x06")
    cd_size = struct.unpack_from("<I", data, end + 12)[0]
    struct.pack_into("<I", data, end + 12, cd_size + grown)


def gzip_bomb():
    """1.1 GB of zeros as an IDX images file, gzipped: about 1 MB."""
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    n = 1400000
    out = [co.compress(struct.pack(">IIII", 0x803, n, 28, 28))]
    chunk = bytes(1 << 24)
    left = n * 784
    while left > 0:
        out.append(co.compress(chunk[:min(left, len(chunk))]))
        left -= len(chunk)
    return b"".join(out) + co.flush()


def false_isize():
    """A real IDX images file of 100 zero images, gzipped, with ISIZE claiming 4 GiB - 1."""
    raw = struct.pack(">IIII", 0x803, 100, 28, 28) + bytes(100 * 784)
    gz = bytearray(zlib.compress(raw, 9, wbits=31) if sys.version_info >= (3, 11) else gzip_compress(raw))
    struct.pack_into("<I", gz, len(gz) - 4, 0xFFFFFFFF)
    return bytes(gz)


def gzip_compress(raw):
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    return co.compress(raw) + co.flush()


def run(program, args, limit):
    """(status, output, seconds, peak RSS in MB) of one run, killed after `limit` seconds."""
    t0 = time.monotonic()
    p = subprocess.Popen([program] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    status, rusage, out = None, None, b""
    while status is None:
        pid, st, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            status, rusage = st, ru
        elif time.monotonic() - t0 > limit:
            p.kill()
            _, st, rusage = os.wait4(p.pid, 0)
            status = "killed after %d s" % limit
        else:
            time.sleep(0.01)
    out = p.stdout.read().decode(errors="replace")
    seconds = time.monotonic() - t0
    if not isinstance(status, str):
        status = os.waitstatus_to_exitcode(status)
    return status, out, seconds, rusage.ru_maxrss / 1024.0


def outcome(status, out, workdir):
    lines = [l for l in out.splitlines() if "error" in l] or out.strip().splitlines()[-1:] or [""]
    text = lines[0].replace(workdir + "/", "").replace("|", "\\|")
    return "exit %s: `%s`" % (status, (text[:220] + "...") if len(text) > 220 else text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--program", default=os.path.join(ROOT, "build", "test", "examples", "train_vae"))
    ap.add_argument("--workdir", default="/tmp/tg_hostile_files")
    ap.add_argument("--limit", type=float, default=120)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    common = ["--train-n", "256", "--eval-n", "16", "--eval-k", "10", "--eval-k-epoch", "5", "--batch", "64"]
    base_out, two_out = os.path.join(a.workdir, "base"), os.path.join(a.workdir, "two")
    for args in ([*common, "--epochs", "1", "--hidden", "16", "--latent", "2", "--out", base_out],
                 [*common, "--epochs", "1", "--arch", "iwae-paper-2", "--out", two_out]):
        status, out, _, _ = run(a.program, args, a.limit)
        if status != 0:
            raise SystemExit("the base run failed: " + out)
    files = make_files(a.workdir, os.path.join(base_out, "checkpoint.npz"), os.path.join(two_out, "checkpoint.npz"))
    print("| file | size | outcome | time | peak RSS |")
    print("|---|---:|---|---:|---:|")
    for name, path, kind in files:
        out_dir = os.path.join(a.workdir, "out")
        shutil.rmtree(out_dir, ignore_errors=True)
        flag = ["--resume", path, "--data", "shapes", "--epochs", "2"] if kind == "resume" else ["--data", path]
        status, out, seconds, rss = run(a.program, [*common, *flag, "--out", out_dir], a.limit)
        size = sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path)) if kind == "data" \
            else os.path.getsize(path)
        print("| %s | %s | %s | %.2f s | %.0f MB |" % (name, human(size), outcome(status, out, a.workdir), seconds, rss))
        sys.stdout.flush()


def human(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return ("%d %s" if unit == "B" else "%.1f %s") % (n, unit)
        n /= 1000.0


if __name__ == "__main__":
    main()
