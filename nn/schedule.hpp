// Learning-rate schedules: a function lr_at(epoch) of the epoch (counted from 0). Constant; step decay
// (lr * gamma^floor(epoch / step_size)); and the IWAE paper's (Burda et al. 2016, sec. 5): stage i = 0..7
// runs 3^i epochs at lr 1e-3 * 10^(-i/7), 3280 epochs in all, with Adam(beta1 0.9, beta2 0.999, eps 1e-4).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tg::nn {

struct ScheduleStage {
  int index;                 // i
  std::int64_t first_epoch;  // 0, 1, 4, 13, ... (the sum of the earlier stages' lengths)
  std::int64_t epochs;       // 3^i
  double lr;                 // base_lr * 10^(-i / (stages - 1))
};

class Schedule {
 public:
  static Schedule constant(double lr);
  static Schedule step(double lr, std::int64_t step_size, double gamma);
  // stages = 8 and base_lr = 1e-3 are the paper's; after the last stage the last lr stays.
  static Schedule iwae(int stages = 8, double base_lr = 1e-3);
  // From a name: "constant", "step" (step_size 100, gamma 0.5) or "iwae"; lr is the base rate.
  static Schedule from_name(const std::string& name, double lr);

  double lr_at(std::int64_t epoch) const;
  std::int64_t total_epochs() const;  // the IWAE schedule's length; 0 (unbounded) for the others
  const std::vector<ScheduleStage>& stages() const { return stages_; }  // IWAE only
  std::string describe() const;  // e.g. "iwae (8 stages, 3280 epochs, lr 0.001 -> 0.0001)"

 private:
  enum class Kind { constant, step, iwae };
  Kind kind_ = Kind::constant;
  double lr_ = 1e-3;
  std::int64_t step_size_ = 1;
  double gamma_ = 1.0;
  std::vector<ScheduleStage> stages_;
};

}  // namespace tg::nn
