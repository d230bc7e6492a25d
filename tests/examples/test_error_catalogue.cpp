// The error catalogue: one table of bad inputs across the library and the program, each with the fragment its
// message must contain. Every row is also a row of docs/errors.md (the test checks that the page lists each
// fragment; TG_WRITE_ERROR_CATALOGUE=1 rewrites the page's tables from this one).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "examples/train_vae_testing.hpp"
#include "nn/data.hpp"
#include "nn/io/idx.hpp"
#include "nn/io/npy.hpp"
#include "nn/io/zip_testing.hpp"
#include "nn/mlp.hpp"
#include "nn/schedule.hpp"
#include "prob/prob.hpp"
#include "vae/vae.hpp"

using namespace tg;
using namespace tgtest;

namespace {

struct Case {
  const char* area;      // the docs page's section
  const char* input;     // what was given, in words
  const char* fragment;  // what the message must contain
  std::function<void()> run;
};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

// A run of train_vae that must fail (exit status 1 or 2): its output is the message.
std::function<void()> program(const std::string& args) {
  return [args] {
    const Run r = run_example("train_vae", args);
    if (r.status == 0) return;
    throw std::runtime_error(r.out);
  };
}

const fs::path& scratch() {  // files the catalogue reads: a checkpoint of a tiny run, damaged data files
  static const fs::path dir = [] {
    const fs::path d = fresh_dir("error_catalogue");
    tiny_data(d / "data", 4, 32, 16);
    const Run r = run_example("train_vae", tiny_flags(d / "data", d / "out", 8, 1));
    REQUIRE(r.status == 0);
    return d;
  }();
  return dir;
}
std::string ckpt() { return (scratch() / "out" / "checkpoint.npz").string(); }
std::string data_dir() { return (scratch() / "data").string(); }

Bytes npz_of(const std::vector<ZipEntry>& entries) { return zip_bytes(entries); }
nn::io::NpyArray floats(std::vector<std::int64_t> shape) {
  std::vector<float> v(static_cast<std::size_t>(shape_numel(shape)), 1.0f);
  return nn::io::npy_from(std::span<const float>(v), std::move(shape));
}

// Loads the tiny run's checkpoint into a model of another width: a checkpoint that does not fit.
void load_into_width(std::int64_t hidden) {
  Generator gen(1);
  vae::VAE model(tiny_architecture(16, hidden, 2), gen);
  nn::Adam adam(model.named_parameters(), {});
  nn::load_checkpoint(ckpt(), model, &adam);
}

// The tiny run's checkpoint with its text entry `key` set to `value`: a card that does not fit its file.
std::string with_card(const std::string& key, const std::string& value) {
  nn::io::NamedArrays a = nn::io::load_npz(ckpt());
  std::erase_if(a, [&](const auto& e) { return e.first == "text." + key; });
  const auto* p = reinterpret_cast<const std::uint8_t*>(value.data());
  a.emplace_back("text." + key, nn::io::npy_from(std::span<const std::uint8_t>(p, value.size()),
                                                 {static_cast<std::int64_t>(value.size())}));
  const std::string path = (scratch() / ("card_" + key + ".npz")).string();
  nn::io::save_npz(path, a);
  return path;
}

// The tiny run's checkpoint with `n` more entries named prefix0, prefix1, ... holding `value`.
std::string with_entries(const std::string& prefix, int n, const nn::io::NpyArray& value) {
  nn::io::NamedArrays a = nn::io::load_npz(ckpt());
  for (int i = 0; i < n; ++i) a.emplace_back(prefix + std::to_string(i), value);
  const std::string path = (scratch() / (prefix + "many.npz")).string();
  nn::io::save_npz(path, a);
  return path;
}

// A gzip member of one fixed-Huffman block: 'z', then 40,000 matches of length 258 at distance 1 (10 MB from 65 KB).
Bytes gzip_bomb() {
  Bytes gz = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
  std::uint32_t acc = 3, bits = 3;           // BFINAL 1, BTYPE 01 (fixed codes)
  auto code = [&](std::uint32_t v, int n) {  // Huffman codes go most significant bit first
    for (int i = n - 1; i >= 0; --i) {
      acc |= ((v >> i) & 1) << bits;
      if (++bits == 8) gz.push_back(static_cast<std::uint8_t>(acc)), acc = 0, bits = 0;
    }
  };
  code(0x30 + 'z', 8);
  for (int m = 0; m < 40000; ++m) code(0xC5, 8), code(0, 5);  // length 258 (symbol 285), distance 1 (code 0)
  code(0, 7);                                                 // end of block (symbol 256)
  gz.push_back(static_cast<std::uint8_t>(acc));
  gz.resize(gz.size() + 8, 0);  // CRC-32 and ISIZE: never reached
  return gz;
}

// A checkpoint of the two-layer model, which has no card.
std::string two_layer_checkpoint() {
  Generator gen(1);
  vae::TwoLayerArchitecture arch;
  arch.data_dim = 4, arch.hidden1 = {3}, arch.latent1 = 2, arch.hidden2 = {3}, arch.latent2 = 2;
  vae::TwoLayerVAE model(arch, gen);
  const std::string path = (scratch() / "two.npz").string();
  nn::save_checkpoint(path, model, nullptr, {});
  return path;
}

std::vector<Case> catalogue() {
  const Shape huge = {std::int64_t{1} << 62, 4};
  return {
      // ---- shapes
      {"shapes", "matmul of (3, 4) and (5, 2)",
       "matmul: a is (3, 4) and b is (5, 2); inner dimensions 4 and 5 must match",
       [] {
         matmul(zeros({3, 4}), zeros({5, 2}));
       }},
      {"shapes", "matmul of a vector", "both need at least 2 dims",
       [] {
         matmul(zeros({3}), zeros({3, 2}));
       }},
      {"shapes", "add of (3, 1, 4) and (2, 5)",
       "add: a is (3, 1, 4) and b is (2, 5); they do not broadcast (axis -1: 4 vs 5)",
       [] {
         add(zeros({3, 1, 4}), zeros({2, 5}));
       }},
      {"shapes", "reshape (2, 3) to (5)", "reshape: cannot reshape (2, 3) (6 elements) to (5,)",
       [] {
         reshape(zeros({2, 3}), {5});
       }},
      {"shapes", "reshape with two -1", "may hold at most one -1 and no other negative size",
       [] {
         reshape(zeros({2, 3}), {-1, -1});
       }},
      {"shapes", "concat of (2, 3) and (2, 4) on axis 0",
       "concat: tensor 1 is (2, 4) but tensor 0 is (2, 3); all dims but axis 0 must match",
       [] {
         concat({zeros({2, 3}), zeros({2, 4})}, 0);
       }},
      {"shapes", "stack of (2) and (3)",
       "stack: tensor 1 is (3,) but tensor 0 is (2,); stacked tensors must have the same shape",
       [] {
         stack({zeros({2}), zeros({3})}, 0);
       }},
      {"shapes", "slice [2, 5) of an axis of 4", "slice: [2, 5) is not a range within axis 0 of (4, 3) (size 4)",
       [] {
         slice(zeros({4, 3}), 0, 2, 5);
       }},
      {"shapes", "squeeze of an axis of size 3", "squeeze: axis 0 of (3, 1) has size 3, not 1",
       [] {
         squeeze(zeros({3, 1}), 0);
       }},
      {"shapes", "permute with a repeated axis",
       "permute: the permutation has 2 entries that must be each axis of (2, 3) exactly once",
       [] {
         permute(zeros({2, 3}), {1, 1});
       }},
      {"shapes", "broadcast_to a smaller shape",
       "broadcast_to: a is (3,) and b is (2, 4); they do not broadcast (axis -1: 3 vs 4)",
       [] {
         broadcast_to(zeros({3}), {2, 4});
       }},
      {"shapes", "a negative size", "empty: shape (2, -3) has a negative dimension",
       [] {
         zeros({2, -3});
       }},
      {"shapes", "2^62 x 4 elements", "empty: shape (4611686018427387904, 4) has more than 2^63 - 1 elements",
       [huge] { ones(huge); }},
      {"shapes", "2^50 float32 values", "needs 4503599627370496 bytes, which could not be allocated",
       [] {
         zeros({std::int64_t{1} << 25, std::int64_t{1} << 25});
       }},
      {"shapes", "3 values for a (2, 2) tensor", "tensor: 3 values do not fill shape (2, 2)",
       [] {
         tensor({1, 2, 3}, {2, 2});
       }},
      {"shapes", "item() of 6 elements", "item: tensor has shape (2, 3); item() needs exactly one element",
       [] {
         zeros({2, 3}).item();
       }},
      {"shapes", "flat(6) of 6 elements", "flat: index 6 is out of range for 6 elements",
       [] {
         zeros({2, 3}).flat(6);
       }},
      {"shapes", "at() with one index for a 2-D tensor", "at: 1 indices for a tensor of shape (2, 3)",
       [] {
         zeros({2, 3}).at({1});
       }},
      {"shapes", "linear with x (2, 3) and W (4, 5)",
       "linear: x is (2, 3) and W is (4, 5); x's last dimension must equal W's in-features 5",
       [] {
         linear(zeros({2, 3}), zeros({4, 5}), Tensor());
       }},
      {"shapes", "arange of 10^19 values", "is more than 2^62 values", [] { arange(0, 1e19, 1); }},
      // ---- axes
      {"axes", "sum over axis 2 of a matrix", "sum: axis 2 is out of range for a tensor of rank 2 (valid: -2 to 1)",
       [] {
         sum(zeros({2, 3}), {2});
       }},
      {"axes", "max over axis -3 of a matrix", "max: axis -3 is out of range for a tensor of rank 2",
       [] {
         max(zeros({2, 3}), -3);
       }},
      {"axes", "the same axis twice", "sum: an axis is listed twice",
       [] {
         sum(zeros({2, 3}), {1, -1});
       }},
      {"axes", "mean over an empty axis", "mean: the reduced axes of (0, 3) are empty",
       [] {
         mean(zeros({0, 3}), {0});
       }},
      {"axes", "logsumexp over an empty axis", "logsumexp: axis 1 of (2, 0) is empty",
       [] {
         logsumexp(zeros({2, 0}), 1);
       }},
      {"axes", "size(2) of a matrix", "size: axis 2 is out of range for shape (2, 3)",
       [] {
         zeros({2, 3}).size(2);
       }},
      // ---- dtypes
      {"dtypes", "float32 + float64", "add: a is float32 and b is float64; tapegrad does not promote silently",
       [] { add(zeros({2}), zeros({2}, f64)); }},
      {"dtypes", "data<double>() of a float32 tensor", "data: tensor is float32, asked for double",
       [] { zeros({2}).data<double>(); }},
      {"dtypes", "a float32 value for a float64 Normal", "Normal: value is float32, but the distribution is float64",
       [] { prob::Normal::from_scale(zeros({2}, f64), ones({2}, f64)).log_prob(zeros({2})); }},
      // ---- the tape
      {"tape", "a tensor from a cleared tape", "was recorded on a tape that has since been cleared or destroyed",
       [] {
         Tape tape;
         TapeScope scope(tape);
         Tensor w = ones({2}).requires_grad(true);
         const Tensor y = exp(w);
         tape.clear();
         exp(y);
       }},
      {"tape", "backward of a leaf", "was not computed by a recorded op",
       [] { backward(ones({1}).requires_grad(true)); }},
      {"tape", "backward of a (2) loss without a seed", "backward: loss has shape (2,); reduce it to one element",
       [] {
         Tape tape;
         TapeScope scope(tape);
         backward(exp(ones({2}).requires_grad(true)));
       }},
      {"tape", "requires_grad on a computed tensor", "only leaves (tensors made by a factory) can be marked",
       [] {
         Tape tape;
         TapeScope scope(tape);
         exp(ones({2}).requires_grad(true)).requires_grad(true);
       }},
      {"tape", "an undefined tensor", "exp: x is an undefined Tensor", [] { exp(Tensor()); }},
      {"tape", "entry 1 of an empty tape", "Tape::entry: index 1 is out of range for 0 entries",
       [] {
         Tape tape;
         tape.entry(1);
       }},
      {"tape", "gradcheck of a non-leaf", "is not a leaf; pass leaves (x.detach())",
       [] {
         Tape tape;
         TapeScope scope(tape);
         const Tensor y = exp(ones({2}, f64).requires_grad(true));
         gradcheck([](const std::vector<Tensor>& in) { return in[0]; }, {y});
       }},
      // ---- distribution parameters
      {"distribution parameters", "Normal with scale -0.2", "Normal: scale[1] is -0.2, but must be positive",
       [] {
         prob::Normal::from_scale(zeros({2}, f64), tensor({1.0, -0.2}, f64));
       }},
      {"distribution parameters", "Normal with a NaN loc", "Normal: loc[0] is nan",
       [] { prob::Normal::from_scale(tensor({std::nan("")}, f64), ones({1}, f64)); }},
      {"distribution parameters", "Normal whose loc and scale do not broadcast",
       "Normal: loc is (3,) and scale is (4,)", [] { prob::Normal::from_scale(zeros({3}, f64), ones({4}, f64)); }},
      {"distribution parameters", "event_dims 3 for a (2, 2) Normal", "event_dims is 3, but must be in [0, 2]",
       [] {
         prob::Normal::from_scale(zeros({2, 2}, f64), ones({2, 2}, f64), 3);
       }},
      {"distribution parameters", "Bernoulli with an infinite logit", "Bernoulli: logits[0] is inf",
       [] { prob::Bernoulli::from_logits(tensor({INFINITY}, f64)); }},
      {"distribution parameters", "Categorical with no categories",
       "Categorical: logits are (2, 0), but need a non-empty last axis",
       [] {
         prob::Categorical::from_logits(zeros({2, 0}, f64));
       }},
      // ---- values outside a support
      {"values outside a support", "Bernoulli value 1.5", "Bernoulli: value[0] is 1.5, but must be in [0, 1]",
       [] { prob::Bernoulli::from_logits(zeros({1}, f64)).log_prob(tensor({1.5}, f64)); }},
      {"values outside a support", "Categorical value 3 of 3 categories", "Categorical: value[0] is 3",
       [] { prob::Categorical::from_logits(zeros({3}, f64)).log_prob(tensor({3.0}, f64)); }},
      {"values outside a support", "a NaN value for a Normal", "Normal: value[0] is nan",
       [] { prob::Normal::from_scale(zeros({1}, f64), ones({1}, f64)).log_prob(tensor({std::nan("")}, f64)); }},
      {"values outside a support", "bernoulli() with a probability 1.5",
       "bernoulli: probs[0] is 1.500000, but must be in [0, 1]",
       [] {
         Generator gen(1);
         bernoulli(tensor({1.5}), gen);
       }},
      {"values outside a support", "binarising a value of 2",
       "Dataset::binarized: value[0, 1] is 2.000000, but must be in [0, 1]",
       [] {
         nn::Dataset::from_f32({0.f, 2.f}, 1, 2).binarized();
       }},
      // ---- nn
      {"nn", "Linear with 0 inputs", "Linear: in_features is 0, but must be >= 1",
       [] {
         Generator gen(1);
         nn::Linear(0, 2, gen);
       }},
      {"nn", "an unknown activation",
       "activation: name is \"gelu\", but must be relu, tanh, sigmoid, softplus or identity",
       [] {
         Generator gen(1);
         nn::MLP({2, 2}, "gelu", gen);
       }},
      {"nn", "layer 2 of a 2-layer MLP", "MLP::layer: index 2 is out of range for 2 layers",
       [] {
         Generator gen(1);
         nn::MLP({2, 3, 1}, "relu", gen).layer(2);
       }},
      {"nn", "a negative learning rate", "adam: lr is -1.000000, but must be finite and >= 0",
       [] {
         Tensor p = zeros({1}).requires_grad(true);
         nn::Adam({{"p", p}}, {.lr = -1});
       }},
      {"nn", "Adam with beta1 = 1", "adam: beta1 is 1.000000, but must be in [0, 1)",
       [] {
         Tensor p = zeros({1}).requires_grad(true);
         nn::Adam({{"p", p}}, {.beta1 = 1.0});
       }},
      {"nn", "Nesterov without momentum", "sgd: nesterov is on, but needs momentum > 0 and dampening 0",
       [] {
         Tensor p = zeros({1}).requires_grad(true);
         nn::SGD({{"p", p}}, {.nesterov = true});
       }},
      {"nn", "clip_grad_norm with max_norm 0", "clip_grad_norm: max_norm is 0.000000, but must be positive",
       [] { nn::clip_grad_norm({}, 0.0); }},
      {"nn", "a dataset of 5 values for 2 x 3", "Dataset: there are 5 values, but n * dim is 6",
       [] { nn::Dataset::from_u8(std::vector<std::uint8_t>(5), 2, 3); }},
      {"nn", "row 2 of a 2-row dataset", "Dataset::value: row is 2, but must be in [0, 2)",
       [] {
         nn::Dataset::from_u8({1, 2}, 2, 1).value(2, 0);
       }},
      {"nn", "an unknown binarisation", "binarize: name is \"random\", but must be none, fixed or dynamic",
       [] { nn::binarize_from_name("random"); }},
      {"nn", "batches of size 0", "epoch_batches: batch_size is 0, but must be >= 1",
       [] {
         Generator gen(1);
         nn::epoch_batches(4, 0, false, false, gen);
       }},
      {"nn", "an unknown schedule", "Schedule: name is \"cosine\", but must be constant, step or iwae",
       [] { nn::Schedule::from_name("cosine", 1e-3); }},
      // ---- vae
      {"vae", "an unknown likelihood", "VAE: likelihood is 'poisson', but must be 'bernoulli' or 'normal'",
       [] {
         Generator gen(1);
         vae::VAE({4, {3}, 2, "tanh", "glorot", "poisson"}, gen);
       }},
      {"vae", "estimate_log_px with k = 0", "estimate_log_px: k is 0, but must be at least 1",
       [] {
         Generator gen(1);
         vae::VAE model({4, {3}, 2, "tanh", "glorot"}, gen);
         vae::estimate_log_px(model, zeros({2, 4}), 0, gen);
       }},
      {"vae", "estimate_log_px of no examples", "estimate_log_px: x is (0, 4); it must be (B, D) with B >= 1",
       [] {
         Generator gen(1);
         vae::VAE model({4, {3}, 2, "tanh", "glorot"}, gen);
         vae::estimate_log_px(model, zeros({0, 4}), 5, gen);
       }},
      {"vae", "noise of rank 2", "log_weights: eps is (2, 2); it must be (K, B, L)",
       [] {
         Generator gen(1);
         vae::VAE model({4, {3}, 2, "tanh", "glorot"}, gen);
         vae::log_weights(model, zeros({2, 4}), zeros({2, 2}));
       }},
      // ---- truncated and corrupt files
      {"files", "a file that does not exist", "read: /nonexistent/x.npz: no such file",
       [] { nn::io::load_npz("/nonexistent/x.npz"); }},
      {"files", "a gzip file cut in its deflate data", "gzip: cut.gz: truncated stored block of 100 bytes at byte 15",
       [] {
         Bytes gz = gzip_member(Bytes(100, 7));
         gz.resize(40);
         nn::io::gunzip(gz, "cut.gz");
       }},
      {"files", "a gzip file with a wrong CRC-32", "gzip: bad.gz: CRC-32 mismatch: stored 0x00000000",
       [] {
         Bytes gz = gzip_member(Bytes(10, 7));
         set_le(gz, gz.size() - 8, 0, 4);
         nn::io::gunzip(gz, "bad.gz");
       }},
      {"files", "bytes after the last gzip member", "gzip: junk.gz: trailing data after the last gzip member",
       [] {
         Bytes gz = gzip_member(Bytes(10, 7));
         gz.push_back(1);
         nn::io::gunzip(gz, "junk.gz");
       }},
      {"files", "an IDX file that ends early",
       "idx: t.idx: truncated at byte 16: shape 2x2x2 needs more data than the 0 bytes after the header",
       [] {
         nn::io::parse_idx(Bytes{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2}, "t.idx");
       }},
      {"files", "an IDX file of float32", "element type 0x0D (float32) at byte 2 is not supported",
       [] {
         nn::io::parse_idx(Bytes{0, 0, 0x0D, 1, 0, 0, 0, 0}, "f.idx");
       }},
      {"files", "a .npy file without its magic", "npy: a.npy: not an .npy file",
       [] { nn::io::decode_npy(Bytes(20, 0), "a.npy"); }},
      {"files", "a Fortran-order .npy file", "Fortran-order (column-major) arrays are not supported",
       [] {
         Bytes npy = nn::io::encode_npy(floats({2}));
         const std::string text(npy.begin(), npy.end());
         const std::size_t at = text.find("False");
         const std::string t = "True ";
         std::copy(t.begin(), t.end(), npy.begin() + static_cast<std::ptrdiff_t>(at));
         nn::io::decode_npy(npy, "f.npy");
       }},
      {"files", "an .npz whose entries overlap", "overlap",
       [] {
         std::vector<ZipEntry> two = {npy_entry("a.npy", floats({8})), npy_entry("b.npy", floats({8}))};
         const std::size_t a_end = 35 + two[0].payload.size(), cd = a_end + 35 + two[1].payload.size();
         Bytes b = npz_of(two);
         set_le(b, cd + 20, cd - 35, 4);
         set_le(b, cd + 24, cd - 35, 4);
         nn::io::decode_npz(b, "o.npz");
       }},
      {"files", "an .npz that is not a zip file", "npz: x.npz: not a zip archive",
       [] { nn::io::decode_npz(Bytes(40, 1), "x.npz"); }},
      {"files", "an .npz entry declaring 4 GiB from 149 bytes",
       "declares 4294967295 bytes from 149 deflated bytes, more than DEFLATE can expand them to (1032 times)",
       [] {
         ZipEntry e = npy_entry("w.npy", floats({4}), 8);
         e.size = 0xFFFFFFFFu;
         nn::io::NpzReader(npz_of({e}), "big.npz").read(0, 1 << 20);
       }},
      {"files", "a gzip bomb (10 MB from 65 KB)", "decoded data exceeds the limit of 5209920 bytes",
       [] { nn::io::gunzip(gzip_bomb(), "bomb.gz"); }},
      {"files", "a stored .npz entry whose sizes disagree (a bogus zip64 size)",
       "entry 'w.npy' is stored (method 0), but declares 1000192 bytes and stores 192",
       [] {
         ZipEntry e = npy_entry("w.npy", floats({16}));
         e.size += 1000000;
         nn::io::decode_npz(npz_of({e}), "sizes.npz");
       }},
      {"files", "a deflated .npz entry declaring 2000 x its size", "more than DEFLATE can expand them to (1032 times)",
       [] {
         ZipEntry e = npy_entry("w.npy", floats({16}), 8);
         e.size = 2000 * e.payload.size();
         nn::io::decode_npz(npz_of({e}), "ratio.npz");
       }},
      // ---- checkpoints
      {"checkpoints", "a checkpoint of another width", "has shape (8, 16) in the file but (9, 16) in the model",
       [] { load_into_width(9); }},
      {"checkpoints", "a checkpoint without a tensor the model has",
       "has no tensor encoder.0.weight, which the model has",
       [] {
         nn::io::NamedArrays a = nn::io::load_npz(ckpt());
         a.erase(a.begin());
         nn::io::save_npz((scratch() / "missing.npz").string(), a);
         Generator gen(1);
         vae::VAE model(tiny_architecture(16, 8, 2), gen);
         nn::load_checkpoint((scratch() / "missing.npz").string(), model, nullptr);
       }},
      {"checkpoints", "a checkpoint with optim.step = -1", "optim.step is -1, but must be >= 0",
       [] {
         nn::io::NamedArrays a = nn::io::load_npz(ckpt());
         for (auto& [name, arr] : a)
           if (name == "optim.step") set_le(arr.bytes, 0, static_cast<std::uint64_t>(-1), 8);
         nn::io::save_npz((scratch() / "step.npz").string(), a);
         Generator gen(1);
         vae::VAE model(tiny_architecture(16, 8, 2), gen);
         nn::Adam adam(model.named_parameters(), {});
         nn::load_checkpoint((scratch() / "step.npz").string(), model, &adam);
       }},
      {"checkpoints", "a checkpoint holding a NaN parameter", "is nan, but a parameter must be finite",
       [] {
         nn::io::NamedArrays a = nn::io::load_npz(ckpt());
         const float nan = std::nanf("");
         std::memcpy(a[0].second.bytes.data(), &nan, 4);
         nn::io::save_npz((scratch() / "nan.npz").string(), a);
         Generator gen(1);
         vae::VAE model(tiny_architecture(16, 8, 2), gen);
         nn::load_checkpoint((scratch() / "nan.npz").string(), model, nullptr);
       }},
      {"checkpoints", "saving a NaN parameter", "not written: encoder.0.weight[0] is nan",
       [] {
         Generator gen(1);
         vae::VAE model(tiny_architecture(16, 8, 2), gen);
         model.parameter("encoder.0.weight").set_flat(0, std::nan(""));
         nn::save_checkpoint((scratch() / "never.npz").string(), model, nullptr, {});
       }},
      {"checkpoints", "a card of hidden width 200,000 on a file of width 8",
       "the card's text.arch.hidden[0] is 200000 (and text.arch.data_dim is 16), but encoder.0.weight is (8, 16) in "
       "the file (the card makes it (200000, 16))",
       [] { vae::load_vae(with_card("arch.hidden", "200000")); }},
      {"checkpoints", "a card of 30,000 hidden layers", "gives 30000 widths, and a card may give at most 64",
       [] {
         std::string h = "1";
         for (int i = 1; i < 30000; ++i) h += ",1";
         vae::load_vae(with_card("arch.hidden", h));
       }},
      {"checkpoints", "a card of 2^31 coupling layers",
       "text.arch.coupling_layers is '2147483648', but must be a whole number from 1 to 1024",
       [] { vae::read_model_card(with_card("arch.coupling_layers", "2147483648")); }},
      {"checkpoints", "a card that says float64 for float32 weights",
       "the card's text.dtype is 'float64', but encoder.0.weight is float32 in the file",
       [] { vae::load_vae(with_card("dtype", "float64")); }},
      {"checkpoints", "a card value holding a newline and escape codes",
       "text.arch.activation is 'tanh\\x0a\\x1b[1Aok', but must be one of",
       [] { vae::load_vae(with_card("arch.activation", "tanh\n\x1b[1Aok")); }},
      {"checkpoints", "a checkpoint with optim.step = 2^63 - 1",
       "optim.step is 9223372036854775807, but must be >= 0 and at most 2^53",
       [] {
         nn::io::NamedArrays a = nn::io::load_npz(ckpt());
         for (auto& [name, arr] : a)
           if (name == "optim.step") set_le(arr.bytes, 0, 0x7FFFFFFFFFFFFFFFu, 8);
         nn::io::save_npz((scratch() / "step63.npz").string(), a);
         Generator gen(1);
         vae::VAE model(tiny_architecture(16, 8, 2), gen);
         nn::Adam adam(model.named_parameters(), {});
         nn::load_checkpoint((scratch() / "step63.npz").string(), model, &adam);
       }},
      {"checkpoints", "a checkpoint of 5,000 text entries",
       "has 5018 rng.*, meta.* and text.* entries, more than the 4096 a checkpoint may hold",
       [] {
         const Bytes text(100, 'a');
         vae::read_model_card(
             with_entries("text.x", 5000, nn::io::npy_from(std::span<const std::uint8_t>(text), {100})));
       }},
      {"checkpoints", "text entries of more than 1 MiB together", "bytes, more than the budget of 1048576",
       [] {
         const Bytes text(65536, 'a');
         vae::read_model_card(
             with_entries("text.x", 17, nn::io::npy_from(std::span<const std::uint8_t>(text), {65536})));
       }},
      {"checkpoints", "a two-layer model's checkpoint read for its card",
       "holds a model with two stochastic layers (q_z1_x.0.weight), whose checkpoints have no card",
       [] { vae::read_model_card(two_layer_checkpoint()); }},
      // ---- the program: every bad flag, and resuming
      {"train_vae", "an unknown flag", "train_vae: unknown flag '--frobnicate'", program("--frobnicate 3")},
      {"train_vae", "a flag without its value", "train_vae: --epochs: missing value", program("--epochs")},
      {"train_vae", "a positional argument", "train_vae: unexpected argument 'data'", program("data")},
      {"train_vae", "--model gan", "train_vae: --model: 'gan' is not one of vae, iwae", program("--model gan")},
      {"train_vae", "--k zero", "train_vae: --k: 'zero' is not a whole number", program("--k zero")},
      {"train_vae", "--k 0", "train_vae: --k: 0 must be at least 1", program("--k 0")},
      {"train_vae", "--estimator bogus", "train_vae: --estimator: 'bogus' is not one of reparam, stl, dreg",
       program("--estimator bogus")},
      {"train_vae", "--estimator dreg --model vae", "train_vae: --estimator dreg is for --model iwae",
       program("--estimator dreg --model vae")},
      {"train_vae", "--arch resnet", "train_vae: --arch: 'resnet' is not one of pytorch-examples, iwae-paper",
       program("--arch resnet")},
      {"train_vae", "--arch with --latent", "train_vae: --arch sets the layer sizes and activation",
       program("--arch iwae-paper --latent 3")},
      {"train_vae", "--latent -2", "train_vae: --latent: -2 must be at least 1", program("--latent -2")},
      {"train_vae", "--hidden 200,,200", "train_vae: --hidden: '' is not a whole number", program("--hidden 200,,200")},
      {"train_vae", "--hidden 8,", "train_vae: --hidden: give layer sizes like 200,200", program("--hidden 8,")},
      {"train_vae", "--activation gelu", "train_vae: --activation: 'gelu' is not one of relu, tanh, sigmoid, softplus",
       program("--activation gelu")},
      {"train_vae", "--epochs 0", "train_vae: --epochs: 0 must be at least 1", program("--epochs 0")},
      {"train_vae", "--batch 1.5", "train_vae: --batch: '1.5' is not a whole number", program("--batch 1.5")},
      {"train_vae", "--lr -1", "train_vae: --lr: '-1' is not a positive number", program("--lr -1")},
      {"train_vae", "--lr 5000", "train_vae: --lr: 5000 must be at most 1000", program("--lr 5000")},
      {"train_vae", "--schedule cosine", "train_vae: --schedule: 'cosine' is not one of constant, iwae",
       program("--schedule cosine")},
      {"train_vae", "--seed 2^64", "train_vae: --seed: 18446744073709551616 must be at most 18446744073709551615",
       program("--seed 18446744073709551616")},
      {"train_vae", "--threads 4294967298", "train_vae: --threads: 4294967298 must be at most 1024",
       program("--threads 4294967298 --help")},  // --help: a build that took the value would not train for minutes
      {"train_vae", "--train-n -5", "train_vae: --train-n: -5 must be at least 0", program("--train-n -5")},
      {"train_vae", "--binarize soft", "train_vae: --binarize: 'soft' is not one of dynamic, fixed",
       program("--binarize soft")},
      {"train_vae", "--eval-k 0", "train_vae: --eval-k: 0 must be at least 1", program("--eval-k 0")},
      {"train_vae", "--eval-k-epoch x", "train_vae: --eval-k-epoch: 'x' is not a whole number",
       program("--eval-k-epoch x")},
      {"train_vae", "--eval-n -1", "train_vae: --eval-n: -1 must be at least 0", program("--eval-n -1")},
      {"train_vae", "--data of a missing directory", "train_vae: error: idx: /nonexistent/dir: no such directory",
       program("--data /nonexistent/dir --out /tmp/tg_never")},
      {"train_vae", "--resume of a missing file",
       "train_vae: error: checkpoint: read: /nonexistent/c.npz: no such file",
       [] { program(tiny_flags(data_dir(), scratch() / "r1", 8, 2) + " --resume /nonexistent/c.npz")(); }},
      {"train_vae", "--resume past the last epoch", "the checkpoint has already trained 1 epochs, and --epochs is 1",
       [] { program(tiny_flags(data_dir(), scratch() / "r2", 8, 1) + " --resume '" + ckpt() + "'")(); }},
      {"train_vae", "--resume of a two-layer checkpoint without --arch", "resume it with train_vae --arch iwae-paper-2",
       [] {
         program(tiny_flags(data_dir(), scratch() / "r4", 8, 2) + " --resume '" + two_layer_checkpoint() + "'")();
       }},
      {"train_vae", "--resume on data of another size", "values per example, but --data shapes has",
       [] { program(tiny_flags(data_dir(), scratch() / "r3", 8, 2) + " --data shapes --resume '" + ckpt() + "'")(); }},
  };
}

std::string markdown_table(const std::vector<Case>& cases, const std::string& area) {
  std::string t = "| bad input | the message contains |\n|---|---|\n";
  for (const Case& c : cases)
    if (c.area == area) t += std::string("| ") + c.input + " | `" + c.fragment + "` |\n";
  return t;
}

}  // namespace

