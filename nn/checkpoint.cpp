// Checkpoints (see checkpoint.hpp for the array names): tensors to and from io::NpyArray, the save, and the load,
// which validates every entry against the model and optimiser before it copies anything in.
#include "nn/checkpoint.hpp"

#include <cstring>
#include <span>

#include "nn/io/npy.hpp"

namespace tg::nn {

namespace {

const char* const reserved_prefixes[] = {"optim.", "train.", "rng.", "meta.", "text."};

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool is_reserved(const std::string& name) {
  for (const char* p : reserved_prefixes)
    if (starts_with(name, p)) return true;
  return false;
}

std::string npy_dtype_name(const std::string& code) {
  if (code == "f4") return "float32";
  if (code == "f8") return "float64";
  if (code == "i4") return "int32";
  if (code == "i8") return "int64";
  if (code == "u1") return "uint8";
  if (code == "u8") return "uint64";
  return code;
}

std::string npy_code(DType dtype) { return dtype == f32 ? "f4" : "f8"; }

io::NpyArray to_npy(const Tensor& t) {
  return dispatch(t.dtype(), [&]<class T>(T) {
    return io::npy_from(std::span<const T>(t.data<T>(), static_cast<std::size_t>(t.numel())), t.shape());
  });
}

Tensor to_tensor(const io::NpyArray& a, DType dtype) {
  Tensor t = empty(a.shape, dtype);
  std::memcpy(t.raw_data(), a.bytes.data(), a.bytes.size());  // shape and dtype were checked: sizes agree
  return t;
}

template <class T>
io::NpyArray scalar_npy(T value) {
  return io::npy_from(std::span<const T>(&value, 1), {});
}

// The arrays of one file, the path for messages, and which entries have been claimed by the model or
// optimiser.
struct Reader {
  std::string path;
  io::NamedArrays arrays;
  std::vector<bool> used;

  [[noreturn]] void error(const std::string& why) const { fail("checkpoint", path + ": " + why); }

  const io::NpyArray* find(const std::string& name) {
    for (std::size_t i = 0; i < arrays.size(); ++i)
      if (arrays[i].first == name) return used[i] = true, &arrays[i].second;
    return nullptr;
  }

  // The entry `name`, which must exist with this shape and dtype; `owner` says who expects it ("the model").
  const io::NpyArray& expect(const std::string& name, const Shape& shape, const std::string& code,
                             const std::string& owner, const std::string& hint = "") {
    const io::NpyArray* a = find(name);
    if (!a) error("has no tensor " + name + ", which " + owner + " has" + hint);
    if (a->dtype != code)
      error(name + " has dtype " + npy_dtype_name(a->dtype) + " in the file but " + npy_dtype_name(code) + " in " +
            owner);
    if (a->shape != shape)
      error(name + " has shape " + shape_str(a->shape) + " in the file but " + shape_str(shape) + " in " + owner);
    return *a;
  }

  template <class T>
  T scalar(const std::string& name, const std::string& code) {
    T value{};
    std::memcpy(&value, expect(name, {}, code, "a checkpoint").bytes.data(), sizeof(T));
    return value;
  }
};

io::NpyArray text_npy(const std::string& s) {
  return io::npy_from(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()),
                      {static_cast<std::int64_t>(s.size())});
}

// A text.<key> entry: uint8 (n,), at most max_text_bytes.
std::string text_of(const std::string& path, const std::string& name, const io::NpyArray& a) {
  if (a.dtype != "u1" || a.shape.size() != 1 || a.bytes.size() > max_text_bytes)
    fail("checkpoint", path + ": " + name + " is " + shape_str(a.shape) + " " + npy_dtype_name(a.dtype) +
                           ", but text must be uint8 (n,) with n <= " + std::to_string(max_text_bytes));
  return std::string(a.bytes.begin(), a.bytes.end());
}

void save_rng(io::NamedArrays& out, const std::string& name, const Generator::State& s) {
  io::NpyArray words{"u8", {4}, std::vector<std::uint8_t>(sizeof(s.s))};  // nn/io/npy has no npy_from for uint64
  std::memcpy(words.bytes.data(), s.s.data(), sizeof(s.s));
  out.emplace_back("rng." + name + ".state", std::move(words));
  out.emplace_back("rng." + name + ".has_spare", scalar_npy<std::uint8_t>(s.has_spare ? 1 : 0));
  out.emplace_back("rng." + name + ".spare", scalar_npy<double>(s.spare));
}

Generator::State load_rng(Reader& r, const std::string& name) {
  Generator::State s;
  const io::NpyArray& words = r.expect("rng." + name + ".state", {4}, "u8", "a checkpoint");
  std::memcpy(s.s.data(), words.bytes.data(), sizeof(s.s));
  s.has_spare = r.scalar<std::uint8_t>("rng." + name + ".has_spare", "u1") != 0;
  s.spare = r.scalar<double>("rng." + name + ".spare", "f8");
  return s;
}

}  // namespace

const Generator::State& TrainState::rng(const std::string& name) const {
  for (const auto& [n, s] : rngs)
    if (n == name) return s;
  fail("checkpoint", "there is no generator named \"" + name + "\" in the training state");
}

