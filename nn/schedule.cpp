// Learning-rate schedules (see schedule.hpp): constant, step decay, and the IWAE paper's 3^i-epoch stages.
#include "nn/schedule.hpp"

#include <cmath>
#include <sstream>

#include "autodiff/tensor.hpp"

namespace tg::nn {

static void check_lr(const char* what, double lr) {
  if (!(lr > 0) || !std::isfinite(lr)) fail(what, "lr is " + std::to_string(lr) + ", but must be positive");
}

Schedule Schedule::constant(double lr) {
  check_lr("Schedule::constant", lr);
  Schedule s;
  s.lr_ = lr;
  return s;
}

Schedule Schedule::step(double lr, std::int64_t step_size, double gamma) {
  check_lr("Schedule::step", lr);
  if (step_size < 1) fail("Schedule::step", "step_size is " + std::to_string(step_size) + ", but must be >= 1");
  if (!(gamma > 0)) fail("Schedule::step", "gamma is " + std::to_string(gamma) + ", but must be positive");
  Schedule s;
  s.kind_ = Kind::step, s.lr_ = lr, s.step_size_ = step_size, s.gamma_ = gamma;
  return s;
}

Schedule Schedule::iwae(int stages, double base_lr) {
  check_lr("Schedule::iwae", base_lr);
  if (stages < 1 || stages > 30)
    fail("Schedule::iwae", "stages is " + std::to_string(stages) + ", but must be in [1, 30]");
  Schedule s;
  s.kind_ = Kind::iwae, s.lr_ = base_lr;
  std::int64_t first = 0, length = 1;
  for (int i = 0; i < stages; ++i, first += length, length *= 3) {
    // lr_i = 1e-3 * 10^(-i/7): the rate falls tenfold over the 8 stages
    const double decay = stages > 1 ? static_cast<double>(i) / (stages - 1) : 0.0;
    s.stages_.push_back({i, first, length, base_lr * std::pow(10.0, -decay)});
  }
  return s;
}

Schedule Schedule::from_name(const std::string& name, double lr) {
  if (name == "constant") return constant(lr);
  if (name == "step") return step(lr, 100, 0.5);
  if (name == "iwae") return iwae(8, lr);
  fail("Schedule", "name is \"" + name + "\", but must be constant, step or iwae");
}

double Schedule::lr_at(std::int64_t epoch) const {
  if (epoch < 0) fail("Schedule::lr_at", "epoch is " + std::to_string(epoch) + ", but must be >= 0");
  switch (kind_) {
    case Kind::constant:
      return lr_;
    case Kind::step:
      return lr_ * std::pow(gamma_, static_cast<double>(epoch / step_size_));
    case Kind::iwae:
      for (const ScheduleStage& st : stages_)
        if (epoch < st.first_epoch + st.epochs) return st.lr;
      return stages_.back().lr;
  }
  return lr_;
}

std::int64_t Schedule::total_epochs() const {
  if (kind_ != Kind::iwae) return 0;
  return stages_.back().first_epoch + stages_.back().epochs;
}

std::string Schedule::describe() const {
  std::ostringstream os;
  switch (kind_) {
    case Kind::constant:
      os << "constant (lr " << lr_ << ")";
      break;
    case Kind::step:
      os << "step (lr " << lr_ << " x " << gamma_ << " every " << step_size_ << " epochs)";
      break;
    case Kind::iwae:
      os << "iwae (" << stages_.size() << " stages, " << total_epochs() << " epochs, lr " << stages_.front().lr
         << " -> " << stages_.back().lr << ")";
      break;
  }
  return os.str();
}

}  // namespace tg::nn
