// Checkpoints (see checkpoint.hpp for the array names): tensors to and from io::NpyArray, the save, and the load,
// which validates every entry against the model and optimiser before it copies anything in.
#include "nn/checkpoint.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>

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

// The most bytes an .npy entry of this shape and dtype can need: the data and a header of at most 4 KiB (ours
// take 128 bytes, NumPy's as many). An entry that declares more is refused before it is decompressed.
std::size_t npy_bound(const Shape& shape, const std::string& code) {
  return 4096 + static_cast<std::size_t>(shape_numel(shape)) * io::dtype_size(code);
}

// The entries of one file, the path for messages, and which entries the model, optimiser or training state
// claimed. Nothing is decompressed until an owner asks for its entry with the shape and dtype it expects.
struct Reader {
  std::string path;
  std::vector<std::uint8_t> bytes;
  std::unique_ptr<io::NpzReader> zip;
  std::vector<bool> used;

  [[noreturn]] void error(const std::string& why) const { fail("checkpoint", path + ": " + why); }

  std::ptrdiff_t find(const std::string& name) {
    const std::ptrdiff_t i = zip->find(name);
    if (i >= 0) used[static_cast<std::size_t>(i)] = true;
    return i;
  }

  // The entry `name`, which must exist with this shape and dtype; `owner` says who expects it ("the model").
  io::NpyArray expect(const std::string& name, const Shape& shape, const std::string& code, const std::string& owner,
                      const std::string& hint = "") {
    const std::ptrdiff_t i = find(name);
    if (i < 0) error("has no tensor " + name + ", which " + owner + " has" + hint);
    io::NpyArray a;
    try {
      a = zip->read(static_cast<std::size_t>(i), npy_bound(shape, code));
    } catch (const std::runtime_error& e) {
      fail("checkpoint", e.what());  // names the file and the entry
    }
    if (a.dtype != code)
      error(name + " has dtype " + npy_dtype_name(a.dtype) + " in the file but " + npy_dtype_name(code) + " in " +
            owner);
    if (a.shape != shape)
      error(name + " has shape " + shape_str(a.shape) + " in the file but " + shape_str(shape) + " in " + owner);
    return a;
  }

  template <class T>
  T scalar(const std::string& name, const std::string& code) {
    T value{};
    std::memcpy(&value, expect(name, {}, code, "a checkpoint").bytes.data(), sizeof(T));
    return value;
  }
  std::int64_t count(const std::string& name) {  // a non-negative int64 scalar: train.epoch, optim.step, ...
    const auto v = scalar<std::int64_t>(name, "i8");
    if (v < 0 || v > max_count)
      error(name + " is " + std::to_string(v) + ", but must be >= 0 and at most 2^53 (" + std::to_string(max_count) +
            ")");
    return v;
  }
};

io::NpyArray text_npy(const std::string& s) {
  return io::npy_from(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()),
                      {static_cast<std::int64_t>(s.size())});
}

// Entry i of the archive, a text.<key> entry: uint8 (n,), at most max_text_bytes (refused before decompressing more).
std::string read_text(const io::NpzReader* zip, std::ptrdiff_t i, const std::string& path, std::size_t& total) {
  const std::string& name = zip->entries()[static_cast<std::size_t>(i)].name;
  io::NpyArray a;
  try {
    a = zip->read(static_cast<std::size_t>(i), max_text_bytes + 4096);
  } catch (const std::runtime_error& e) {
    fail("checkpoint", e.what());  // names the file and the entry
  }
  if (a.dtype != "u1" || a.shape.size() != 1 || a.bytes.size() > max_text_bytes)
    fail("checkpoint", path + ": " + io::printable_name(name) + " is " + shape_str(a.shape) + " " +
                           npy_dtype_name(a.dtype) +
                           ", but text must be uint8 (n,) with n <= " + std::to_string(max_text_bytes));
  total += a.bytes.size();
  if (total > max_text_total)
    fail("checkpoint", path + ": the text entries up to " + io::printable_name(name) + " hold " +
                           std::to_string(total) + " bytes, more than the budget of " + std::to_string(max_text_total));
  return std::string(a.bytes.begin(), a.bytes.end());
}