double TrainState::meta_value(const std::string& key) const {
  for (const auto& [k, v] : meta)
    if (k == key) return v;
  fail("checkpoint", "there is no metadata key \"" + key + "\" in the training state");
}

void save_checkpoint(const std::string& path, const Module& model, const Optimizer* optimizer,
                     const TrainState& state) {
  io::NamedArrays out;
  for (const auto& [name, p] : model.named_parameters()) {
    if (is_reserved(name))
      fail("checkpoint", path + ": parameter " + name + " starts with a prefix reserved for training state");
    out.emplace_back(name, to_npy(p));
  }
  if (optimizer) {
    const OptimizerState s = optimizer->state();
    for (const auto& [name, t] : s.buffers) out.emplace_back("optim." + s.kind + "." + name, to_npy(t));
    out.emplace_back("optim.step", scalar_npy<std::int64_t>(s.step));
  }
  out.emplace_back("train.epoch", scalar_npy<std::int64_t>(state.epoch));
  out.emplace_back("train.step", scalar_npy<std::int64_t>(state.step));
  for (const auto& [name, s] : state.rngs) save_rng(out, name, s);
  for (const auto& [key, value] : state.meta) out.emplace_back("meta." + key, scalar_npy<double>(value));
  for (const auto& [key, value] : state.text) {
    if (value.size() > max_text_bytes)
      fail("checkpoint", path + ": text." + key + " has " + std::to_string(value.size()) + " bytes, at most " +
                             std::to_string(max_text_bytes) + " are allowed");
    out.emplace_back("text." + key, text_npy(value));
  }
  io::save_npz(path, out);  // path.tmp, then rename
}

static OptimizerState read_optimizer(Reader& r, const Optimizer& optimizer) {
  OptimizerState s{optimizer.kind(), 0, {}};
  const std::string prefix = "optim." + optimizer.kind() + ".";
  const std::string hint = " (was the file saved with another optimiser, or without one?)";
  for (const Optimizer::BufferSpec& b : optimizer.buffer_specs()) {
    if (!b.required && !r.find(prefix + b.name)) continue;  // e.g. SGD momentum before its first step
    const io::NpyArray& a = r.expect(prefix + b.name, b.shape, npy_code(b.dtype), "the optimiser", hint);
    s.buffers.emplace_back(b.name, to_tensor(a, b.dtype));
  }
  std::memcpy(&s.step, r.expect("optim.step", {}, "i8", "the optimiser", hint).bytes.data(), sizeof(s.step));
  return s;
}

static void read_train_state(Reader& r, TrainState& state) {
  state.epoch = r.scalar<std::int64_t>("train.epoch", "i8");
  state.step = r.scalar<std::int64_t>("train.step", "i8");
  const std::string suffix = ".state";
  for (std::size_t i = 0; i < r.arrays.size(); ++i) {
    const std::string name = r.arrays[i].first;
    if (starts_with(name, "rng.") && name.size() > 4 + suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      state.rngs.emplace_back(name.substr(4, name.size() - 4 - suffix.size()), Generator::State{});
    if (starts_with(name, "meta.")) state.meta.emplace_back(name.substr(5), 0.0);
    if (starts_with(name, "text.")) {
      r.used[i] = true;
      state.text.emplace_back(name.substr(5), text_of(r.path, name, r.arrays[i].second));
    }
  }
  for (auto& [name, s] : state.rngs) s = load_rng(r, name);
  for (auto& [key, value] : state.meta) value = r.scalar<double>("meta." + key, "f8");
}

TrainState load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer) {
  Reader r{path, {}, {}};
  try {
    r.arrays = io::load_npz(path);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail("checkpoint", e.what());
  }
  r.used.assign(r.arrays.size(), false);
  // 1. check everything against the model and optimiser, reading into fresh tensors
  NamedTensors params = model.named_parameters();
  std::vector<Tensor> values;
  for (const auto& [name, p] : params)
    values.push_back(to_tensor(r.expect(name, p.shape(), npy_code(p.dtype()), "the model"), p.dtype()));
  OptimizerState opt_state;
  if (optimizer) opt_state = read_optimizer(r, *optimizer);
  TrainState state;
  read_train_state(r, state);
  for (std::size_t i = 0; i < r.arrays.size(); ++i) {
    const std::string& name = r.arrays[i].first;
    if (!r.used[i] && !(starts_with(name, "optim.") && !optimizer))
      r.error("has a tensor " + name + " that the " + (is_reserved(name) ? "training state" : "model") +
              " does not have");
  }
  // 2. nothing can fail now: copy in
  for (std::size_t i = 0; i < params.size(); ++i)
    std::memcpy(params[i].second.raw_data(), values[i].raw_data(),
                static_cast<std::size_t>(values[i].numel()) * tg::dtype_size(values[i].dtype()));
  if (optimizer) optimizer->set_state(opt_state);
  return state;
}

std::vector<std::pair<std::string, std::string>> read_checkpoint_text(const std::string& path) {
  io::NamedArrays arrays;
  try {
    arrays = io::load_npz(path);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail("checkpoint", e.what());
  }
  std::vector<std::pair<std::string, std::string>> text;
  for (const auto& [name, a] : arrays)
    if (starts_with(name, "text.")) text.emplace_back(name.substr(5), text_of(path, name, a));
  return text;
}

}  // namespace tg::nn
