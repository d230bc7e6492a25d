// Every error of prob/ with its message ("who: arg[i] is v, but must be ..."), and the validation switch.
// Choices: docs/prob.md.
#include "prob_testing.hpp"

using namespace tg;
using namespace tg::prob;
using namespace prob_testing;

TEST_CASE("Normal: parameter errors name the argument, the element and the value", "[validation][normal][prob]") {
  const Tensor mu = vec({0.0, 1.0, 2.0, 3.0});
  CHECK_THROWS_WITH(Normal::from_scale(mu, vec({1.0, 1.0, 1.0, -0.2})),
                    "Normal: scale[3] is -0.2, but must be positive");
  CHECK_THROWS_WITH(Normal::from_scale(vec({0, 1}, {1, 2}), vec({1, 0}, {1, 2})),
                    "Normal: scale[0, 1] is 0, but must be positive");
  CHECK_THROWS_WITH(Normal::from_scale(mu, vec({1.0, HUGE_VAL, 1, 1})), "Normal: scale[1] is inf, but must be finite");
  CHECK_THROWS_WITH(Normal::from_scale(mu, vec({NAN})), "Normal: scale[0] is nan, but must be positive");
  CHECK_THROWS_WITH(Normal::from_scale(vec({0.0, NAN}), vec({1.0})), "Normal: loc[1] is nan, but must be finite");
  CHECK_THROWS_WITH(Normal::from_scale(vec({-HUGE_VAL}), vec({1.0})), "Normal: loc[0] is -inf, but must be finite");
  CHECK_THROWS_WITH(Normal::from_log_var(mu, vec({0.0, 0.0, HUGE_VAL, 0.0})),
                    "Normal: log_var[2] is inf, but must be finite");
  CHECK_THROWS_WITH(Normal::from_log_var(mu, vec({1500.0})),
                    "Normal: log_var[0] is 1500, so sigma = exp(log_var / 2) is inf in float64, but must be positive "
                    "and finite");
  CHECK_THROWS_WITH(Normal::from_log_var(tensor({0.0}), tensor({200.0})),
                    "Normal: log_var[0] is 200, so sigma = exp(log_var / 2) is inf in float32, but must be positive "
                    "and finite");
  CHECK_THROWS_WITH(Normal::from_log_var(mu, vec({-1600.0})),
                    "Normal: log_var[0] is -1600, so sigma = exp(log_var / 2) is 0 in float64, but must be positive "
                    "and finite");
}

TEST_CASE("Normal: structural errors (undefined, dtype, shapes, event_dims)", "[validation][normal][prob]") {
  const Tensor mu = vec({0.0, 1.0, 2.0});
  CHECK_THROWS_WITH(Normal::from_scale(Tensor(), mu), "Normal: loc is an undefined Tensor");
  CHECK_THROWS_WITH(Normal::from_log_var(mu, Tensor()), "Normal: log_var is an undefined Tensor");
  CHECK_THROWS_WITH(Normal::from_scale(mu, tensor({1.0})), "Normal: scale is float32, but the distribution is float64");
  CHECK_THROWS_WITH(Normal::from_scale(mu, vec({1.0, 2.0})),
                    "Normal: loc is (3,) and scale is (2,); they do not broadcast");
  CHECK_THROWS_WITH(Normal::from_scale(mu, vec({1.0}), 2),
                    "Normal: event_dims is 2, but must be in [0, 1] for parameters of shape (3,)");
  CHECK_THROWS_WITH(Normal::from_log_var(mu, vec({1.0}), -1),
                    "Normal: event_dims is -1, but must be in [0, 1] for parameters of shape (3,)");
  CHECK_THROWS_WITH(StandardNormal({2, 3}, f64, 3),
                    "StandardNormal: event_dims is 3, but must be in [0, 2] for parameters of shape (2, 3)");
  CHECK_THROWS_AS(Normal::from_scale(mu, vec({-1.0})), tg::Error);
}

TEST_CASE("Normal and StandardNormal: value errors at log_prob", "[validation][normal][prob]") {
  const Normal q = Normal::from_scale(vec({0.0, 1.0, 2.0}), vec({1.0}));
  CHECK_THROWS_WITH(q.log_prob(vec({0.0, 1.0, NAN})), "Normal: value[2] is nan, but must be a number (not NaN)");
  CHECK_THROWS_WITH(q.log_prob(tensor({0.0})), "Normal: value is float32, but the distribution is float64");
  CHECK_THROWS_WITH(q.log_prob(Tensor()), "Normal: value is an undefined Tensor");
  CHECK_THROWS_WITH(q.log_prob(vec({0.0, 1.0})),
                    "Normal: value is (2,) and the distribution is (3,); they do not broadcast");
  CHECK_THROWS_WITH(StandardNormal({2}, f64).log_prob(vec({NAN, 0.0})),
                    "StandardNormal: value[0] is nan, but must be a number (not NaN)");
  CHECK(std::isinf(q.log_prob(vec({HUGE_VAL})).flat(0)));  // +-inf is a value with density 0: log_prob -inf
}

