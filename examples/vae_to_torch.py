#!/usr/bin/env python3
"""A tapegrad VAE checkpoint as a torch.nn model, for when a student outgrows tapegrad.

  examples/vae_to_torch.py CHECKPOINT.npz [--probe PROBE.npz] [--numpy]

Reads the model card (text.* entries: architecture, dtype, binarisation, command line) and the weights, builds the
same model in torch.nn (loaded with strict=True: every name and shape must match), and prints its ELBO and IWAE
bound on the probe's data with the probe's noise. PROBE.npz comes from `checkpoint_probe CHECKPOINT PROBE.npz`
(tapegrad's own numbers for the same x and eps): each quantity is compared and the script exits 1 if one differs.
Without torch (or with --numpy) the decoder and encoder are computed from the arrays with NumPy alone.
The file format: docs/checkpoints.md.
"""
import argparse
import sys

import numpy as np

ACTIVATIONS = {
    'relu': lambda a: np.maximum(a, 0), 'tanh': np.tanh, 'sigmoid': lambda a: 1 / (1 + np.exp(-a)),
    'softplus': lambda a: np.logaddexp(0, a), 'identity': lambda a: a,
}


def model_card(f):
    card = {k[len('text.'):]: bytes(f[k]).decode('utf-8') for k in f.files if k.startswith('text.')}
    if card.get('format') != 'tapegrad-vae 1':
        sys.exit('not a self-describing tapegrad VAE checkpoint: text.format is %r' % card.get('format'))
    card['hidden'] = [int(h) for h in card['arch.hidden'].split(',') if h]
    card['data_dim'], card['latent'] = int(card['arch.data_dim']), int(card['arch.latent'])
    return card


def layers(f, prefix):
    """[(W (out, in), b (out,)), ...] of encoder or decoder, in order: encoder.0.weight, encoder.0.bias, ..."""
    out, i = [], 0
    while prefix + '.%d.weight' % i in f.files:
        out.append((f[prefix + '.%d.weight' % i].astype(np.float64), f[prefix + '.%d.bias' % i].astype(np.float64)))
        i += 1
    return out


def mlp_numpy(params, act, h):
    for i, (W, b) in enumerate(params):
        h = h @ W.T + b  # weights are stored (out, in), like torch.nn.Linear
        if i + 1 < len(params):
            h = act(h)
    return h


def numpy_model(f, card):
    act = ACTIVATIONS[card['arch.activation']]
    enc, dec = layers(f, 'encoder'), layers(f, 'decoder')
    L, D = card['latent'], card['data_dim']

    def encode(x):
        h = mlp_numpy(enc, act, x)
        return h[..., :L], h[..., L:]  # mu and log_var side by side

    def decode_mean(z):
        out = mlp_numpy(dec, act, z)
        return 1 / (1 + np.exp(-out)) if card['arch.likelihood'] == 'bernoulli' else out[..., :D]
    return encode, decode_mean


def torch_model(f, card):
    import torch
    import torch.nn as tnn

    acts = {'relu': torch.relu, 'tanh': torch.tanh, 'sigmoid': torch.sigmoid,
            'softplus': tnn.functional.softplus, 'identity': lambda h: h}
    D, L, hidden = card['data_dim'], card['latent'], card['hidden']
    out = 2 * D if card['arch.likelihood'] == 'normal' else D

    class MLP(tnn.ModuleList):  # Linear layers named 0, 1, ..., the activation between them: tapegrad's names
        def __init__(self, sizes):
            super().__init__(tnn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

        def forward(self, h):
            for i, layer in enumerate(self):
                h = layer(h)
                if i + 1 < len(self):
                    h = acts[card['arch.activation']](h)
            return h

    class VAE(tnn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = MLP([D] + hidden + [2 * L])
            self.decoder = MLP([L] + hidden[::-1] + [out])

        def log_weights(self, x, eps):  # (K, B): log p(x|z) + log p(z) - log q(z|x), z = mu + sigma eps
            h = self.encoder(x)
            mu, log_var = h[..., :L], h[..., L:]
            z = mu + torch.exp(0.5 * log_var) * eps
            o = self.decoder(z)
            if card['arch.likelihood'] == 'bernoulli':
                log_px_z = (x * o - tnn.functional.softplus(o)).sum(-1)
            else:
                m, lv = o[..., :D], o[..., D:]
                log_px_z = (-0.5 * (np.log(2 * np.pi) + lv + (x - m) ** 2 / torch.exp(lv))).sum(-1)
            log_pz = (-0.5 * (np.log(2 * np.pi) + z ** 2)).sum(-1)
            log_qz = (-0.5 * (np.log(2 * np.pi) + log_var + eps ** 2)).sum(-1)
            return log_px_z + log_pz - log_qz

    model = VAE().double()
    state = {k: torch.from_numpy(f[k].astype(np.float64)) for k in f.files if k.startswith(('encoder.', 'decoder.'))}
    model.load_state_dict(state, strict=True)
    return model


def compare(name, mine, theirs, tol):
    err = float(np.max(np.abs(mine - theirs))) if mine.size else 0.0
    ok = err <= tol * max(1.0, float(np.max(np.abs(theirs))) if theirs.size else 1.0)
    print('  %-12s max |difference| = %.3g  %s' % (name, err, 'ok' if ok else 'DIFFERS'))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('checkpoint')
    ap.add_argument('--probe', help="checkpoint_probe's output: x, eps and tapegrad's numbers for them")
    ap.add_argument('--numpy', action='store_true', help='use NumPy alone even if torch is installed')
    args = ap.parse_args()
    f = np.load(args.checkpoint)
    card = model_card(f)
    print('%s: %s, %s, %s likelihood, %s; binarisation %r; made by %r' % (
        args.checkpoint, '-'.join(str(n) for n in [card['data_dim']] + card['hidden'] + [card['latent']]),
        card['arch.activation'],
        card['arch.likelihood'], card['dtype'], card['data.binarisation'], card['command_line']))
    if not args.probe:
        return 0
    p = np.load(args.probe)
    x, eps = p['x'], p['eps']
    tol = 2e-4 if card['dtype'] == 'float32' else 1e-9
    ok = True
    try:
        if args.numpy:
            raise ImportError('--numpy')
        import torch
    except ImportError as e:
        print('NumPy only (%s): the encoder and decoder from the arrays' % e)
        encode, decode_mean = numpy_model(f, card)
        mu, log_var = encode(x)
        ok &= compare('mu', mu, p['mu'], tol) & compare('log_var', log_var, p['log_var'], tol)
        ok &= compare('decode_mean', decode_mean(p['z']), p['decode_mean'], tol)
        return 0 if ok else 1
    model = torch_model(f, card)
    with torch.no_grad():
        log_w = model.log_weights(torch.from_numpy(x), torch.from_numpy(eps)).numpy()
    K = log_w.shape[0]
    elbo = log_w.mean(0)
    iwae = np.logaddexp.reduce(log_w, axis=0) - np.log(K)
    print('torch %s: ELBO %s, IWAE bound (K = %d) %s' % (torch.__version__, np.round(elbo, 4), K, np.round(iwae, 4)))
    ok &= compare('log_w', log_w, p['log_w'], tol)
    ok &= compare('ELBO', elbo, p['elbo'], tol) & compare('IWAE bound', iwae, p['iwae'], tol)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
