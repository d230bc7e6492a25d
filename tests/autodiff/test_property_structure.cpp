// Property-based gradient tests of the reductions, matrix products and shape ops (tests/autodiff/property.hpp):
// random shapes with size-0 and size-1 axes, random axes, broadcast batch dimensions.
#include <numeric>

#include "property.hpp"

using namespace tg;
using tgtest::Case;
using tgtest::check_property;
using tgtest::pick;
using tgtest::uniform;
using tgtest::var;

namespace {

std::string axes_str(const std::vector<std::int64_t>& axes) {
  std::string s = "axes (";
  for (std::size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + ")";
}

// A random shape of rank >= 1 (reductions along an axis, slices, ...).
Shape shape_rank1(Generator& gen, bool allow_empty = true) {
  Shape s = random_shape(gen, {3, 4, allow_empty});
  if (s.empty()) s.push_back(pick(gen, allow_empty ? 0 : 1, 4));
  return s;
}

// A random subset of the axes of `s` (each negative half the time), with every chosen axis made non-empty when
// `nonempty` (mean, max and logsumexp over an empty axis are errors).
std::vector<std::int64_t> random_axes(Generator& gen, Shape& s, bool nonempty) {
  std::vector<std::int64_t> axes;
  for (std::size_t a = 0; a < s.size(); ++a)
    if (gen.uniform() < 0.5) {
      if (nonempty && s[a] == 0) s[a] = pick(gen, 1, 3);
      axes.push_back(gen.uniform() < 0.5 ? static_cast<std::int64_t>(a) : static_cast<std::int64_t>(a - s.size()));
    }
  return axes;
}

using AxesFn = Tensor (*)(const Tensor&, const std::vector<std::int64_t>&, bool, Where);
void over_axes(const char* op, AxesFn f, bool nonempty) {
  check_property(op, [=](Generator& gen) {
    Shape s = random_shape(gen);
    const std::vector<std::int64_t> axes = random_axes(gen, s, nonempty);
    if (nonempty && axes.empty())
      for (auto& d : s) d = std::max<std::int64_t>(d, 1);  // no axes = all axes
    const bool keepdim = gen.uniform() < 0.5;
    return Case{{var(uniform(s, gen, -2, 2), "x")},
                [=](const std::vector<Tensor>& in) { return f(in[0], axes, keepdim, Where::current()); },
                axes_str(axes) + (keepdim ? ", keepdim" : "")};
  });
}

using AxisFn = Tensor (*)(const Tensor&, std::int64_t, bool, Where);
void along_axis(const char* op, AxisFn f) {
  check_property(op, [=](Generator& gen) {
    Shape s = shape_rank1(gen);
    const auto axis = pick(gen, -static_cast<std::int64_t>(s.size()), static_cast<std::int64_t>(s.size()) - 1);
    auto& d = s[static_cast<std::size_t>(axis < 0 ? axis + static_cast<std::int64_t>(s.size()) : axis)];
    d = std::max<std::int64_t>(d, 1);
    const bool keepdim = gen.uniform() < 0.5;
    return Case{{var(randn(s, gen, f64), "x")},  // distinct values: max has no ties
                [=](const std::vector<Tensor>& in) { return f(in[0], axis, keepdim, Where::current()); },
                "axis " + std::to_string(axis) + (keepdim ? ", keepdim" : "")};
  });
}

}  // namespace

TEST_CASE("property: sum (all elements)", "[property][gradcheck]") {
  check_property("sum", [](Generator& gen) {
    return Case{{var(uniform(random_shape(gen), gen, -2, 2), "x")},
                [](const std::vector<Tensor>& in) { return sum(in[0]); },
                ""};
  });
}
TEST_CASE("property: sum over axes", "[property][gradcheck]") {
  over_axes(
      "sum over axes",
      [](const Tensor& x, const std::vector<std::int64_t>& a, bool k, Where w) { return sum(x, a, k, w); }, false);
}
TEST_CASE("property: mean (all elements)", "[property][gradcheck]") {
  check_property("mean", [](Generator& gen) {
    Tensor x = var(uniform(random_shape(gen, {3, 4, false}), gen, -2, 2), "x");
    return Case{{x}, [](const std::vector<Tensor>& in) { return mean(in[0]); }, ""};
  });
}
TEST_CASE("property: mean over axes", "[property][gradcheck]") {
  over_axes(
      "mean over axes",
      [](const Tensor& x, const std::vector<std::int64_t>& a, bool k, Where w) { return mean(x, a, k, w); }, true);
}
TEST_CASE("property: max", "[property][gradcheck]") { along_axis("max", max); }
TEST_CASE("property: logsumexp", "[property][gradcheck]") { along_axis("logsumexp", logsumexp); }

TEST_CASE("property: sum_to", "[property][gradcheck]") {
  check_property("sum_to", [](Generator& gen) {
    auto [sa, sb] = random_broadcast_pair(gen);
    const Shape out = broadcast_shapes(sa, sb, "sum_to");
    return Case{{var(uniform(out, gen, -2, 2), "x")},
                [sa](const std::vector<Tensor>& in) { return sum_to(in[0], sa); },
                "to " + shape_str(sa)};
  });
}

TEST_CASE("property: matmul (batch dimensions broadcast)", "[property][gradcheck]") {
  check_property("matmul", [](Generator& gen) {
    auto [ba, bb] = random_broadcast_pair(gen, {2, 3, true});
    const std::int64_t M = pick(gen, 0, 4), K = pick(gen, 0, 4), N = pick(gen, 0, 4);
    ba.insert(ba.end(), {M, K}), bb.insert(bb.end(), {K, N});
    return Case{{var(uniform(ba, gen, -2, 2), "a"), var(uniform(bb, gen, -2, 2), "b")},
                [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); },
                ""};
  });
}

