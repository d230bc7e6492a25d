// Global operator new and delete for the test_nn program, with the probe of alloc_probe.hpp. In a translation unit of
// their own, so that no caller sees malloc and free under the new and delete it calls.
#include "nn/io/alloc_probe.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> probing{false};
std::atomic<std::size_t> largest{0};
}  // namespace

namespace tgtest {
AllocationProbe::AllocationProbe() { largest = 0, probing = true; }
AllocationProbe::~AllocationProbe() { probing = false; }
std::size_t AllocationProbe::largest_bytes() const { return largest; }
}  // namespace tgtest

void* operator new(std::size_t n) {
  if (probing && n > largest) largest = n;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
// The nothrow forms too (Catch2 registers its tests with them): every new of the program pairs with the free below,
// which AddressSanitizer checks.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return operator new(n);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& tag) noexcept { return operator new(n, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