TEST_CASE("Bernoulli and Categorical: parameter and value errors", "[validation][bernoulli][categorical][prob]") {
  CHECK_THROWS_WITH(Bernoulli::from_logits(vec({0.0, NAN})), "Bernoulli: logits[1] is nan, but must be finite");
  CHECK_THROWS_WITH(Bernoulli::from_logits(vec({HUGE_VAL})), "Bernoulli: logits[0] is inf, but must be finite");
  CHECK_THROWS_WITH(Bernoulli::from_logits(vec({0.0}), 2),
                    "Bernoulli: event_dims is 2, but must be in [0, 1] for parameters of shape (1,)");
  const Bernoulli b = Bernoulli::from_logits(vec({0.0, 1.0}));
  CHECK_THROWS_WITH(b.log_prob(vec({1.0, 2.0})), "Bernoulli: value[1] is 2, but must be in [0, 1]");
  CHECK_THROWS_WITH(b.log_prob(vec({-0.5, 0.0})), "Bernoulli: value[0] is -0.5, but must be in [0, 1]");
  CHECK_THROWS_WITH(b.log_prob(vec({NAN, 0.0})), "Bernoulli: value[0] is nan, but must be in [0, 1]");
  CHECK_THROWS_WITH(b.log_prob(tensor({1.0})), "Bernoulli: value is float32, but the distribution is float64");
  CHECK_NOTHROW(b.log_prob(vec({0.25, 1.0})));  // grey levels in [0, 1] are accepted (minus the cross-entropy)

  CHECK_THROWS_WITH(Categorical::from_logits(vec({1.0}, {})),
                    "Categorical: logits are (), but need a non-empty last axis of categories");
  CHECK_THROWS_WITH(Categorical::from_logits(vec({0.0, -HUGE_VAL})),
                    "Categorical: logits[1] is -inf, but must be finite");
  const Categorical c = Categorical::from_logits(vec({0.0, 1.0, 2.0}));
  CHECK_THROWS_WITH(c.log_prob(vec({3.0})), "Categorical: value[0] is 3, but must be an integer in [0, 3)");
  CHECK_THROWS_WITH(c.log_prob(vec({1.5})), "Categorical: value[0] is 1.5, but must be an integer in [0, 3)");
  ValidationScope off(false);
  CHECK_THROWS_WITH(c.log_prob(vec({-1.0})), "Categorical: value[0] is -1, but must be an integer in [0, 3)");
}

TEST_CASE("AffineTransform, kl_divergence, log_mean_exp and sum_event: errors", "[validation][prob]") {
  CHECK_THROWS_WITH(AffineTransform(vec({0.0}), vec({-1.0})), "AffineTransform: sigma[0] is -1, but must be positive");
  CHECK_THROWS_WITH(AffineTransform::from_log_scale(vec({0.0}), vec({NAN})),
                    "AffineTransform: log_sigma[0] is nan, but must be finite");
  CHECK_THROWS_WITH(AffineTransform(vec({0.0}), vec({1.0})).forward(tensor({1.0})),
                    "AffineTransform: eps is float32, but the distribution is float64");
  const Normal q = Normal::from_scale(vec({0.0, 1.0}), vec({1.0}), 1);
  CHECK_THROWS_WITH(kl_divergence(q, Normal::from_scale(vec({0.0, 1.0}), vec({1.0}))),
                    "kl_divergence: q has event_dims 1 and p has event_dims 0; they must match");
  CHECK_THROWS_WITH(kl_divergence(q, StandardNormal({2}, f32, 1)),
                    "kl_divergence: q is float64 and p is float32; they must match");
  CHECK_THROWS_WITH(kl_divergence(q, StandardNormal({3}, f64, 1)),
                    "kl_divergence: a is (2,) and b is (3,); they do not broadcast (axis -1: 2 vs 3)");
  CHECK_THROWS_WITH(log_mean_exp(vec({1.0, 2.0}), 1), "log_mean_exp: axis 1 is out of range for x of shape (2,)");
  CHECK_THROWS_WITH(log_mean_exp(zeros({0}, f64), 0), "log_mean_exp: axis 0 of (0,) is empty");
  CHECK_THROWS_WITH(sum_event(vec({1.0}), 2), "sum_event: event_dims is 2, but x is (1,)");
}

TEST_CASE("set_validation(false) and ValidationScope skip the value scans and restore the setting",
          "[validation][prob]") {
  REQUIRE(validation_enabled());
  {
    ValidationScope off(false);
    CHECK_FALSE(validation_enabled());
    CHECK_NOTHROW(Normal::from_scale(vec({0.0}), vec({-0.2})));
    CHECK_NOTHROW(Bernoulli::from_logits(vec({0.0})).log_prob(vec({2.0})));
    CHECK_THROWS_WITH(Normal::from_scale(vec({0.0}), tensor({1.0})),  // structural checks stay on
                      "Normal: scale is float32, but the distribution is float64");
  }
  CHECK(validation_enabled());
  set_validation(false);
  CHECK_NOTHROW(Normal::from_log_var(vec({0.0}), vec({HUGE_VAL})));
  set_validation(true);
  CHECK_THROWS(Normal::from_log_var(vec({0.0}), vec({HUGE_VAL})));
}
