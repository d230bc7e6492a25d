// Generations: how a recorded tensor names its tape. Each Tape and each clear() takes a number no tape has had
// before, and a recorded tensor keeps that number, not a reference to its tape: checking that an input belongs to
// the current tape is one comparison, where a weak reference cost atomic counts on every op (with the rest of the
// second round of the lean tape: 2 168 -> 1 531 instructions per node of bench_scalar, docs/performance.md). The
// list of living tapes is read only to word an error ("another tape" or "cleared or destroyed") and by gdb.
#pragma once
#include <cstdint>

namespace tg {

class Tape;

std::uint64_t new_generation();  // unique over all tapes and clears
void register_tape(const Tape* tape);
void unregister_tape(const Tape* tape);

// Some tape that still exists is at this generation: a tensor recorded with it is not stale.
bool is_live_generation(std::uint64_t generation);

}  // namespace tg
