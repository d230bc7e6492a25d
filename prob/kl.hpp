// Closed-form KL divergences between diagonal Gaussians, as plain overloads, summed over the event dimensions.
// Math: docs/derivations/kl.md (kl.3), (kl.4); numerical choices: docs/prob.md.
#pragma once
#include "prob/normal.hpp"

namespace tg::prob {

// (kl.3) KL(q || p) for diagonal Gaussians. q and p must have the same event_dims and broadcastable shapes; the
// result has the broadcast batch shape. Exactly 0 for kl_divergence(q, q).
Tensor kl_divergence(const Normal& q, const Normal& p);

// (kl.4) KL(q || N(0, I)) = -1/2 sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2), Kingma & Welling (2014), App. B.
Tensor kl_divergence(const Normal& q, const StandardNormal& p);

}  // namespace tg::prob
