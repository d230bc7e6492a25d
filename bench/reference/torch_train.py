#!/usr/bin/env python3
"""The PyTorch reference for bench_train and bench_scalar: the same work, measured the same way.

Training: the four configurations of bench/bench_train.cpp, one step = forward + backward + Adam (lr 1e-3, the
default betas and eps) on random binarised 784-dim data (64 batches made once, as bench_train does):
  vae     the pytorch/examples VAE 784-400-20, ReLU, batch 128, the ELBO with the KL in closed form
  iwaeK   the IWAE paper's one-stochastic-layer model 784-200-200-50, tanh, batch 20, the IWAE bound with K samples
          (K = 1, 5, 50)
The encoder's last layer gives mu and log_var together, as in tapegrad's VAE; the loss is minus the batch mean.
Scalar: the chain a = tanh(a * b + c) of bench_scalar, every value a 0-dim tensor; microseconds per node
(three nodes per link), forward + backward.

  torch_train.py --config iwae5 --threads 1 [--blas-threads 2] [--reps 5] [--secs 1]
  torch_train.py --scalar [--links 1000] [--reps 9]

This Debian build of torch runs its sgemm in OpenBLAS, whose thread count torch.set_num_threads does not set:
--blas-threads sets OPENBLAS_NUM_THREADS (default: --threads) before torch is imported. With --threads 2,
OMP_WAIT_POLICY=PASSIVE is set unless the environment says otherwise (libgomp's spinning workers and OpenBLAS's
threads otherwise fight over two cores). The last line is the process's peak RSS.
Needs python3-torch (Debian: apt-get install python3-torch; or pip install torch).
"""
import argparse
import math
import os
import resource
import statistics
import sys
import time

CONFIGS = {  # key: (name, model, batch, K)
    "vae": ("VAE 784-400-20 (examples)", "vae", 128, 1),
    "iwae1": ("IWAE-arch k=1 (=VAE)", "iwae", 20, 1),
    "iwae5": ("IWAE-arch k=5", "iwae", 20, 5),
    "iwae50": ("IWAE-arch k=50", "iwae", 20, 50),
}
LOG_2PI = math.log(2 * math.pi)


def build(torch, model, batch, K):
    """The model's parameters and a function x -> loss, the same graph as tapegrad's VAE."""
    nn, F = torch.nn, torch.nn.functional
    if model == "vae":
        sizes_enc, sizes_dec, act, L = [784, 400, 40], [20, 400, 784], F.relu, 20
    else:
        sizes_enc, sizes_dec, act, L = [784, 200, 200, 100], [50, 200, 200, 784], torch.tanh, 50
    enc = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes_enc, sizes_enc[1:]))
    dec = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes_dec, sizes_dec[1:]))

    def mlp(layers, h):
        for i, layer in enumerate(layers):
            h = layer(h)
            if i + 1 < len(layers):
                h = act(h)
        return h

    def loss(x):
        mu, log_var = mlp(enc, x).split(L, dim=-1)  # (B, L) each
        eps = torch.randn((K,) + mu.shape)  # (K, B, L)
        z = mu + torch.exp(0.5 * log_var) * eps  # (K, B, L)
        logits = mlp(dec, z)  # (K, B, D)
        log_px_z = -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)
        if model == "vae":  # E_q[log p(x|z)] - KL(q || N(0, I)), the KL in closed form
            kl = 0.5 * (mu.pow(2) + log_var.exp() - 1 - log_var).sum(-1)
            bound = log_px_z.mean(0) - kl
        else:  # log (1/K) sum_k w_k, log w = log p(x|z) + log p(z) - log q(z|x)
            log_pz = -0.5 * (z.pow(2) + LOG_2PI).sum(-1)
            log_qz = -0.5 * (eps.pow(2) + LOG_2PI + log_var).sum(-1)
            bound = torch.logsumexp(log_px_z + log_pz - log_qz, 0) - math.log(K)
        return -bound.mean()

    params = list(enc.parameters()) + list(dec.parameters())
    return params, loss


def train(torch, key, reps, secs):
    name, model, batch, K = CONFIGS[key]
    torch.manual_seed(0)
    params, loss = build(torch, model, batch, K)
    opt = torch.optim.Adam(params, lr=1e-3)
    data = [torch.bernoulli(torch.full((batch, 784), 0.5)) for _ in range(64)]
    it = [0]

    def step():
        x = data[it[0] % 64]
        it[0] += 1
        opt.zero_grad()
        loss(x).backward()
        opt.step()

    t0, warm = time.perf_counter(), 0
    while warm < 10 or time.perf_counter() - t0 < 0.5:
        step()
        warm += 1
    per_rep = max(5, int(secs * warm / (time.perf_counter() - t0)))
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(per_rep):
            step()
        rates.append(per_rep / (time.perf_counter() - t0))
    med = statistics.median(rates)
    print(f"{name:28s} {batch:4d} {K:3d} {med:9.1f}  ({min(rates):.1f}..{max(rates):.1f}) {1e3 / med:8.2f}")


def scalar_chain(torch, links, reps):
    torch.set_grad_enabled(True)
    a0, b, c = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.5, 0.9, 0.1))

    def one_pass():
        for t in (a0, b, c):
            t.grad = None
        a = a0
        for _ in range(links):
            a = torch.tanh(a * b + c)
        a.backward()

    for _ in range(3):
        one_pass()
    us = []
    for _ in range(reps):
        t0 = time.perf_counter()
        one_pass()
        us.append((time.perf_counter() - t0) * 1e6 / (3 * links))
    print(f"# torch scalar chain a = tanh(a * b + c), {links} links = {3 * links} nodes, {reps} reps")
    print(f"us per node, forward + backward  {statistics.median(us):9.3f} {min(us):9.3f} {max(us):9.3f}")
    print(f"check: d a_n / d b = {b.grad.item():.6f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", choices=sorted(CONFIGS), help="one training configuration")
    p.add_argument("--scalar", action="store_true", help="the scalar chain instead of training")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (intra-op threads)")
    p.add_argument("--blas-threads", type=int, default=0, help="OPENBLAS_NUM_THREADS (default: --threads)")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--secs", type=float, default=1.0)
    p.add_argument("--links", type=int, default=1000)
    a = p.parse_args()
    if not a.scalar and not a.config:
        p.error("give --config KEY or --scalar")
    blas = a.blas_threads if a.blas_threads > 0 else a.threads
    os.environ["OMP_NUM_THREADS"] = str(a.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(blas)
    if a.threads > 1:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import torch
    except ImportError:
        print("torch_train.py: PyTorch is not installed (Debian: apt-get install python3-torch)", file=sys.stderr)
        return 3
    torch.set_num_threads(a.threads)
    if a.scalar:
        torch.set_num_threads(1)
        scalar_chain(torch, a.links, a.reps)
    else:
        print(f"# torch {torch.__version__} training throughput, {a.threads} threads, OpenBLAS {blas} threads, "
              f"reps={a.reps} x ~{a.secs}s, median (min..max)")
        print(f"{'config':28s} {'B':>4s} {'k':>3s} {'steps/s':>9s}  {'(min..max)':13s} {'ms/step':>8s}")
        train(torch, a.config, a.reps, a.secs)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0:.1f} MB")  # Linux: KiB
    return 0


if __name__ == "__main__":
    sys.exit(main())