TEST_CASE("property: linear (with and without bias)", "[property][gradcheck]") {
  check_property("linear", [](Generator& gen) {
    Shape sx = random_shape(gen, {2, 3, true});
    const std::int64_t in_f = pick(gen, 0, 4), out_f = pick(gen, 0, 4);
    sx.push_back(in_f);
    std::vector<Tensor> in = {var(uniform(sx, gen, -2, 2), "x"), var(uniform({out_f, in_f}, gen, -1, 1), "W")};
    if (gen.uniform() < 0.7) in.push_back(var(uniform({out_f}, gen, -1, 1), "b"));
    return Case{in, [](const std::vector<Tensor>& v) { return linear(v[0], v[1], v.size() > 2 ? v[2] : Tensor()); },
                ""};
  });
}

TEST_CASE("property: reshape", "[property][gradcheck]") {
  check_property("reshape", [](Generator& gen) {
    const Shape s = random_shape(gen);
    Shape target(s.rbegin(), s.rend());  // the same sizes reversed, one size-1 axis inserted, maybe a -1
    target.insert(target.begin() + static_cast<std::ptrdiff_t>(gen.below(target.size() + 1)), 1);
    if (shape_numel(s) > 0 && gen.uniform() < 0.5) target[gen.below(target.size())] = -1;
    return Case{{var(uniform(s, gen, -2, 2), "x")},
                [target](const std::vector<Tensor>& in) { return reshape(in[0], target); },
                "to " + shape_str(target)};
  });
}

TEST_CASE("property: permute", "[property][gradcheck]") {
  check_property("permute", [](Generator& gen) {
    const Shape s = random_shape(gen);
    const std::vector<std::int64_t> perm = randperm(static_cast<std::int64_t>(s.size()), gen);
    return Case{{var(uniform(s, gen, -2, 2), "x")},
                [perm](const std::vector<Tensor>& in) { return permute(in[0], perm); },
                axes_str(perm)};
  });
}

TEST_CASE("property: transpose", "[property][gradcheck]") {
  check_property("transpose", [](Generator& gen) {
    const Shape s = shape_rank1(gen);
    const auto r = static_cast<std::int64_t>(s.size());
    const std::int64_t a0 = pick(gen, -r, r - 1), a1 = pick(gen, -r, r - 1);
    return Case{{var(uniform(s, gen, -2, 2), "x")},
                [=](const std::vector<Tensor>& in) { return transpose(in[0], a0, a1); },
                axes_str({a0, a1})};
  });
}

TEST_CASE("property: broadcast_to", "[property][gradcheck]") {
  check_property("broadcast_to", [](Generator& gen) {
    auto [sa, sb] = random_broadcast_pair(gen);
    const Shape out = broadcast_shapes(sa, sb, "broadcast_to");
    return Case{{var(uniform(sa, gen, -2, 2), "x")},
                [out](const std::vector<Tensor>& in) { return broadcast_to(in[0], out); },
                "to " + shape_str(out)};
  });
}

TEST_CASE("property: unsqueeze and squeeze", "[property][gradcheck]") {
  check_property("unsqueeze and squeeze", [](Generator& gen) {
    const Shape s = random_shape(gen);
    const auto r = static_cast<std::int64_t>(s.size());
    const std::int64_t a = pick(gen, -r - 1, r);
    return Case{{var(uniform(s, gen, -2, 2), "x")},
                [a](const std::vector<Tensor>& in) { return squeeze(unsqueeze(in[0], a) * 2.0, a); },
                "axis " + std::to_string(a)};
  });
}

TEST_CASE("property: slice", "[property][gradcheck]") {
  check_property("slice", [](Generator& gen) {
    const Shape s = shape_rank1(gen);
    const auto axis = static_cast<std::int64_t>(gen.below(s.size()));
    const std::int64_t n = s[static_cast<std::size_t>(axis)], start = pick(gen, 0, n), stop = pick(gen, start, n);
    return Case{{var(uniform(s, gen, -2, 2), "x")},
                [=](const std::vector<Tensor>& in) { return slice(in[0], axis, start, stop); },
                "axis " + std::to_string(axis) + ", [" + std::to_string(start) + ", " + std::to_string(stop) + ")"};
  });
}

TEST_CASE("property: concat", "[property][gradcheck]") {
  check_property("concat", [](Generator& gen) {
    const Shape s = shape_rank1(gen);
    const auto axis = static_cast<std::int64_t>(gen.below(s.size()));
    std::vector<Tensor> in;
    for (std::int64_t k = 0, n = pick(gen, 1, 3); k < n; ++k) {
      Shape sk = s;
      sk[static_cast<std::size_t>(axis)] = pick(gen, 0, 3);
      in.push_back(var(uniform(sk, gen, -2, 2), "x" + std::to_string(k)));
    }
    return Case{in, [axis](const std::vector<Tensor>& v) { return concat(v, axis); }, "axis " + std::to_string(axis)};
  });
}

TEST_CASE("property: stack", "[property][gradcheck]") {
  check_property("stack", [](Generator& gen) {
    const Shape s = random_shape(gen);
    const auto axis = pick(gen, 0, static_cast<std::int64_t>(s.size()));
    std::vector<Tensor> in;
    for (std::int64_t k = 0, n = pick(gen, 1, 3); k < n; ++k)
      in.push_back(var(uniform(s, gen, -2, 2), "x" + std::to_string(k)));
    return Case{in, [axis](const std::vector<Tensor>& v) { return stack(v, axis); }, "axis " + std::to_string(axis)};
  });
}