TEST_CASE("error catalogue: every bad input gives its message, and docs/errors.md lists them all",
          "[errors][examples][train_vae]") {
  const std::vector<Case> cases = catalogue();
  CHECK(cases.size() >= 60);
  for (const Case& c : cases) {
    INFO(c.area << ": " << c.input);
    CHECK_THAT(message_of(c.run), Catch::Contains(c.fragment));
  }
  const fs::path page = fs::path(TG_SOURCE_DIR) / "docs" / "errors.md";
  std::ifstream in(page);
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  std::vector<std::string> areas;
  for (const Case& c : cases)
    if (std::find(areas.begin(), areas.end(), c.area) == areas.end()) areas.push_back(c.area);
  if (std::getenv("TG_WRITE_ERROR_CATALOGUE") != nullptr) {  // rewrite each section's table from the catalogue
    for (const std::string& area : areas) {
      const std::string begin = "<!-- catalogue: " + area + " -->\n", end = "<!-- end -->";
      const auto b = doc.find(begin), e = doc.find(end, b);
      REQUIRE(b != std::string::npos);
      doc.replace(b + begin.size(), e - b - begin.size(), markdown_table(cases, area));
    }
    std::ofstream(page) << doc;
  }
  for (const std::string& area : areas) {
    INFO("docs/errors.md must hold the table of '" << area
                                                   << "' (TG_WRITE_ERROR_CATALOGUE=1 ./test_examples rewrites it)");
    CHECK(doc.find("<!-- catalogue: " + area + " -->\n" + markdown_table(cases, area) + "<!-- end -->") !=
          std::string::npos);
  }
  fs::remove_all(scratch());
}
