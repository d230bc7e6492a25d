// Exercise unbroadcast, a known slip (the grader must name it): the mean over the broadcast axes instead of the sum.
// expect: a copied input receives the sum
#include "autodiff/autodiff.hpp"
#include "unbroadcast/unbroadcast.hpp"

namespace assignment {

using tg::Tensor;

Tensor unbroadcast(const Tensor& g, const tg::Shape& shape) {
  const std::int64_t extra = g.dim() - static_cast<std::int64_t>(shape.size());  // leading axes broadcasting added
  tg::Dims axes;
  for (std::int64_t i = 0; i < g.dim(); ++i)
    if (i < extra || (shape[i - extra] == 1 && g.size(i) != 1)) axes.push_back(i);  // added, or stretched from 1
  Tensor summed = axes.empty() ? g : tg::mean(g, axes, /*keepdim=*/true);           // (1, ..., 1, shape with 1s kept)
  return tg::reshape(summed, shape);                                                // drop the added leading axes
}

Tensor my_add(const Tensor& a, const Tensor& b, tg::Where where) {
  Tensor y;
  {
    tg::NoGrad no_grad;
    y = a + b;  // (broadcast shape)
  }
  return tg::current_tape().record("my_add", {a, b}, y, where, [sa = a.shape(), sb = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{unbroadcast(g, sa), unbroadcast(g, sb)};  // d(a + b)/da = 1, summed where a was copied
  });
}

}  // namespace assignment
