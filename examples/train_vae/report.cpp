// The files train_vae writes (see report.hpp): CSV, PNG grids (via examples/pictures/png), an SVG line chart (via
// examples/pictures/svg), an HTML index.
#include "report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "examples/pictures/png.hpp"
#include "examples/pictures/svg.hpp"
#include "nn/io/gzip.hpp"
#include "nn/io/npy.hpp"

namespace tg::app {

namespace {

void write_text(const std::string& path, const std::string& text) {
  nn::io::write_file_atomic(path, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

std::string num(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The numbers of importance samples behind the log p(x) estimates of rows, in order of first use: estimates made
// with different k are different curves (a larger k is less biased), never one.
std::vector<std::int64_t> log_px_ks(const std::vector<EpochMetrics>& rows) {
  std::vector<std::int64_t> ks;
  for (const EpochMetrics& r : rows)
    if (std::find(ks.begin(), ks.end(), r.log_px_k) == ks.end()) ks.push_back(r.log_px_k);
  return ks;
}

// Text for an HTML page: the command line and the data folder are the user's, and may hold <, > or &.
std::string html(const std::string& text) {
  std::string out;
  for (const char c : text) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return out;
}

// The width and height of a PNG file from its IHDR chunk (bytes 16..23, big-endian); 0, 0 if unreadable.
std::pair<int, int> png_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 24> h{};
  if (!in.read(reinterpret_cast<char*>(h.data()), h.size())) return {0, 0};
  auto be32 = [&h](int at) { return (h[at] << 24) | (h[at + 1] << 16) | (h[at + 2] << 8) | h[at + 3]; };
  return {be32(16), be32(20)};
}

}  // namespace

void write_metrics_csv(const std::string& path, const std::vector<EpochMetrics>& rows, std::int64_t iwae_k) {
  const std::vector<std::int64_t> ks = log_px_ks(rows);
  std::ostringstream os;
  os << "epoch,train_bound,test_elbo,test_iwae_k" << iwae_k;
  for (std::int64_t k : ks) os << ",test_log_px_k" << k;  // one column per k, empty where not estimated
  os << ",kl,active_units\n";
  for (const EpochMetrics& r : rows) {
    os << r.epoch << ',' << num(r.train_bound, 4) << ',' << num(r.test_elbo, 4) << ',' << num(r.test_iwae, 4);
    for (std::int64_t k : ks) os << ',' << (k == r.log_px_k ? num(r.test_log_px, 4) : "");
    os << ',' << num(r.kl, 4) << ',' << r.active_units << '\n';
  }
  write_text(path, os.str());
}

namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields(1);
  for (const char c : line) {
    if (c == ',')
      fields.emplace_back();
    else
      fields.back().push_back(c);
  }
  return fields;
}

// The lines of a CSV file (at most 64 MiB), or none if there is no file.
std::vector<std::string> csv_lines(const std::string& path) {
  std::vector<std::string> lines;
  if (!std::filesystem::exists(path)) return lines;
  const std::vector<std::uint8_t> bytes = nn::io::read_file_bytes(path, std::size_t{64} << 20);
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

double field(const std::string& path, std::size_t line, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0')
    fail("--resume", path + ": line " + std::to_string(line + 1) + ": " + nn::io::printable_name(text.substr(0, 40)) +
                         " is not a number (move the file away to start the metrics afresh)");
  return v;
}

}  // namespace

std::vector<EpochMetrics> read_metrics(const std::string& dir, std::int64_t epochs) {
  const std::string path = dir + "/metrics.csv";
  const std::vector<std::string> lines = csv_lines(path);
  std::vector<EpochMetrics> rows;
  if (lines.empty()) return rows;
  const std::vector<std::string> header = split_csv(lines[0]);
  for (std::size_t i = 1; i < lines.size() && static_cast<std::int64_t>(rows.size()) < epochs; ++i) {
    const std::vector<std::string> f = split_csv(lines[i]);
    if (f.size() != header.size() || f.size() < 6)
      fail("--resume", path + ": line " + std::to_string(i + 1) + " has " + std::to_string(f.size()) +
                           " fields, but the header has " + std::to_string(header.size()));
    EpochMetrics r;
    r.epoch = static_cast<std::int64_t>(field(path, i, f[0]));
    if (r.epoch != static_cast<std::int64_t>(rows.size()) + 1) break;  // not the run the checkpoint continues
    r.train_bound = field(path, i, f[1]), r.test_elbo = field(path, i, f[2]), r.test_iwae = field(path, i, f[3]);
    for (std::size_t c = 4; c + 2 < f.size(); ++c)  // test_log_px_k<k>: the one column this row fills
      if (!f[c].empty() && header[c].rfind("test_log_px_k", 0) == 0)
        r.test_log_px = field(path, i, f[c]), r.log_px_k = std::atoll(header[c].c_str() + 13);
    r.kl = field(path, i, f[f.size() - 2]), r.active_units = static_cast<std::int64_t>(field(path, i, f.back()));
    rows.push_back(r);
  }
  const std::vector<std::string> timing = csv_lines(dir + "/timing.csv");
  for (std::size_t i = 1; i < timing.size() && i <= rows.size(); ++i) {
    const std::vector<std::string> f = split_csv(timing[i]);
    if (f.size() == 3)
      rows[i - 1].seconds = std::atof(f[1].c_str()), rows[i - 1].examples_per_s = std::atof(f[2].c_str());
  }
  return rows;
}

void write_timing_csv(const std::string& path, const std::vector<EpochMetrics>& rows) {
  std::ostringstream os;
  os << "epoch,seconds,examples_per_s\n";
  for (const EpochMetrics& r : rows)
    os << r.epoch << ',' << num(r.seconds, 2) << ',' << num(r.examples_per_s, 1) << '\n';
  write_text(path, os.str());
}

void write_image_grid(const std::string& path, const Tensor& images, std::int64_t cols, std::int64_t height,
                      std::int64_t width) {
  if (images.dim() != 2 || images.size(1) != height * width || height < 1 || width < 1 || cols < 1)
    fail("write_image_grid", path + ": images are " + shape_str(images.shape()) + ", but must be (N, " +
                                 std::to_string(height) + " * " + std::to_string(width) + ")");
  const std::int64_t n = images.size(0), rows = (n + cols - 1) / cols;
  const std::int64_t W = cols * (width + 1) + 1, H = rows * (height + 1) + 1;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(W * H), 96);  // grey gaps between images
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t y = 0; y < height; ++y)
      for (std::int64_t x = 0; x < width; ++x) {
        const double v = std::clamp(images.flat(i * height * width + y * width + x), 0.0, 1.0);
        const std::int64_t px = 1 + (i % cols) * (width + 1) + x, py = 1 + (i / cols) * (height + 1) + y;
        pixels[static_cast<std::size_t>(py * W + px)] = static_cast<std::uint8_t>(std::lround(255.0 * v));
      }
  pictures::write_png_gray(path, static_cast<int>(W), static_cast<int>(H), pixels);
}

