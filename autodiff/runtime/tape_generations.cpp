// Generations and the list of living tapes (tape_generations.hpp).
#include "autodiff/runtime/tape_generations.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include "autodiff/tape.hpp"

namespace tg {

namespace detail {
// Every tape that exists (gdb/tapegrad.py reads `tg::detail::live_tapes()::registry`). Touched when a tape is
// made or destroyed and when an error is worded, never by an op that succeeds.
struct LiveTapes {
  std::mutex mutex;
  std::vector<const Tape*> tapes;
};
LiveTapes& live_tapes() {
  static LiveTapes* registry = new LiveTapes;  // never destroyed: thread-local tapes may outlive static destructors
  return *registry;
}
}  // namespace detail
using detail::live_tapes;

std::uint64_t new_generation() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

void register_tape(const Tape* tape) {
  std::lock_guard lock(live_tapes().mutex);
  live_tapes().tapes.push_back(tape);
}

void unregister_tape(const Tape* tape) {
  std::lock_guard lock(live_tapes().mutex);
  auto& tapes = live_tapes().tapes;
  tapes.erase(std::find(tapes.begin(), tapes.end(), tape));
}

bool is_live_generation(std::uint64_t generation) {
  std::lock_guard lock(live_tapes().mutex);
  for (const Tape* tape : live_tapes().tapes)
    if (tape->generation() == generation) return true;
  return false;
}

}  // namespace tg