// "name[i] is v" for the first element of t that is not finite, or "".
std::string first_non_finite(const std::string& name, const Tensor& t) {
  return dispatch(t.dtype(), [&]<class T>(T) -> std::string {
    const T* p = t.data<T>();
    for (std::int64_t i = 0; i < t.numel(); ++i)
      if (!std::isfinite(p[i]))
        return name + "[" + std::to_string(i) + "] is " + (std::isnan(p[i]) ? "nan" : std::to_string(p[i]));
    return "";
  });
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
  const std::string prefix = "rng." + name;
  const io::NpyArray words = r.expect(prefix + ".state", {4}, "u8", "a checkpoint");
  std::memcpy(s.s.data(), words.bytes.data(), sizeof(s.s));
  if (s.s == std::array<std::uint64_t, 4>{}) r.error(prefix + ".state is all zeros, which no generator reaches");
  const auto has_spare = r.scalar<std::uint8_t>(prefix + ".has_spare", "u1");
  if (has_spare > 1) r.error(prefix + ".has_spare is " + std::to_string(has_spare) + ", but must be 0 or 1");
  s.has_spare = has_spare == 1;
  s.spare = r.scalar<double>(prefix + ".spare", "f8");
  if (!std::isfinite(s.spare)) r.error(prefix + ".spare is " + std::to_string(s.spare) + ", but must be finite");
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
  // Refuse what load_checkpoint would refuse, before anything is written: the file at `path` stays as it was.
  auto refuse = [&](const std::string& why) { fail("checkpoint", path + ": not written: " + why); };
  io::NamedArrays out;
  for (const auto& [name, p] : model.named_parameters()) {
    if (is_reserved(name)) refuse("parameter " + name + " starts with a prefix reserved for training state");
    const std::string bad = first_non_finite(name, p);
    if (!bad.empty()) refuse(bad + ", but a parameter must be finite");
    out.emplace_back(name, to_npy(p));
  }
  if (state.epoch < 0 || state.step < 0 || state.epoch > max_count || state.step > max_count)
    refuse("epoch is " + std::to_string(state.epoch) + " and step " + std::to_string(state.step) +
           ", but both must be >= 0 and at most 2^53");
  if (state.rngs.size() * 3 + state.meta.size() + state.text.size() > max_state_entries)
    refuse(std::to_string(state.rngs.size()) + " generators, " + std::to_string(state.meta.size()) + " meta and " +
           std::to_string(state.text.size()) + " text entries make more than the " + std::to_string(max_state_entries) +
           " entries of state a checkpoint may hold");
  if (optimizer) {
    const OptimizerState s = optimizer->state();
    try {
      optimizer->check_state(s);
    } catch (const Error& e) {
      refuse(std::string("optimiser state: ") + e.what());
    }
    if (s.step > max_count) refuse("optim.step is " + std::to_string(s.step) + ", but must be at most 2^53");
    for (const auto& [name, t] : s.buffers) out.emplace_back("optim." + s.kind + "." + name, to_npy(t));
    out.emplace_back("optim.step", scalar_npy<std::int64_t>(s.step));
  }
  out.emplace_back("train.epoch", scalar_npy<std::int64_t>(state.epoch));
  out.emplace_back("train.step", scalar_npy<std::int64_t>(state.step));
  for (const auto& [name, s] : state.rngs) save_rng(out, name, s);
  for (const auto& [key, value] : state.meta) out.emplace_back("meta." + key, scalar_npy<double>(value));
  std::size_t text_bytes = 0;
  for (const auto& [key, value] : state.text) {
    if (value.size() > max_text_bytes)
      fail("checkpoint", path + ": text." + key + " has " + std::to_string(value.size()) + " bytes, at most " +
                             std::to_string(max_text_bytes) + " are allowed");
    if ((text_bytes += value.size()) > max_text_total)
      refuse("the text entries up to text." + key + " hold " + std::to_string(text_bytes) +
             " bytes, more than the budget of " + std::to_string(max_text_total));
    out.emplace_back("text." + key, text_npy(value));
  }
  io::save_npz(path, out);  // path.tmp, then rename
}

