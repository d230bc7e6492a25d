// Training progress on stderr: on a terminal, a live bar per epoch (batches done, running bound, examples/s, ETA);
// otherwise (CI logs, files) one plain line per epoch.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace tg::app {

class Progress {
 public:
  Progress();  // detects whether stderr is a terminal
  void start_epoch(std::int64_t epoch, std::int64_t epochs, std::int64_t batches);
  void step(std::int64_t examples, double bound);  // after each batch: its size and its mean bound
  double finish_epoch();                           // prints the epoch line; returns its seconds
  double examples_per_second() const;
  double mean_bound() const { return steps_ ? sum_bound_ / static_cast<double>(steps_) : 0.0; }
  bool terminal() const { return terminal_; }

 private:
  void draw(bool force);
  bool terminal_;
  std::int64_t epoch_ = 0, epochs_ = 0, batches_ = 0, steps_ = 0, examples_ = 0;
  double sum_bound_ = 0.0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

std::string format_duration(double seconds);  // "1:05", "1:02:03"

}  // namespace tg::app
