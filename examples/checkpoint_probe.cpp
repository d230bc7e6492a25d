// checkpoint_probe: what tapegrad computes from a checkpoint, for another program to compare against (the PyTorch
// and NumPy export in examples/vae_to_torch.py). Loads the model from the file alone (vae::load_vae), draws N data
// points from the model itself and K noise samples each (seeded), and writes x, eps, mu, log_var, z, decode_mean(z),
// log_w, the ELBO and the IWAE bound to an .npz. With --new it first writes a fresh model's checkpoint.
// docs/checkpoints.md.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "autodiff/autodiff.hpp"
#include "nn/io/npy.hpp"
#include "vae/io/checkpoint.hpp"
#include "vae/vae.hpp"

namespace {

using namespace tg;

// "6-5-3 relu normal [glorot]" -> data_dim 6, hidden {5}, latent 3, ...
vae::Architecture parse_arch(const std::string& spec) {
  std::istringstream in(spec);
  std::string sizes;
  vae::Architecture a;
  in >> sizes >> a.activation >> a.likelihood;
  if (!(in >> a.init)) a.init = "pytorch";
  std::vector<std::int64_t> v;
  for (std::size_t at = 0; at <= sizes.size();) {
    const std::size_t dash = std::min(sizes.find('-', at), sizes.size());
    v.push_back(std::stoll(sizes.substr(at, dash - at)));
    at = dash + 1;
  }
  if (v.size() < 2) fail("checkpoint_probe", "--new '" + spec + "': sizes must be D-...-L");
  a.data_dim = v.front(), a.latent = v.back(), a.hidden.assign(v.begin() + 1, v.end() - 1);
  return a;
}

nn::io::NpyArray f64_npy(const Tensor& t) {
  Tensor d = cast(t, f64);
  return nn::io::npy_from(std::span<const double>(d.data<double>(), static_cast<std::size_t>(d.numel())), d.shape());
}

void probe(const std::string& ckpt, const std::string& out, std::int64_t N, std::int64_t K, std::uint64_t seed) {
  vae::LoadedVae v = vae::load_vae(ckpt);
  const vae::VAE& model = *v.model;
  const std::int64_t L = model.latent_dim();
  NoGrad no_grad;
  Generator gen(seed);
  Tensor mean = model.decode_mean(randn({N, L}, gen, v.card.dtype));  // data from the model itself: (N, D)
  Tensor x = v.card.arch.likelihood == "bernoulli" ? bernoulli(mean, gen)
                                                   : mean + randn(mean.shape(), gen, v.card.dtype) * 0.1;
  Tensor eps = randn({K, N, L}, gen, v.card.dtype);  // (K, N, L)
  prob::Normal q = model.encode(x);
  Tensor z = q.rsample_with(eps);
  Tensor log_w = vae::log_weights(model, x, eps);  // (K, N)
  nn::io::save_npz(out, {{"x", f64_npy(x)},
                         {"eps", f64_npy(eps)},
                         {"mu", f64_npy(q.loc())},
                         {"log_var", f64_npy(q.log_var())},
                         {"z", f64_npy(z)},
                         {"decode_mean", f64_npy(model.decode_mean(z))},
                         {"log_w", f64_npy(log_w)},
                         {"elbo", f64_npy(tg::mean(log_w, {0}))},
                         {"iwae", f64_npy(vae::iwae_bound_from_log_weights(log_w))}});
  std::printf("checkpoint_probe: %s (%s): N = %lld, K = %lld -> %s\n", ckpt.c_str(), v.card.arch.describe().c_str(),
              static_cast<long long>(N), static_cast<long long>(K), out.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage =
      "usage: checkpoint_probe CKPT OUT.npz [N K SEED]\n"
      "       checkpoint_probe --new 'D-H...-L ACTIVATION LIKELIHOOD [INIT]' CKPT [SEED]\n";
  try {
    if (argc >= 4 && std::string(argv[1]) == "--new") {
      Generator gen(argc > 4 ? std::stoull(argv[4]) : 1);
      const vae::Architecture arch = parse_arch(argv[2]);
      vae::VAE model(arch, gen);
      vae::save_vae(argv[3], model, nullptr, nn::TrainState{}, vae::ModelCard{arch, f32, "", "checkpoint_probe --new"});
      std::printf("checkpoint_probe: wrote a new %s model to %s\n", arch.describe().c_str(), argv[3]);
      return 0;
    }
    if (argc != 3 && argc != 6) {
      std::cerr << usage;
      return 2;
    }
    probe(argv[1], argv[2], argc == 6 ? std::stoll(argv[3]) : 4, argc == 6 ? std::stoll(argv[4]) : 5,
          argc == 6 ? std::stoull(argv[5]) : 1);
  } catch (const std::exception& e) {
    std::cerr << "checkpoint_probe: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
