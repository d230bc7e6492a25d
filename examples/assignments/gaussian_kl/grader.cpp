// Grader of exercise gaussian_kl: KL(q || p) against its identities -- zero for q = p, the library's closed forms
// (kl.3) and (kl.4), a Monte Carlo estimate, nonnegativity -- and its gradients by gradcheck. Exit status: failures.
#include "gaussian_kl/gaussian_kl.hpp"
#include "grading.hpp"
#include "prob/kl.hpp"

using grading::num;
using tg::Tensor;

namespace {

struct Pair {
  Tensor mu_q, lv_q, mu_p, lv_p;  // (B, L) each, float64
};

Pair random_pair(tg::Generator& gen, std::int64_t B, std::int64_t L) {
  return {tg::randn({B, L}, gen, tg::f64), tg::rand_uniform({B, L}, -2, 2, gen, tg::f64),
          tg::randn({B, L}, gen, tg::f64), tg::rand_uniform({B, L}, -2, 2, gen, tg::f64)};
}

Tensor library_kl(const Tensor& mu_q, const Tensor& lv_q, const Tensor& mu_p, const Tensor& lv_p) {
  return tg::prob::kl_divergence(tg::prob::Normal::from_log_var(mu_q, lv_q, 1),
                                 tg::prob::Normal::from_log_var(mu_p, lv_p, 1));
}

std::vector<grading::Slip> slips(const Pair& c, const Tensor& expected) {
  const double L = static_cast<double>(c.mu_q.size(-1));
  Tensor sigma_for_var = tg::sum((c.lv_p - c.lv_q) * 0.5 + tg::exp((c.lv_q - c.lv_p) * 0.5) +
                                     tg::square(c.mu_q - c.mu_p) * tg::exp(tg::neg(c.lv_p) * 0.5) - 1.0,
                                 {-1}) *
                         0.5;
  return {{expected * 2.0, "yours is exactly twice the KL: did you forget the 1/2 in front?"},
          {expected + 0.5 * L, "off by +1/2 per coordinate: did you forget the -1 (the -1/2 once halved)?"},
          {expected - 0.5 * L, "off by -1/2 per coordinate: the -1 is there twice, or a +1 is missing"},
          {library_kl(c.mu_p, c.lv_p, c.mu_q, c.lv_q), "this is KL(p || q): the roles of q and p are swapped"},
          {expected + tg::sum(c.lv_q - c.lv_p, {-1}),
           "the log-ratio is upside down: log(sigma_p^2 / sigma_q^2) = log_var_p - log_var_q, not log_var_q - "
           "log_var_p"},
          {sigma_for_var, "sigma^2 = exp(log_var), not exp(log_var / 2): somewhere sigma stands where sigma^2 goes"},
          {tg::zeros_like(expected), "yours is 0 everywhere: write the formula where the skeleton says TODO"}};
}

std::string compare_kl(const Pair& c) {
  Tensor mine = assignment::gaussian_kl(c.mu_q, c.lv_q, c.mu_p, c.lv_p);
  Tensor expected = library_kl(c.mu_q, c.lv_q, c.mu_p, c.lv_p);
  if (grading::close(mine, expected, 1e-9)) return "";
  return grading::compare(mine, expected) + grading::diagnose(mine, slips(c, expected), 1e-6);
}

// The gradients of sum(KL * g) into mu_q, log_var_q, mu_p, log_var_p: yours against the library's.
std::vector<Tensor> kl_gradients(bool mine, const std::vector<Tensor>& in0, const Tensor& g) {
  tg::Tape tape;
  tg::TapeScope scope(tape);
  std::vector<Tensor> in;
  for (const Tensor& t : in0) in.push_back(tg::copy(t)), in.back().requires_grad(true);
  Tensor kl = mine ? assignment::gaussian_kl(in[0], in[1], in[2], in[3]) : library_kl(in[0], in[1], in[2], in[3]);
  tape.backward(tg::sum(kl * g));
  std::vector<Tensor> grads;
  for (const Tensor& t : in) grads.push_back(t.grad().defined() ? t.grad() : tg::zeros_like(t));
  return grads;
}

std::string check_gradients(tg::Generator& gen) {
  const std::vector<Tensor> in = {tg::randn({3, 2}, gen, tg::f64), tg::randn({3, 2}, gen, tg::f64),
                                  tg::randn({2}, gen, tg::f64), tg::randn({2}, gen, tg::f64)};
  const Tensor g = tg::rand({3}, gen, tg::f64);
  const std::vector<Tensor> mine = kl_gradients(true, in, g), expected = kl_gradients(false, in, g);
  const char* names[] = {"mu_q", "log_var_q", "mu_p", "log_var_p"};
  for (int i = 0; i < 4; ++i)
    if (!grading::close(mine[i], expected[i], 1e-9))
      return std::string("dKL/d") + names[i] + ": " + grading::compare(mine[i], expected[i]);
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("gaussian_kl: KL(N(mu_q, sigma_q^2) || N(mu_p, sigma_p^2)) in closed form", argc, argv);
  tg::Generator gen(7);
  const std::string closed_form = "(kl.3) equals the closed form on 50 random pairs (B = 5, L = 3)";

  grader.check(closed_form, 3, [&] {
    for (int trial = 0; trial < 50; ++trial) {
      const std::string why = compare_kl(random_pair(gen, 5, 3));
      if (!why.empty()) return "pair " + std::to_string(trial) + ": " + why;
    }
    return std::string();
  });

  grader.check(
      "KL(q || q) = 0 for every q (the KL of a distribution to itself)", 1,
      [&] {
        Pair c = random_pair(gen, 4, 3);
        c.mu_p = c.mu_q, c.lv_p = c.lv_q;
        Tensor mine = assignment::gaussian_kl(c.mu_q, c.lv_q, c.mu_p, c.lv_p);
        if (grading::close(mine, tg::zeros({4}, tg::f64), 1e-12)) return std::string();
        std::string hint;
        if (grading::close(mine, tg::full({4}, 1.5, tg::f64), 1e-9))
          hint =
              "\nhint: KL is off by 0.5 per coordinate when sigma_q = sigma_p (here L = 3, so 1.5): did you "
              "forget the -1/2?";
        return "KL of q to itself: " + grading::compare(mine, tg::zeros({4}, tg::f64)) + hint;
      },
      closed_form);

  grader.check("(kl.4) KL(q || N(0, I)) = -1/2 sum (1 + log sigma^2 - mu^2 - sigma^2)", 2, [&] {
    Pair c = random_pair(gen, 5, 4);
    c.mu_p = tg::zeros({5, 4}, tg::f64), c.lv_p = tg::zeros({5, 4}, tg::f64);
    const std::string why = compare_kl(c);
    return why.empty() ? why : "against N(0, I): " + why;
  });

  grader.check("Monte Carlo: KL = E_q[log q(z) - log p(z)] within 4 standard errors (200000 samples of z ~ q)", 1, [&] {
    Pair c = random_pair(gen, 1, 3);
    const auto q = tg::prob::Normal::from_log_var(c.mu_q, c.lv_q, 1),
               p = tg::prob::Normal::from_log_var(c.mu_p, c.lv_p, 1);
    Tensor z = q.sample(gen, {200000});        // (N, 1, 3)
    Tensor d = q.log_prob(z) - p.log_prob(z);  // (N, 1)
    const double m = tg::mean(d).item(), se = std::sqrt(tg::mean(tg::square(d - m)).item() / 200000.0);
    const double mine = assignment::gaussian_kl(c.mu_q, c.lv_q, c.mu_p, c.lv_p).item();
    if (std::abs(mine - m) <= 4 * se) return std::string();
    return "yours is " + num(mine) + ", the Monte Carlo estimate " + num(m) + " +- " + num(se) + " (off by " +
           num((mine - m) / se) + " standard errors)";
  });

  grader.check(
      "KL >= 0 on 1000 random pairs (Gibbs' inequality)", 1,
      [&] {
        Pair c = random_pair(gen, 1000, 2);
        Tensor mine = assignment::gaussian_kl(c.mu_q, c.lv_q, c.mu_p, c.lv_p);
        for (std::int64_t i = 0; i < mine.numel(); ++i)
          if (!(mine.flat(i) >= -1e-12)) return "pair " + std::to_string(i) + " has KL = " + num(mine.flat(i));
        return std::string();
      },
      closed_form);

  grader.check(
      "gradients to all four parameters equal the library KL's (float64; p of shape (L) broadcast over (B, L))", 1,
      [&] { return check_gradients(gen); }, closed_form);

  return grader.finish();
}