static OptimizerState read_optimizer(Reader& r, const Optimizer& optimizer) {
  OptimizerState s{optimizer.kind(), 0, {}};
  const std::string prefix = "optim." + optimizer.kind() + ".";
  const std::string hint = " (was the file saved with another optimiser, or without one?)";
  for (const Optimizer::BufferSpec& b : optimizer.buffer_specs()) {
    if (!b.required && r.find(prefix + b.name) < 0) continue;  // e.g. SGD momentum before its first step
    const io::NpyArray a = r.expect(prefix + b.name, b.shape, npy_code(b.dtype), "the optimiser", hint);
    s.buffers.emplace_back(b.name, to_tensor(a, b.dtype));
  }
  if (r.find("optim.step") < 0) r.error("has no tensor optim.step, which the optimiser has" + hint);
  s.step = r.count("optim.step");
  try {
    optimizer.check_state(s);  // values too: e.g. a negative second moment
  } catch (const Error& e) {
    r.error(std::string("optimiser state: ") + e.what());
  }
  return s;
}

static void read_train_state(Reader& r, TrainState& state) {
  state.epoch = r.count("train.epoch");
  state.step = r.count("train.step");
  const std::string suffix = ".state";
  for (const io::NpzReader::Entry& e : r.zip->entries()) {
    const std::string& name = e.name;
    if (starts_with(name, "rng.") && name.size() > 4 + suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      state.rngs.emplace_back(name.substr(4, name.size() - 4 - suffix.size()), Generator::State{});
    if (starts_with(name, "meta.")) state.meta.emplace_back(name.substr(5), 0.0);
    if (starts_with(name, "text.")) state.text.emplace_back(name.substr(5), "");
  }
  for (auto& [name, s] : state.rngs) s = load_rng(r, name);
  for (auto& [key, value] : state.meta) value = r.scalar<double>("meta." + key, "f8");
  std::size_t text_bytes = 0;
  for (auto& [key, value] : state.text) value = read_text(r.zip.get(), r.find("text." + key), r.path, text_bytes);
}

// The training state's entries (rng.*, meta.*, text.*) count against max_state_entries, checked before any is read.
static void check_state_entries(const io::NpzReader& zip, const std::string& path) {
  std::size_t n = 0;
  for (const io::NpzReader::Entry& e : zip.entries())
    n += starts_with(e.name, "rng.") || starts_with(e.name, "meta.") || starts_with(e.name, "text.") ? 1 : 0;
  if (n > max_state_entries)
    fail("checkpoint", path + ": has " + std::to_string(n) + " rng.*, meta.* and text.* entries, more than the " +
                           std::to_string(max_state_entries) + " a checkpoint may hold");
}

// Opens the file with a budget from what the model and optimiser need (plus room for the training state), so
// that a file of any other size is refused before it is read.
static void open_checkpoint(Reader& r, const NamedTensors& params, const Optimizer* optimizer) {
  std::size_t budget = std::size_t{64} << 20;
  for (const auto& [name, p] : params) budget += npy_bound(p.shape(), npy_code(p.dtype())) + 256 + 2 * name.size();
  if (optimizer)
    for (const Optimizer::BufferSpec& b : optimizer->buffer_specs())
      budget += npy_bound(b.shape, npy_code(b.dtype)) + 256 + 2 * b.name.size();
  try {
    r.bytes = io::read_file_bytes(r.path, budget);
    r.zip = std::make_unique<io::NpzReader>(r.bytes, r.path);
  } catch (const std::runtime_error& e) {
    fail("checkpoint", e.what());
  }
  check_declared_total(*r.zip, r.bytes.size(), r.path);
  check_state_entries(*r.zip, r.path);
  r.used.assign(r.zip->entries().size(), false);
}

TrainState load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer) {
  Reader r{path, {}, {}, {}};
  NamedTensors params = model.named_parameters();
  open_checkpoint(r, params, optimizer);
  // 1. Every name first (nothing decompressed yet): an entry nobody expects is an error.
  for (const auto& [name, p] : params)
    if (r.find(name) < 0) r.error("has no tensor " + name + ", which the model has");
  for (std::size_t i = 0; i < r.zip->entries().size(); ++i) {
    const std::string& name = r.zip->entries()[i].name;
    const bool known = r.used[i] || starts_with(name, "rng.") || starts_with(name, "meta.") || name == "train.epoch" ||
                       name == "train.step" || starts_with(name, "optim.") || starts_with(name, "text.");
    if (!known) r.error("has a tensor " + io::printable_name(name) + " that the model does not have");
  }
  // 2. Read and check every value into fresh tensors.
  std::vector<Tensor> values;
  for (const auto& [name, p] : params) {
    values.push_back(to_tensor(r.expect(name, p.shape(), npy_code(p.dtype()), "the model"), p.dtype()));
    const std::string bad = first_non_finite(name, values.back());
    if (!bad.empty()) r.error(bad + ", but a parameter must be finite");
  }
  OptimizerState opt_state;
  if (optimizer) opt_state = read_optimizer(r, *optimizer);
  TrainState state;
  read_train_state(r, state);
  for (std::size_t i = 0; i < r.zip->entries().size(); ++i) {
    const std::string& name = r.zip->entries()[i].name;
    if (!r.used[i] && !(starts_with(name, "optim.") && !optimizer))
      r.error("has a tensor " + io::printable_name(name) + " that the " +
              (is_reserved(name) ? "training state" : "model") + " does not have");
  }
  // 3. Nothing can fail now: copy in.
  for (std::size_t i = 0; i < params.size(); ++i)
    std::memcpy(params[i].second.raw_data(), values[i].raw_data(),
                static_cast<std::size_t>(values[i].numel()) * tg::dtype_size(values[i].dtype()));
  if (optimizer) optimizer->set_state(opt_state);
  return state;
}

