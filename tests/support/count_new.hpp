// Every heap allocation of a program, counted: count_new.cpp replaces the global operator new (all its forms:
// plain, array, aligned, nothrow) with one that counts, then calls malloc / aligned_alloc. The library tg_count_new
// (tests/support/CMakeLists.txt) is linked into the benchmarks that report allocations per step or per node, so
// that nothing is missed, not only the storage pool's; and into test_vae, whose steady-state test asserts zero
// allocations per step and checks the counter itself.
#pragma once

namespace tg::support {

long heap_allocations();  // operator new calls so far, in this process

}  // namespace tg::support
