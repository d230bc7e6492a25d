// Property-based gradient tests: an op is gradchecked in float64 over many random cases -- shapes from
// tg::random_shape / tg::random_broadcast_pair (size-0 and size-1 axes included) and values from the op's domain.
// TG_PROPERTY_CASES sets the cases per op (default 50), TG_PROPERTY_SEED the seed (default 1). A failure prints
// the op, the case, the seed, the shapes and gradcheck's worst element, and how to replay it.
#pragma once
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"

namespace tgtest {

struct Case {
  std::vector<tg::Tensor> inputs;  // float64 leaves; those that require grad are checked
  std::function<tg::Tensor(const std::vector<tg::Tensor>&)> f;
  std::string params;  // anything besides the shapes that the case drew (axes, scalars), for the report
};

inline std::int64_t env_int(const char* name, std::int64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long long n = std::strtoll(v, &end, 10);
  if (*end != '\0' || n < 1) FAIL(name << " is '" << v << "', but must be a whole number >= 1");
  return n;
}
inline std::int64_t property_cases() { return env_int("TG_PROPERTY_CASES", 50); }

// A variable (requires grad) or a constant, named for the report.
inline tg::Tensor var(tg::Tensor t, const std::string& name) {
  t.name(name);
  t.requires_grad(true);
  return t;
}
inline tg::Tensor constant(tg::Tensor t, const std::string& name) {
  t.name(name);
  return t;
}
inline tg::Tensor uniform(const tg::Shape& s, tg::Generator& gen, double lo, double hi) {
  return tg::rand_uniform(s, lo, hi, gen, tg::f64);
}
// |x| in [lo, hi] with a random sign: away from a kink or a pole at 0.
inline tg::Tensor signed_uniform(const tg::Shape& s, tg::Generator& gen, double lo, double hi) {
  tg::Tensor t = uniform(s, gen, lo, hi);
  for (std::int64_t i = 0; i < t.numel(); ++i)
    if (gen.uniform() < 0.5) t.set_flat(i, -t.flat(i));
  return t;
}
inline std::int64_t pick(tg::Generator& gen, std::int64_t lo, std::int64_t hi) {  // uniform in [lo, hi]
  return lo + static_cast<std::int64_t>(gen.below(static_cast<std::uint64_t>(hi - lo + 1)));
}

inline std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Runs `make` for each case with its own generator (seeded from the op's name, the seed and the case index, so
// one case replays alone) and gradchecks the result. Stops at the first failing case of the op.
inline void check_property(const std::string& op, const std::function<Case(tg::Generator&)>& make) {
  const std::int64_t n = property_cases(), seed = env_int("TG_PROPERTY_SEED", 1);
  std::int64_t passed = 0;
  for (std::int64_t c = 0; c < n; ++c) {
    tg::Generator gen(fnv1a(op) ^ (static_cast<std::uint64_t>(seed) * 1000003u + static_cast<std::uint64_t>(c)));
    Case k = make(gen);
    std::string shapes;
    for (const tg::Tensor& t : k.inputs)
      shapes += (shapes.empty() ? "" : ", ") + t.name() + " " + tg::shape_str(t.shape());
    tg::GradcheckResult r;
    try {
      r = tg::gradcheck(k.f, k.inputs);
    } catch (const std::exception& e) {
      r.ok = false, r.report = std::string("threw: ") + e.what();
    }
    if (!r.ok) {
      FAIL_CHECK(op << ": case " << c << " of " << n << " fails (seed " << seed << "); inputs " << shapes
                    << (k.params.empty() ? "" : "; " + k.params) << "\n"
                    << r.report << "replay: TG_PROPERTY_SEED=" << seed << " TG_PROPERTY_CASES=" << c + 1
                    << " test_autodiff \"property: " << op << "\"");
      return;
    }
    ++passed;
  }
  CHECK(passed == n);
}

}  // namespace tgtest
