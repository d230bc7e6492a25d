#!/usr/bin/env python3
"""The PyTorch/NumPy export of a checkpoint agrees with tapegrad (docs/checkpoints.md).

For three architectures (tanh/Bernoulli, relu/Normal, sigmoid/Bernoulli with two hidden layers): checkpoint_probe
writes a fresh model's checkpoint and tapegrad's numbers for fixed x and eps; examples/vae_to_torch.py rebuilds the
model from the file alone and must agree -- with torch when it is installed (log w, ELBO, IWAE bound), and always
with NumPy alone (mu, log_var, decode_mean for fixed z). Then a checkpoint whose card names the wrong activation
must make the NumPy check fail: the card is what makes the export right.

  check_export.py --probe PATH_TO_checkpoint_probe --workdir DIR
"""
import argparse
import importlib.util
import os
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    if os.environ.get('CI') == 'true':
        print('FAILED: NumPy is not installed, and CI must run this test (.ci/run installs python3-numpy)')
        sys.exit(1)
    print('skipped: NumPy is not installed for %s (apt-get install python3-numpy)' % sys.executable)
    sys.exit(77)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, 'examples', 'vae_to_torch.py')
ARCHS = ['6-5-3 tanh bernoulli', '5-4-2 relu normal', '7-6-4-3 sigmoid bernoulli glorot']


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print('$ ' + ' '.join(cmd) + '\n' + r.stdout.rstrip())
    return r.returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--probe', required=True)
    ap.add_argument('--workdir', required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    have_torch = importlib.util.find_spec('torch') is not None
    print('torch is %s' % ('installed: the torch model is checked too' if have_torch else
                           'not installed: NumPy only (apt-get install python3-torch for the torch check)'))
    failures = 0
    for i, arch in enumerate(ARCHS):
        ckpt, probe = [os.path.join(args.workdir, '%s%d.npz' % (s, i)) for s in ('model', 'probe')]
        if run([args.probe, '--new', arch, ckpt, str(10 + i)]) or run([args.probe, ckpt, probe, '4', '6', str(i)]):
            failures += 1
            continue
        failures += run([sys.executable, SCRIPT, ckpt, '--probe', probe, '--numpy']) != 0
        if have_torch:
            failures += run([sys.executable, SCRIPT, ckpt, '--probe', probe]) != 0
    # The same weights under a card that names another activation: the export must notice (decoder off).
    f = dict(np.load(os.path.join(args.workdir, 'model0.npz')))
    f['text.arch.activation'] = np.frombuffer(b'relu', dtype=np.uint8)
    lying = os.path.join(args.workdir, 'lying.npz')
    np.savez(lying, **f)
    if run([sys.executable, SCRIPT, lying, '--probe', os.path.join(args.workdir, 'probe0.npz'), '--numpy']) == 0:
        print('FAILED: a card naming the wrong activation was not noticed')
        failures += 1
    print('%d passed, %d failed' % (len(ARCHS) * (2 if have_torch else 1) + 1 - failures, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