// One line per quantity over the epochs, on shared axes: bounds are log-likelihoods (higher is better). Every point
// is also a marker, so that a one-epoch run shows its values; the log p(x) estimates are one line per k.
void write_svg_chart(const std::string& path, const std::vector<EpochMetrics>& rows) {
  pictures::LineChart chart;
  chart.title = "training curves", chart.x_label = "epoch", chart.y_label = "nats";
  const std::pair<const char*, double EpochMetrics::*> quantities[] = {{"train bound", &EpochMetrics::train_bound},
                                                                       {"test ELBO", &EpochMetrics::test_elbo},
                                                                       {"test IWAE bound", &EpochMetrics::test_iwae}};
  const char* colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c"};
  for (std::size_t i = 0; i < std::size(quantities); ++i) {
    pictures::Series s{quantities[i].first, colors[i]};
    for (const EpochMetrics& r : rows)
      s.x.push_back(static_cast<double>(r.epoch)), s.y.push_back(r.*quantities[i].second);
    chart.series.push_back(s);
  }
  // log p(x): one line per number of importance samples (the last epoch's --eval-k is not the per-epoch one)
  const char* log_px_colors[] = {"#d62728", "#9467bd", "#8c564b", "#e377c2"};
  const std::vector<std::int64_t> ks = log_px_ks(rows);
  for (std::size_t i = 0; i < ks.size(); ++i) {
    pictures::Series s{"test log p(x), k = " + std::to_string(ks[i]), log_px_colors[i % std::size(log_px_colors)]};
    for (const EpochMetrics& r : rows)
      if (r.log_px_k == ks[i]) s.x.push_back(static_cast<double>(r.epoch)), s.y.push_back(r.test_log_px);
    chart.series.push_back(s);
  }
  pictures::write_svg_line_chart(path, chart);
}

void write_index_html(const std::string& path, const IndexPage& page, const std::vector<EpochMetrics>& rows) {
  std::ostringstream os;
  os << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" << html(page.title) << "</title>\n"
     << "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}"
     << "img{image-rendering:pixelated;max-width:100%;height:auto;margin:4px;border:1px solid #ccc}"
     << "table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right;"
     << "border-bottom:1px solid #eee}figure{display:inline-block}</style></head><body>\n"
     << "<h1>" << html(page.title) << "</h1>\n<p><code>" << html(page.command) << "</code></p>\n<p>"
     << html(page.summary) << "</p>\n"
     << "<img src=\"curves.svg\" alt=\"training curves\">\n";
  // pictures at a whole multiple of their size (2x or 3x: one image pixel is a block of screen pixels, kept sharp by
  // image-rendering: pixelated), as large as fits the page
  const std::string dir = path.substr(0, path.find_last_of('/') + 1);
  for (const auto& [file, caption] : page.images) {
    const auto [w, h] = png_size(dir + file);
    const int scale = w > 0 ? std::clamp(940 / w, 1, 3) : 1;
    os << "<figure><img src=\"" << file << "\"";
    if (w > 0) os << " width=\"" << w * scale << "\" height=\"" << h * scale << "\"";
    os << " alt=\"" << caption << "\"><figcaption>" << caption << (scale > 1 ? " (" + std::to_string(scale) + "x)" : "")
       << "</figcaption></figure>\n";
  }
  os << "<h2>Metrics (nats; higher bounds are better)</h2>\n<table><tr><th>epoch</th><th>train bound</th><th>test ELBO"
     << "</th><th>test IWAE</th><th>test log p(x)</th><th>k of log p(x)</th><th>KL</th><th>active "
        "units</th><th>s</th><th>examples/s</th></tr>\n";
  for (const auto& r : rows)
    os << "<tr><td>" << r.epoch << "</td><td>" << num(r.train_bound, 2) << "</td><td>" << num(r.test_elbo, 2)
       << "</td><td>" << num(r.test_iwae, 2) << "</td><td>" << num(r.test_log_px, 2) << "</td><td>" << r.log_px_k
       << "</td><td>" << num(r.kl, 2) << "</td><td>" << r.active_units << "</td><td>" << num(r.seconds, 1)
       << "</td><td>" << num(r.examples_per_s, 0) << "</td></tr>\n";
  os << "</table>\n<p>Files: <a href=\"metrics.csv\">metrics.csv</a>, <a href=\"checkpoint.npz\">checkpoint.npz</a>"
     << " (open with numpy.load).</p>\n</body></html>\n";
  write_text(path, os.str());
}

}  // namespace tg::app
