// SVG line charts (https://www.w3.org/TR/SVG11/), written as text by our own code: series of (x, y) points drawn as
// lines with a marker at every point, on shared axes that are linear or logarithmic, with ticks, grid lines, axis
// labels and a legend. train_vae draws its training curves with it, examples/snr_k its log-log plot.
//
//   pictures::LineChart chart;
//   chart.title = "SNR", chart.x_label = "k", chart.log_x = chart.log_y = true;
//   chart.series.push_back({"inference, reparam", "#1f77b4", {1, 10, 100}, {0.9, 0.3, 0.1}});
//   pictures::write_svg_line_chart("snr.svg", chart);
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tg::pictures {

struct Series {
  std::string name;          // shown in the legend
  std::string color;         // any SVG colour: "#1f77b4", "black"
  std::vector<double> x, y;  // the points, in drawing order; the same length
  bool dashed = false;
  Series(std::string name, std::string color, std::vector<double> x = {}, std::vector<double> y = {},
         bool dashed = false)
      : name(std::move(name)), color(std::move(color)), x(std::move(x)), y(std::move(y)), dashed(dashed) {}
};

struct LineChart {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;  // logarithmic axes: ticks at powers of 10 (and 2, 5 times them if few)
  std::vector<Series> series;
  double width = 680, height = 380;  // pixels
};

// The SVG text. Points that cannot be drawn (NaN or infinite, or <= 0 on a logarithmic axis) are left out, and the
// line skips them. Throws tg::Error if a series' x and y differ in length.
std::string svg_line_chart(const LineChart& chart);
// The same, written to `path + ".tmp"` and renamed over `path`.
void write_svg_line_chart(const std::string& path, const LineChart& chart);

}  // namespace tg::pictures
