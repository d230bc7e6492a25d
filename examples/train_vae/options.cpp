// Parsing and checking the flags of train_vae (see options.hpp).
#include "options.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace tg::app {

namespace {

// Generous bounds that keep every size product far from overflow; memory runs out long before them, and then the
// library says so (tg::Error naming the shape).
constexpr std::int64_t kMaxWidth = 1 << 20;    // --latent, --hidden
constexpr std::int64_t kMaxSamples = 1 << 24;  // --k, --batch, --eval-k, --eval-k-epoch

// A whole number in [lo, hi]; the message says which of "not a number", "too small" and "too large" it is.
std::uint64_t to_uint(const std::string& flag, const std::string& v, std::uint64_t lo, std::uint64_t hi) {
  const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
  const bool negative = v.size() > 1 && v[0] == '-' && v.find_first_not_of("0123456789", 1) == std::string::npos;
  if (negative) throw UsageError(flag + ": " + v + " must be at least " + std::to_string(lo));
  if (!digits) throw UsageError(flag + ": '" + v + "' is not a whole number");
  std::uint64_t x = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec == std::errc::result_out_of_range || x > hi)
    throw UsageError(flag + ": " + v + " must be at most " + std::to_string(hi));
  if (ec != std::errc() || end != v.data() + v.size()) throw UsageError(flag + ": '" + v + "' is not a whole number");
  if (x < lo) throw UsageError(flag + ": " + v + " must be at least " + std::to_string(lo));
  return x;
}

std::int64_t to_int(const std::string& flag, const std::string& v, std::int64_t lo, std::int64_t hi) {
  return static_cast<std::int64_t>(to_uint(flag, v, static_cast<std::uint64_t>(lo), static_cast<std::uint64_t>(hi)));
}

double to_double(const std::string& flag, const std::string& v) {
  std::istringstream in(v);
  double x = 0;
  if (!(in >> x) || !in.eof() || !(x > 0) || !std::isfinite(x))
    throw UsageError(flag + ": '" + v + "' is not a positive number");
  if (x > 1e3) throw UsageError(flag + ": " + v + " must be at most 1000");
  return x;
}

std::string one_of(const std::string& flag, const std::string& v, const std::vector<std::string>& allowed) {
  for (const auto& a : allowed)
    if (v == a) return v;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw UsageError(flag + ": '" + v + "' is not one of " + list);
}

std::vector<std::int64_t> to_sizes(const std::string& flag, const std::string& v) {
  std::vector<std::int64_t> sizes;
  std::stringstream in(v);
  for (std::string part; std::getline(in, part, ',');) sizes.push_back(to_int(flag, part, 1, kMaxWidth));
  if (sizes.empty() || v.back() == ',') throw UsageError(flag + ": give layer sizes like 200,200");
  if (sizes.size() > 64) throw UsageError(flag + ": " + std::to_string(sizes.size()) + " layers, at most 64");
  return sizes;
}

}  // namespace

std::string training_command(const Options& o) {
  std::ostringstream c;
  c << "train_vae --model " << o.model << " --k " << o.k << " --estimator " << o.estimator;
  if (!o.arch.empty()) {
    c << " --arch " << o.arch;
  } else {
    c << " --latent " << o.latent << " --hidden ";
    for (std::size_t i = 0; i < o.hidden.size(); ++i) c << (i ? "," : "") << o.hidden[i];
    c << " --activation " << o.activation;
  }
  if (o.posterior != "gaussian") c << " --posterior " << o.posterior;
  c << " --epochs " << o.epochs << " --batch " << o.batch << " --lr " << o.lr << " --schedule " << o.schedule
    << " --seed " << o.seed << " --data " << o.data << " --train-n " << o.train_n << " --binarize " << o.binarize;
  return c.str();
}