void check_declared_total(const io::NpzReader& zip, std::size_t file_bytes, const std::string& path) {
  const std::size_t budget = io::decode_budget(file_bytes, SIZE_MAX);
  std::size_t total = 0;
  for (const io::NpzReader::Entry& e : zip.entries()) {
    if (e.size > budget - total)
      fail("checkpoint", path + ": its entries up to " + io::printable_name(e.name) + ".npy declare more than the " +
                             "budget of " + std::to_string(budget) + " bytes (" +
                             io::describe_budget(file_bytes, SIZE_MAX) + ")");
    total += e.size;
  }
}

std::vector<std::pair<std::string, std::string>> read_checkpoint_text(const io::NpzReader& zip,
                                                                      const std::string& path) {
  check_state_entries(zip, path);
  std::vector<std::pair<std::string, std::string>> text;
  std::size_t total = 0;
  for (std::size_t i = 0; i < zip.entries().size(); ++i)
    if (starts_with(zip.entries()[i].name, "text."))
      text.emplace_back(zip.entries()[i].name.substr(5), read_text(&zip, static_cast<std::ptrdiff_t>(i), path, total));
  return text;
}

std::vector<std::pair<std::string, std::string>> read_checkpoint_text(const std::string& path) {
  std::vector<std::uint8_t> bytes;
  std::unique_ptr<io::NpzReader> zip;
  try {
    bytes = io::read_file_bytes(path, max_checkpoint_bytes);
    zip = std::make_unique<io::NpzReader>(bytes, path);
  } catch (const std::runtime_error& e) {
    fail("checkpoint", e.what());
  }
  return read_checkpoint_text(*zip, path);
}

}  // namespace tg::nn
