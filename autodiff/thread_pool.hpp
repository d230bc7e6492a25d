// A small pool of std::threads for the kernels (GEMM first). set_num_threads(n) sizes it; the default comes from
// the environment variable TG_NUM_THREADS, else the number of cores. The calling thread always works too.
#pragma once
#include <cstdint>
#include <functional>

namespace tg {

void set_num_threads(int n);  // n >= 1; 1 runs everything on the calling thread
int num_threads();

// Runs f(0), ..., f(n - 1), spread over the pool; returns when all are done. Tasks must not throw.
void parallel_for(std::int64_t n, const std::function<void(std::int64_t)>& f);

}  // namespace tg
