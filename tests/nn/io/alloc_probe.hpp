// The largest single allocation made while a probe is alive: how the hostile-file tests see that a size a file
// claims is not what the reader allocates. alloc_probe.cpp replaces the global operator new of the test_nn program
// (it only forwards to malloc and notes the size while a probe is on).
#pragma once
#include <cstddef>

namespace tgtest {

class AllocationProbe {
 public:
  AllocationProbe();
  ~AllocationProbe();
  AllocationProbe(const AllocationProbe&) = delete;
  AllocationProbe& operator=(const AllocationProbe&) = delete;
  std::size_t largest_bytes() const;  // since the probe started
};

}  // namespace tgtest
