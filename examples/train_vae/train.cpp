// The training run of train_vae (see train.hpp).
#include "train.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "autodiff/runtime/thread_pool.hpp"
#include "autodiff/tape.hpp"
#include "evaluate.hpp"
#include "nn/checkpoint.hpp"
#include "nn/optim.hpp"
#include "nn/schedule.hpp"
#include "nn/synthetic.hpp"
#include "progress.hpp"
#include "vae/vae.hpp"

namespace tg::app {

namespace {

// The architecture a checkpoint's card records (checked against the file by read_model_card, as load_vae does),
// checked against the data it is to train on.
vae::Architecture resumed_architecture(const Options& o, std::int64_t data_dim) {
  const vae::ModelCard card = vae::read_model_card(o.resume);
  const vae::Architecture& a = card.arch;
  if (card.dtype != f32)
    fail("--resume " + o.resume, std::string("the checkpoint's model is ") + dtype_name(card.dtype) +
                                     ", and train_vae trains float32 models (load it with vae::load_vae)");
  if (a.data_dim != data_dim)
    fail("--resume " + o.resume, "the checkpoint's model takes " + std::to_string(a.data_dim) +
                                     " values per example, but --data " + o.data + " has " + std::to_string(data_dim));
  return a;
}

vae::Architecture architecture(const Options& o, std::int64_t data_dim) {
  vae::Architecture a = o.arch == "pytorch-examples" ? vae::pytorch_examples_architecture()
                        : o.arch == "iwae-paper"
                            ? vae::iwae_paper_architecture()
                            : vae::Architecture{data_dim, o.hidden, o.latent, o.activation, "glorot"};
  a.data_dim = data_dim;
  a.posterior = o.posterior;
  return a;
}

// The options with the architecture `a` in place of the flags' (a resumed run trains the checkpoint's model): the
// named architecture if `a` is one, else its sizes and activation.
Options with_architecture(Options o, const vae::Architecture& a) {
  vae::Architecture named = o.arch == "pytorch-examples" ? vae::pytorch_examples_architecture()
                            : o.arch == "iwae-paper"
                                ? vae::iwae_paper_architecture()
                                : vae::Architecture{a.data_dim, o.hidden, o.latent, o.activation, "glorot"};
  named.data_dim = a.data_dim, named.posterior = a.posterior;
  if (named.describe() == a.describe() && named.init == a.init) return o;
  o.arch = "", o.hidden = a.hidden, o.latent = a.latent, o.activation = a.activation, o.posterior = a.posterior;
  return o;
}

// The model the flags ask for: one Gaussian stochastic layer (VAE), the flow posterior (FlowVAE), or two stochastic
// layers (TwoLayerVAE); with its card (docs/checkpoints.md) when it has one stochastic layer. On --resume, a model
// with one stochastic layer is the one the checkpoint's card describes; two layers are rebuilt from the flags.
struct Model {
  std::unique_ptr<vae::Autoencoder> net;
  std::optional<vae::ModelCard> card;
};
Model make_model(const Options& o, std::int64_t data_dim, Generator& gen) {
  if (o.arch == "iwae-paper-2") {
    vae::TwoLayerArchitecture a = vae::iwae_paper_two_layer_architecture();
    a.data_dim = data_dim;
    return {std::make_unique<vae::TwoLayerVAE>(a, gen), std::nullopt};
  }
  const vae::Architecture a = o.resume.empty() ? architecture(o, data_dim) : resumed_architecture(o, data_dim);
  const vae::ModelCard card{a, f32, o.binarize, training_command(with_architecture(o, a))};
  if (a.posterior == "coupling") return {std::make_unique<vae::FlowVAE>(a, gen), card};
  return {std::make_unique<vae::VAE>(a, gen), card};
}

// The checkpoint, with the model's card when it has one.
void save_model(const std::string& path, const Model& m, const nn::Optimizer* opt, const nn::TrainState& state) {
  if (m.card) return vae::save_vae(path, *m.net, opt, state, *m.card);
  nn::save_checkpoint(path, *m.net, opt, state);
}

nn::TrainTest load_data(const Options& o) {
  nn::TrainTest d = o.data == "shapes"
                        ? nn::TrainTest{nn::make_shapes(20000, 2 * o.seed + 11), nn::make_shapes(2000, 2 * o.seed + 12)}
                        : nn::load_mnist_like(o.data);
  if (o.train_n > 0 && o.train_n < d.train.size()) d.train = d.train.head(o.train_n);
  return d;
}

// The held-out images every epoch is evaluated on: the first eval_n test images, binarised once (a fixed draw for
// dynamic binarisation, so that every epoch and every run sees the same test set).
Tensor test_images(const nn::Dataset& test, const Options& o) {
  const std::int64_t n = o.eval_n == 0 ? test.size() : std::min(o.eval_n, test.size());
  Generator gen(7919);
  nn::BatchOptions b{
      .batch_size = n, .shuffle = false, .drop_last = false, .binarize = nn::binarize_from_name(o.binarize)};
  const nn::Dataset head = test.head(n);  // BatchIterator keeps a reference: the rows must outlive it
  nn::BatchIterator it(head, b, gen);
  Tensor x;
  it.next(x);
  return x;
}

// The bound that training maximises, whose gradient is the chosen estimator's: (B,)
Tensor training_bound(const vae::Autoencoder& model, const Tensor& x, const Tensor& eps, const std::string& objective,
                      vae::Estimator estimator) {
  if (estimator != vae::Estimator::reparam) {  // the options allow it only for one Gaussian layer
    const auto& gaussian = dynamic_cast<const vae::VAE&>(model);
    return objective == "iwae" ? vae::iwae_bound_with(gaussian, x, eps, estimator)  // see (iwae.2)
                               : vae::elbo_monte_carlo_with(gaussian, x, eps, estimator);
  }
  if (objective == "iwae") return vae::iwae_bound_from_log_weights(model.log_weights(x, eps));  // L_K
  return model.elbo(x, eps);  // the ELBO with every KL the model has in closed form
}

// The training objective of one batch: -mean(bound) with the noise eps given.
Tensor batch_loss(const vae::Autoencoder& model, const Tensor& x, const Tensor& eps, const Options& o) {
  return -mean(training_bound(model, x, eps, o.model, vae::estimator_from_name(o.estimator)));
}

// The first gradient that holds a NaN or an infinity, as "encoder.0.weight", or "".
std::string non_finite_gradient(const vae::Autoencoder& model) {
  for (const auto& [name, p] : model.named_parameters()) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    const bool finite = dispatch(g.dtype(), [&]<class T>(T) {
      T sum = 0;  // NaN and +-inf survive a sum (inf - inf is NaN)
      for (std::int64_t i = 0; i < g.numel(); ++i) sum += g.data<T>()[i] * T(0);
      return sum == T(0);
    });
    if (!finite) return name;
  }
  return "";
}

// Why training stops at a step, with where it stopped and what is left on disk.
Error stopped(const Options& o, std::int64_t epoch, std::int64_t batch, const std::string& why) {
  return Error("training stopped in epoch " + std::to_string(epoch + 1) + ", batch " + std::to_string(batch + 1) +
               ": " + why + ". The step was not taken" +
               (epoch > 0 ? " and " + o.out + "/checkpoint.npz still holds epoch " + std::to_string(epoch) : "") +
               " (try a smaller --lr)");
}

// A step went non-finite: replay its forward and backward in anomaly mode, which names the first op that made a
// NaN or an infinity, and stop. The parameters are those before the step (it was not taken), so the replay sees
// what the step saw; the checkpoint on disk stays the last good one.
[[noreturn]] void stop_non_finite(const vae::Autoencoder& model, const Tensor& x, const Tensor& eps, const Options& o,
                                  std::int64_t epoch, std::int64_t batch, const std::string& what) {
  std::string report = "anomaly mode found no non-finite value on a replay";
  current_tape().clear();
  try {
    AnomalyMode anomaly;
    backward(batch_loss(model, x, eps, o));
  } catch (const AnomalyError& e) {
    report = e.what();
  } catch (const Error& e) {
    report = std::string("the replay stopped first: ") + e.what();
  }
  current_tape().clear();
  throw stopped(o, epoch, batch, what + "; " + report);
}

std::string number(double v) { return std::isnan(v) ? "nan" : std::to_string(v); }  // never "-nan"

// One epoch of Adam steps on -mean(bound); returns the mean training bound. A loss or gradient that is not finite
// stops the run before the step is taken (stop_non_finite).
double train_epoch(vae::Autoencoder& model, nn::Adam& opt, const nn::Dataset& train, const Options& o,
                   Generator& data_gen, Generator& noise_gen, Progress& progress, std::int64_t epoch) {
  nn::BatchIterator batches(
      train,
      {.batch_size = o.batch, .shuffle = true, .drop_last = false, .binarize = nn::binarize_from_name(o.binarize)},
      data_gen);
  progress.start_epoch(epoch + 1, o.epochs, batches.num_batches());
  for (Tensor x; batches.next(x);) {
    current_tape().clear();
    opt.zero_grad();
    Tensor eps = vae::draw_eps(model, x, o.k, noise_gen);  // (K, B, L)
    double value = 0;
    std::string bad;
    try {  // e.g. the encoder's variance underflows to 0: a distribution refuses its parameters
      Tensor loss = batch_loss(model, x, eps, o);
      value = loss.item();
      if (std::isfinite(value)) backward(loss), bad = non_finite_gradient(model);
    } catch (const Error& e) {
      throw stopped(o, epoch, batches.batch_index(), e.what());
    }
    if (!std::isfinite(value))
      stop_non_finite(model, x, eps, o, epoch, batches.batch_index(), "the loss is " + number(value));
    if (!bad.empty())
      stop_non_finite(model, x, eps, o, epoch, batches.batch_index(), "the gradient of " + bad + " is not finite");
    opt.step();
    progress.step(x.size(0), -value);
  }
  current_tape().clear();
  return progress.mean_bound();
}

// The rows of the epochs a checkpoint has trained, from the metrics.csv beside it (a note if some are missing).
std::vector<EpochMetrics> resumed_rows(const std::string& checkpoint, std::int64_t epochs) {
  const std::string dir = std::filesystem::path(checkpoint).parent_path().string();
  std::vector<EpochMetrics> rows = read_metrics(dir.empty() ? "." : dir, epochs);
  if (static_cast<std::int64_t>(rows.size()) < epochs)
    std::fprintf(stderr,
                 "train_vae: note: %s/metrics.csv holds %zu of the checkpoint's %lld epochs; the files written "
                 "now start from those\n",
                 dir.empty() ? "." : dir.c_str(), rows.size(), static_cast<long long>(epochs));
  return rows;
}

void print_summary(const Options& o, const EpochMetrics& m, const Evaluation& ev, std::int64_t log_px_k) {
  std::printf(
      "\nfinal (test, %s): ELBO %.2f, IWAE-%lld bound %.2f, log p(x) %.2f +- %.2f (k = %lld), KL %.2f, "
      "active units %s\n",
      o.data.c_str(), m.test_elbo, static_cast<long long>(o.k), m.test_iwae, m.test_log_px, ev.log_px_std_err,
      static_cast<long long>(log_px_k), m.kl, ev.active_by_layer.c_str());
  std::printf(
      "wrote %s/{index.html, metrics.csv, timing.csv, curves.svg, reconstructions.png, samples.png, checkpoint.npz}\n",
      o.out.c_str());
}

}  // namespace

