// tapegrad/prob in two minutes: distributions, closed-form KL and the change of variables, on autodiff tensors.
//
//   #include "prob/prob.hpp"
//   using namespace tg::prob;
//   tg::Generator gen(42);
//   Normal q = Normal::from_log_var(mu, log_var, /*event_dims=*/1);  // mu, log_var: (B, D) from the encoder
//   Tensor z = q.rsample(gen, {K});                                  // (K, B, D)  z = mu + sigma * eps (reparam.1)
//   Tensor log_q = q.log_prob(z);                                    // (K, B)     summed over the event axis D
//   Tensor kl = kl_divergence(q, StandardNormal({D}, tg::f32, 1));   // (B)        closed form (kl.4)
//   Bernoulli px = Bernoulli::from_logits(decoder_logits, 1);        // log_prob(x) = x t - softplus(t)
//   Tensor bound = log_mean_exp(log_w, 0);                           // the IWAE average, in log space
//
// Parameters are validated at construction and values at log_prob (set_validation(false) to skip the scans).
// The API and the numerical choices: docs/prob.md; the math: docs/derivations/kl.md and reparam.md.
#pragma once
#include "prob/bernoulli.hpp"
#include "prob/categorical.hpp"
#include "prob/kl.hpp"
#include "prob/normal.hpp"
#include "prob/stable.hpp"
#include "prob/transforms.hpp"
#include "prob/validation.hpp"
