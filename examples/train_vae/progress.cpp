// The progress display of train_vae (see progress.hpp).
#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace tg::app {

using Clock = std::chrono::steady_clock;

std::string format_duration(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

Progress::Progress() : terminal_(isatty(STDERR_FILENO) == 1) {}

void Progress::start_epoch(std::int64_t epoch, std::int64_t epochs, std::int64_t batches) {
  epoch_ = epoch, epochs_ = epochs, batches_ = batches;
  steps_ = examples_ = 0;
  sum_bound_ = 0.0;
  start_ = last_draw_ = Clock::now();
}

double Progress::examples_per_second() const {
  const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
  return secs > 0 ? static_cast<double>(examples_) / secs : 0.0;
}

void Progress::step(std::int64_t examples, double bound) {
  ++steps_;
  examples_ += examples;
  sum_bound_ += bound;
  if (terminal_) draw(false);
}

void Progress::draw(bool force) {
  const auto now = Clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const int width = 30;
  const int filled = batches_ ? static_cast<int>(width * steps_ / batches_) : width;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double eta = steps_ ? secs * static_cast<double>(batches_ - steps_) / static_cast<double>(steps_) : 0.0;
  std::fprintf(stderr, "\r\033[Kepoch %lld/%lld [%s%s] %lld/%lld  bound %.2f  %.0f ex/s  ETA %s",
               static_cast<long long>(epoch_), static_cast<long long>(epochs_), std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(), static_cast<long long>(steps_),
               static_cast<long long>(batches_), mean_bound(), examples_per_second(), format_duration(eta).c_str());
  std::fflush(stderr);
}

double Progress::finish_epoch() {
  const double secs = std::chrono::duration<double>(Clock::now() - start_).count();
  if (terminal_)
    draw(true), std::fputc('\n', stderr);
  else
    std::fprintf(stderr, "epoch %lld/%lld: %lld batches, train bound %.3f, %.0f examples/s, %s\n",
                 static_cast<long long>(epoch_), static_cast<long long>(epochs_), static_cast<long long>(steps_),
                 mean_bound(), examples_per_second(), format_duration(secs).c_str());
  return secs;
}

}  // namespace tg::app