std::string usage() {
  return R"(usage: train_vae [flags]
Trains a VAE or an IWAE and writes metrics, pictures and a checkpoint to --out.

  --model vae|iwae          objective: the ELBO (vae) or the importance weighted bound (iwae)   [iwae]
  --k N                     samples per example in the training bound                          [5]
  --estimator NAME          gradient estimator: reparam, stl (sticking the landing) or dreg     [reparam]
                            (doubly reparameterised, --model iwae only)
  --arch NAME               pytorch-examples (784-400-20, ReLU), iwae-paper (784-200-200-50, tanh) or
                            iwae-paper-2 (two stochastic layers: 784-200-200-[100]-100-100-[50], tanh)
  --posterior NAME          gaussian, or coupling (4 affine coupling layers on the Gaussian)    [gaussian]
  --latent N                latent dimensions (without --arch)                                 [8]
  --hidden A,B,...          hidden layer sizes (without --arch)                                [256,128]
  --activation NAME         relu | tanh | sigmoid | softplus (without --arch)                 [tanh]
  --epochs N                passes over the training set                                       [12]
  --batch N                 examples per step                                                  [64]
  --lr X                    Adam learning rate                                                 [0.001]
  --schedule NAME           constant | iwae (stage i: 3^i epochs at lr 1e-3 * 10^(-i/7))       [constant]
  --seed N                  seeds initialisation, shuffling, binarisation and noise            [1]
  --threads N               worker threads (0: TG_NUM_THREADS or the core count)               [0]
  --data shapes|DIR         embedded synthetic shapes, or a directory of MNIST-style IDX files  [shapes]
  --train-n N               training examples used (0: all)                                    [0]
  --binarize dynamic|fixed  resample binary pixels every batch, or threshold at 0.5           [dynamic]
  --eval-k N                importance samples for the final test log p(x) estimate            [5000]
  --eval-k-epoch N          importance samples for the per-epoch estimate                      [50]
  --eval-n N                test examples used for the estimates (0: all)                      [500]
  --out DIR                 where metrics.csv, pictures, index.html and checkpoints go         [build/train_vae]
  --resume FILE             continue from a checkpoint written by an earlier run (its model, not the flags')
  --save-weights FILE       at the end, also write the model alone: weights and model card, no optimiser
  --help                    this text

Example: train_vae --data /usr/share/datasets/fashion-mnist --arch iwae-paper --model iwae --k 50
)";
}

Options parse_options(int argc, char** argv) {
  Options o;
  bool explicit_sizes = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      continue;
    }
    if (flag.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + flag + "'");
    if (i + 1 >= argc) throw UsageError(flag + ": missing value");
    const std::string v = argv[++i];
    if (flag == "--model")
      o.model = one_of(flag, v, {"vae", "iwae"});
    else if (flag == "--k")
      o.k = to_int(flag, v, 1, kMaxSamples);
    else if (flag == "--estimator")
      o.estimator = one_of(flag, v, {"reparam", "stl", "dreg"});
    else if (flag == "--arch")
      o.arch = one_of(flag, v, {"pytorch-examples", "iwae-paper", "iwae-paper-2"});
    else if (flag == "--posterior")
      o.posterior = one_of(flag, v, {"gaussian", "coupling"});
    else if (flag == "--latent")
      o.latent = to_int(flag, v, 1, kMaxWidth), explicit_sizes = true;
    else if (flag == "--hidden")
      o.hidden = to_sizes(flag, v), explicit_sizes = true;
    else if (flag == "--activation")
      o.activation = one_of(flag, v, {"relu", "tanh", "sigmoid", "softplus"}), explicit_sizes = true;
    else if (flag == "--epochs")
      o.epochs = to_int(flag, v, 1, 1000000);
    else if (flag == "--batch")
      o.batch = to_int(flag, v, 1, kMaxSamples);
    else if (flag == "--lr")
      o.lr = to_double(flag, v);
    else if (flag == "--schedule")
      o.schedule = one_of(flag, v, {"constant", "iwae"});
    else if (flag == "--seed")
      o.seed = to_uint(flag, v, 0, std::numeric_limits<std::uint64_t>::max());
    else if (flag == "--threads")
      o.threads = static_cast<int>(to_int(flag, v, 0, 1024));
    else if (flag == "--data")
      o.data = v;
    else if (flag == "--train-n")
      o.train_n = to_int(flag, v, 0, std::numeric_limits<std::int64_t>::max());
    else if (flag == "--binarize")
      o.binarize = one_of(flag, v, {"dynamic", "fixed"});
    else if (flag == "--eval-k")
      o.eval_k = to_int(flag, v, 1, kMaxSamples);
    else if (flag == "--eval-k-epoch")
      o.eval_k_epoch = to_int(flag, v, 1, kMaxSamples);
    else if (flag == "--eval-n")
      o.eval_n = to_int(flag, v, 0, std::numeric_limits<std::int64_t>::max());
    else if (flag == "--out")
      o.out = v;
    else if (flag == "--resume")
      o.resume = v;
    else if (flag == "--save-weights")
      o.save_weights = v;
    else
      throw UsageError("unknown flag '" + flag + "'");
  }
  if (!o.arch.empty() && explicit_sizes)
    throw UsageError("--arch sets the layer sizes and activation; leave out --latent, --hidden and --activation");
  if (o.model == "vae" && o.k < 1) throw UsageError("--k must be at least 1");
  if (o.arch == "iwae-paper-2" && o.posterior == "coupling")
    throw UsageError("--posterior coupling is for one stochastic layer; leave it out with --arch iwae-paper-2");
  if (o.estimator != "reparam" && (o.arch == "iwae-paper-2" || o.posterior == "coupling"))
    throw UsageError("--estimator " + o.estimator + " needs one Gaussian stochastic layer (no --arch iwae-paper-2, " +
                     "no --posterior coupling)");
  if (o.model == "vae" && o.estimator == "dreg")
    throw UsageError("--estimator dreg is for --model iwae; for the ELBO the doubly reparameterised gradient is stl");
  return o;
}

}  // namespace tg::app
