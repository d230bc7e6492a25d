// The ops the thread pool splits over blocks of their output (unary ops, linear + activation, the fused
// log-densities, forward and backward) give the same bits for 1, 2 and 3 threads, at sizes large enough that the
// cost model does split them (the training step's 1000 x 784 decoder output).
#include <algorithm>

#include "autodiff/thread_pool.hpp"
#include "test_util.hpp"

using namespace tg;

namespace {

// Restores the pool's size when a test ends, also when it fails.
struct ThreadsFor {
  int saved = num_threads();
  explicit ThreadsFor(int n) { set_num_threads(n); }
  ~ThreadsFor() { set_num_threads(saved); }
};

std::vector<float> values_of(const Tensor& t) {
  const float* p = t.data<float>();
  return std::vector<float>(p, p + t.numel());
}

// Every value the op computes with `threads` threads: its output and the gradients of its inputs.
template <class Op>
std::vector<std::vector<float>> run_with(int threads, Op op) {
  ThreadsFor pool(threads);
  Tape tape;
  TapeScope scope(tape);
  Generator gen(7);
  std::vector<Tensor> inputs = op.inputs(gen);
  Tensor out = op(inputs);
  backward(sum(out * out));  // a gradient that differs from element to element
  std::vector<std::vector<float>> all{values_of(out)};
  for (const Tensor& t : inputs)
    if (t.requires_grad()) all.push_back(values_of(t.grad()));
  return all;
}

template <class Op>
void check_same_bits(const char* name, Op op) {
  const auto one = run_with(1, op);
  for (int threads : {2, 3}) {
    const auto many = run_with(threads, op);
    REQUIRE(many.size() == one.size());
    for (std::size_t i = 0; i < one.size(); ++i) {
      REQUIRE(many[i].size() == one[i].size());
      const auto diff = std::mismatch(one[i].begin(), one[i].end(), many[i].begin());
      const auto at = diff.first - one[i].begin();
      INFO(name << " with " << threads << " threads, tensor " << i << " (0: the output, then the gradients), element "
                << at << " of " << one[i].size());
      REQUIRE(diff.first == one[i].end());  // every value the same, bit for bit (NaN included: none here)
    }
  }
}

Tensor leaf(Tensor t) { return t.requires_grad(true); }

struct Bernoulli {
  std::vector<Tensor> inputs(Generator& gen) const {
    return {bernoulli(full({20, 784}, 0.3), gen), leaf(randn({50, 20, 784}, gen) * 3.0)};
  }
  Tensor operator()(const std::vector<Tensor>& in) const { return bernoulli_log_prob(in[0], in[1], 1); }
};
struct Normal {
  std::vector<Tensor> inputs(Generator& gen) const {
    return {leaf(randn({1000, 784}, gen)), leaf(randn({1000, 784}, gen)), leaf(randn({1000, 784}, gen) * 0.1)};
  }
  Tensor operator()(const std::vector<Tensor>& in) const { return normal_log_prob(in[0], in[1], in[2], 1); }
};
struct Tanh {
  std::vector<Tensor> inputs(Generator& gen) const { return {leaf(randn({1000, 784}, gen) * 2.0)}; }
  Tensor operator()(const std::vector<Tensor>& in) const { return tanh(in[0]); }
};
struct LinearTanh {
  std::vector<Tensor> inputs(Generator& gen) const {
    return {leaf(randn({1000, 200}, gen)), leaf(randn({784, 200}, gen) * 0.1), leaf(randn({784}, gen))};
  }
  Tensor operator()(const std::vector<Tensor>& in) const { return linear_tanh(in[0], in[1], in[2]); }
};

}  // namespace

TEST_CASE("threads: the fused log-densities give the same bits for any number of threads", "[threads][fused]") {
  check_same_bits("bernoulli_log_prob", Bernoulli{});
  check_same_bits("normal_log_prob", Normal{});
}

TEST_CASE("threads: unary ops and linear + activation give the same bits for any number of threads", "[threads][ops]") {
  check_same_bits("tanh", Tanh{});
  check_same_bits("linear_tanh", LinearTanh{});
}
