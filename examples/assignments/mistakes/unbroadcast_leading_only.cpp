// Exercise unbroadcast, a known slip (the grader must name it): only the leading axes summed; the stretched size-1 axes
// left as they are.
// expect: the axes where the input had size 1 were stretched too
#include "autodiff/autodiff.hpp"
#include "unbroadcast/unbroadcast.hpp"

namespace assignment {

using tg::Tensor;

Tensor unbroadcast(const Tensor& g, const tg::Shape& shape) {
  const std::int64_t extra = g.dim() - static_cast<std::int64_t>(shape.size());  // leading axes broadcasting added
  tg::Dims axes;
  for (std::int64_t i = 0; i < g.dim(); ++i)
    if (i < extra) axes.push_back(i);                                     // added
  Tensor summed = axes.empty() ? g : tg::sum(g, axes, /*keepdim=*/true);  // (1, ..., 1, shape with 1s kept)
  return extra > 0 ? tg::reshape(summed, tg::Shape(summed.shape().begin() + extra, summed.shape().end()))
                   : summed;  // drop the added leading axes
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
