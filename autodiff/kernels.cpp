// Reference mode (kernels.hpp): the switch every fast kernel reads first. The kernels and their plain twins are
// in kernels_elementwise.cpp, kernels_reduce.cpp, kernels_fused.cpp and gemm.cpp.
#include "autodiff/kernels.hpp"

#include <atomic>

namespace tg::kernels {

#ifdef TG_REFERENCE_KERNELS
constexpr bool reference_by_default = true;
#else
constexpr bool reference_by_default = false;
#endif

// Read by every kernel call on every thread: a relaxed load is a plain load.
static std::atomic<bool> reference_kernels{reference_by_default};

bool reference_mode() { return reference_kernels.load(std::memory_order_relaxed); }
void set_reference_mode(bool on) { reference_kernels.store(on, std::memory_order_relaxed); }

}  // namespace tg::kernels
