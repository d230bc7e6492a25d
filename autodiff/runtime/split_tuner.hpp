// Which jobs are worth splitting over the thread pool, found by measuring the whole program (thread_pool.hpp).
//
// Splitting a job has costs the job's own timing cannot see: the data a worker wrote sits in the other core's cache
// when the next op reads it, a spinning worker takes CPU time a busy machine would have given the caller, and how
// much of that there is depends on the machine and on its load. So the pool does not fix the smallest job worth
// splitting; it runs the program in windows (about 20 ms each) at one of eight levels: split jobs of 100 us or more
// (level 0), 200 us (1), ..., 6.4 ms (6), or none (7, every job on the calling thread). A window's rate is its wall
// time over the kernels' estimate of all the work it asked for, split or not: lower is faster. The tuner turns the
// rates into the level of the next window:
//   - first a sweep: every level for one window, 0 up to 7 and back down, and the level whose two windows were
//     fastest is taken;
//   - then trials: now and then the next level up or down runs in alternate windows with the level taken, three
//     pairs; if the neighbour was faster in the median pair by 2 % or more it is taken, and the next trial follows
//     soon. If not, the next trial tries the other way, and waits twice as long (4 windows, then 8, ... up to 64);
//   - and every 1024 windows (about 20 s) a sweep again, because trials see only the next level: where a program
//     has no job above 800 us, levels 3 to 7 run alike, and a tuner that a moment of load sent to level 7 would
//     find no trial that pays, however quiet the machine has become.
// So a quiet machine settles where splitting pays, a loaded one on level 7 (or near it), and a machine whose load
// changes moves there within a few trials, or at the next sweep. Only the level changes which thread runs a task,
// never the task: the results have the same bits at every level.
//
// The tuner itself only turns numbers into numbers (no clock, no thread), so that its tests can feed it rates.
#pragma once
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace tg {

class SplitTuner {
 public:
  static constexpr int levels = 8, never = levels - 1;
  static constexpr double margin = 0.02;           // a neighbour must be this much faster to be taken
  static constexpr int pairs = 3;                  // a trial: 3 pairs of windows (neighbour, then taken level)
  static constexpr int min_gap = 4, max_gap = 64;  // windows of rest between trials
  static constexpr int sweep_every = 1024;         // windows from the end of one sweep to the start of the next

  // The smallest job split at `level`, in nanoseconds of this machine (infinite at `never`).
  static double threshold_ns(int level) {
    return level >= never ? std::numeric_limits<double>::infinity() : 100e3 * std::ldexp(1.0, level);
  }

  int level() const { return running_; }  // the level the current window runs at
  int taken() const { return taken_; }    // the level the tuner has settled on (during the sweep: the best so far)
  bool sweeping() const { return sweep_step_ < 2 * levels; }

  // The window that ran at level() ended, at `rate` (wall time / estimated time; lower is faster).
  void window_done(double rate) {
    if (!(rate > 0) || !std::isfinite(rate)) rate = std::numeric_limits<double>::max();  // no estimate: worst
    if (sweeping()) return sweep(rate);
    ++since_sweep_;
    if (trial_window_ < 0) {  // settled: wait for the next trial, or sweep again
      if (--rest_ <= 0) since_sweep_ >= sweep_every ? start_sweep() : start_trial();
      return;
    }
    // A trial: even windows run the neighbour, odd ones the taken level.
    if (trial_window_ % 2 == 0) {
      neighbour_rate_ = rate;
    } else {
      ratios_[static_cast<std::size_t>(trial_window_ / 2)] = neighbour_rate_ / rate;
    }
    if (++trial_window_ < 2 * pairs) {
      running_ = trial_window_ % 2 == 0 ? neighbour_ : taken_;
      return;
    }
    std::array<double, pairs> r = ratios_;
    std::sort(r.begin(), r.end());
    trial_window_ = -1;
    if (r[pairs / 2] < 1 - margin) {
      taken_ = neighbour_, gap_ = min_gap;  // go on the same way soon
    } else {
      direction_ = -direction_, gap_ = std::min(2 * gap_, max_gap);
    }
    running_ = taken_, rest_ = gap_;
  }

 private:
  // Window k of the sweep runs level k (0 to 7), then 15 - k (7 down to 0).
  static int sweep_level(int k) { return k < levels ? k : 2 * levels - 1 - k; }

  void sweep(double rate) {
    sums_[static_cast<std::size_t>(sweep_level(sweep_step_))] += rate;
    ++sweep_step_;
    if (sweeping()) {
      running_ = sweep_level(sweep_step_);
      return;
    }
    const int was = taken_;
    taken_ = static_cast<int>(std::min_element(sums_.begin(), sums_.end()) - sums_.begin());
    if (taken_ != was) gap_ = min_gap;  // a new level: try its neighbours soon
    running_ = taken_, rest_ = gap_;
  }

  void start_sweep() {
    sweep_step_ = 0, since_sweep_ = 0;
    sums_.fill(0);
    running_ = 0;
  }

  void start_trial() {
    if (taken_ + direction_ < 0 || taken_ + direction_ > never) direction_ = -direction_;
    neighbour_ = taken_ + direction_;
    trial_window_ = 0;
    running_ = neighbour_;
  }

  int running_ = 0, taken_ = 0;
  int sweep_step_ = 0, since_sweep_ = 0;  // windows since the last sweep ended
  std::array<double, levels> sums_{};
  int rest_ = 0, gap_ = min_gap, direction_ = 1;
  int trial_window_ = -1, neighbour_ = 0;  // -1: no trial running
  double neighbour_rate_ = 0;
  std::array<double, pairs> ratios_{};
};

}  // namespace tg
