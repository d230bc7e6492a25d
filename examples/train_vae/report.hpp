// What train_vae leaves in --out: metrics.csv, PNG grids of images, an SVG chart of the curves, and index.html
// showing them all. Every file is written to a temporary name and renamed, so a crash never leaves half a file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "autodiff/tensor.hpp"

namespace tg::app {

struct EpochMetrics {
  std::int64_t epoch = 0;
  double train_bound = 0, test_elbo = 0, test_iwae = 0, test_log_px = 0, kl = 0;
  std::int64_t log_px_k = 0;  // importance samples behind test_log_px (more at the last epoch)
  std::int64_t active_units = 0;
  double seconds = 0, examples_per_s = 0;
};

// Columns: epoch, train_bound, test_elbo, test_iwae_k<K>, one test_log_px_k<k> per number of importance samples
// used (empty where that k was not used), kl, active_units. metrics.csv holds what the run computed, nothing that
// depends on the machine: the same seed gives the same file byte for byte (with any number of threads). Wall-clock
// times go to timing.csv: epoch, seconds, examples_per_s.
void write_metrics_csv(const std::string& path, const std::vector<EpochMetrics>& rows, std::int64_t iwae_k);
// The rows of epochs 1 to `epochs` that an earlier run wrote to metrics.csv and timing.csv in `dir` (the folder of
// the checkpoint a run resumes from), so that a resumed run's files hold every epoch. Rows past `epochs` (written
// after the checkpoint) are dropped; a missing file gives no rows. A malformed file is a tg::Error naming its line.
std::vector<EpochMetrics> read_metrics(const std::string& dir, std::int64_t epochs);
void write_timing_csv(const std::string& path, const std::vector<EpochMetrics>& rows);
// images: (N, H*W) values in [0, 1], laid out `cols` per row with a 1-pixel gap.
void write_image_grid(const std::string& path, const Tensor& images, std::int64_t cols, std::int64_t height = 28,
                      std::int64_t width = 28);
void write_svg_chart(const std::string& path, const std::vector<EpochMetrics>& rows);

struct IndexPage {
  std::string title, command, summary;
  std::vector<std::pair<std::string, std::string>> images;  // (file, caption)
};
void write_index_html(const std::string& path, const IndexPage& page, const std::vector<EpochMetrics>& rows);

}  // namespace tg::app