int run(const Options& o, const std::string& command_line) {
  if (o.threads > 0) set_num_threads(o.threads);
  std::filesystem::create_directories(o.out);
  const nn::TrainTest data = load_data(o);
  const Tensor x_test = test_images(data.test, o);
  Generator init_gen(o.seed), data_gen(o.seed + 1), noise_gen(o.seed + 2);
  const Model built = make_model(o, data.train.dim(), init_gen);
  vae::Autoencoder& model = *built.net;
  const bool paper = o.arch == "iwae-paper" || o.arch == "iwae-paper-2";
  nn::Adam opt(model.named_parameters(), {.lr = o.lr, .eps = paper ? 1e-4 : 1e-8});
  const nn::Schedule schedule = nn::Schedule::from_name(o.schedule, o.lr);
  nn::TrainState state;
  if (!o.resume.empty()) {
    state = nn::load_checkpoint(o.resume, model, &opt);
    data_gen.set_state(state.rng("data")), noise_gen.set_state(state.rng("noise"));
    state.meta.clear(), state.text.clear();  // entries train_vae does not write are not carried into its files
    if (state.epoch >= o.epochs)
      fail("--resume " + o.resume, "the checkpoint has already trained " + std::to_string(state.epoch) +
                                       " epochs, and --epochs is " + std::to_string(o.epochs) +
                                       "; ask for more epochs than that to continue");
  }
  std::printf(
      "train_vae: %s (k = %lld, %s gradient), %s, %lld parameters, %s: %lld train / %lld test images, %d "
      "threads\n",
      o.model.c_str(), static_cast<long long>(o.k), o.estimator.c_str(), model.describe().c_str(),
      static_cast<long long>(model.num_parameters()), o.data.c_str(), static_cast<long long>(data.train.size()),
      static_cast<long long>(data.test.size()), num_threads());
  std::fflush(stdout);
  // A resumed run's files hold every epoch: the rows the earlier run wrote beside its checkpoint, then the new ones.
  std::vector<EpochMetrics> rows = o.resume.empty() ? std::vector<EpochMetrics>{} : resumed_rows(o.resume, state.epoch);
  Progress progress;
  Evaluation ev;
  for (std::int64_t epoch = state.epoch; epoch < o.epochs; ++epoch) {
    opt.set_lr(schedule.lr_at(epoch));
    EpochMetrics m;
    m.epoch = epoch + 1;
    m.train_bound = train_epoch(model, opt, data.train, o, data_gen, noise_gen, progress, epoch);
    m.seconds = progress.finish_epoch();
    m.examples_per_s = static_cast<double>(data.train.size()) / m.seconds;
    Generator eval_gen(o.seed + 1000 + static_cast<std::uint64_t>(epoch));
    const bool last = epoch + 1 == o.epochs;
    m.log_px_k = last ? o.eval_k : o.eval_k_epoch;
    ev = evaluate(model, x_test, o.k, m.log_px_k, eval_gen);
    m.test_elbo = ev.elbo, m.test_iwae = ev.iwae, m.test_log_px = ev.log_px, m.kl = ev.kl,
    m.active_units = ev.active_units;
    rows.push_back(m);
    std::fprintf(stderr, "  test: ELBO %.2f  IWAE-%lld %.2f  log p(x) %.2f (k = %lld)  KL %.2f  active units %lld\n",
                 m.test_elbo, static_cast<long long>(o.k), m.test_iwae, m.test_log_px,
                 static_cast<long long>(m.log_px_k), m.kl, static_cast<long long>(m.active_units));
    state.epoch = epoch + 1, state.step = opt.steps();
    state.rngs = {{"data", data_gen.state()}, {"noise", noise_gen.state()}};
    // metrics.csv before the checkpoint: a run killed between the two resumes with every row (read_metrics drops
    // the rows past the checkpoint's epoch)
    write_metrics_csv(o.out + "/metrics.csv", rows, o.k);
    write_timing_csv(o.out + "/timing.csv", rows);
    write_svg_chart(o.out + "/curves.svg", rows);
    Generator picture_gen(o.seed + 77);
    IndexPage page{"train_vae: " + o.model + " on " + o.data, command_line,
                   model.describe() + ", k = " + std::to_string(o.k) + ", epoch " + std::to_string(m.epoch),
                   write_pictures(model, x_test, data.test.height(), data.test.width(), o.out, picture_gen)};
    write_index_html(o.out + "/index.html", page, rows);
    save_model(o.out + "/checkpoint.npz", built, &opt, state);
  }
  if (!rows.empty()) print_summary(o, rows.back(), ev, o.eval_k);
  if (!o.save_weights.empty()) {
    nn::TrainState weights_only;
    weights_only.epoch = state.epoch, weights_only.step = state.step;
    save_model(o.save_weights, built, nullptr, weights_only);
    std::printf("wrote %s (weights and model card; examples/vae_to_torch.py reads it)\n", o.save_weights.c_str());
  }
  return 0;
}

}  // namespace tg::app
