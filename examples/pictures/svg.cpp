// SVG line charts (see svg.hpp): a linear or logarithmic map from data to pixels per axis, "nice" tick values, then
// the text of the grid, the lines and markers, and the legend.
#include "examples/pictures/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "autodiff/tensor.hpp"
#include "nn/io/gzip.hpp"

namespace tg::pictures {
using nn::io::write_file_atomic;

namespace {

std::string num(double v) {  // a tick label: short
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string px(double v) {  // a coordinate in pixels
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string escape(const std::string& s) {  // text content of an SVG element
  std::string out;
  for (char c : s) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return out;
}

// One axis: the data range [lo, hi] (in log10 units when logarithmic) mapped onto pixels [p0, p1].
struct Axis {
  bool log = false;
  double lo = 0, hi = 1, p0 = 0, p1 = 1;
  bool drawable(double v) const { return std::isfinite(v) && (!log || v > 0); }
  double pixel(double v) const {
    const double t = log ? std::log10(v) : v;
    return p0 + (p1 - p0) * (t - lo) / (hi - lo);
  }
  std::vector<double> ticks() const;
};

std::vector<double> Axis::ticks() const {
  std::vector<double> t;
  if (log) {
    for (double e = std::floor(lo); e <= std::ceil(hi); ++e)
      for (double m : {1.0, 2.0, 5.0}) {
        const double v = m * std::pow(10.0, e), lv = std::log10(v);
        if ((m == 1.0 || hi - lo < 2.5) && lv >= lo - 1e-9 && lv <= hi + 1e-9) t.push_back(v);
      }
    return t;
  }
  const double raw = (hi - lo) / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;  // 1-2-5 steps, about 5 ticks
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step)
    t.push_back(std::abs(v) < 1e-12 * step ? 0 : v);
  return t;
}

// The range of the drawable values along one axis, widened when empty or a single point.
Axis make_axis(bool log, const LineChart& chart, bool along_x) {
  Axis a;
  a.log = log;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series& s : chart.series)
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      const double v = along_x ? s.x[i] : s.y[i], other = along_x ? s.y[i] : s.x[i];
      if (!a.drawable(v) || !std::isfinite(other)) continue;
      const double t = log ? std::log10(v) : v;
      lo = std::min(lo, t), hi = std::max(hi, t);
    }
  if (!(lo <= hi)) lo = 0, hi = 1;
  if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) lo -= log ? 0.5 : 1, hi += log ? 0.5 : 1;
  const double pad = 0.04 * (hi - lo);
  a.lo = lo - pad, a.hi = hi + pad;
  return a;
}

}  // namespace

std::string svg_line_chart(const LineChart& chart) {
  for (const Series& s : chart.series)
    if (s.x.size() != s.y.size())
      fail("svg_line_chart", "series '" + s.name + "' has " + std::to_string(s.x.size()) + " x values and " +
                                 std::to_string(s.y.size()) + " y values; they must be as many");
  const double W = chart.width, H = chart.height, left = 70, right = 190, top = 34, bottom = 46;
  Axis ax = make_axis(chart.log_x, chart, true), ay = make_axis(chart.log_y, chart, false);
  ax.p0 = left, ax.p1 = W - right, ay.p0 = H - bottom, ay.p1 = top;
  std::ostringstream os;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << px(W) << "\" height=\"" << px(H)
     << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
     << "<text x=\"" << px((left + W - right) / 2) << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">"
     << escape(chart.title) << "</text>\n";
  for (double v : ay.ticks())  // horizontal grid lines with the y values
    os << "<line x1=\"" << px(left) << "\" x2=\"" << px(W - right) << "\" y1=\"" << px(ay.pixel(v)) << "\" y2=\""
       << px(ay.pixel(v)) << "\" stroke=\"#ddd\"/><text x=\"" << px(left - 6) << "\" y=\"" << px(ay.pixel(v) + 4)
       << "\" text-anchor=\"end\">" << num(v) << "</text>\n";
  for (double v : ax.ticks())  // vertical grid lines with the x values
    os << "<line x1=\"" << px(ax.pixel(v)) << "\" x2=\"" << px(ax.pixel(v)) << "\" y1=\"" << px(top) << "\" y2=\""
       << px(H - bottom) << "\" stroke=\"#eee\"/><text x=\"" << px(ax.pixel(v)) << "\" y=\"" << px(H - bottom + 16)
       << "\" text-anchor=\"middle\">" << num(v) << "</text>\n";
  os << "<rect x=\"" << px(left) << "\" y=\"" << px(top) << "\" width=\"" << px(W - left - right) << "\" height=\""
     << px(H - top - bottom) << "\" fill=\"none\" stroke=\"#888\"/>\n<text x=\"" << px((left + W - right) / 2)
     << "\" y=\"" << px(H - 8) << "\" text-anchor=\"middle\">" << escape(chart.x_label)
     << "</text>\n<text x=\"16\" y=\"" << px((top + H - bottom) / 2)
     << "\" text-anchor=\"middle\" transform=\"rotate(-90 16 " << px((top + H - bottom) / 2) << ")\">"
     << escape(chart.y_label) << "</text>\n";
  for (std::size_t si = 0; si < chart.series.size(); ++si) {
    const Series& s = chart.series[si];
    std::string points, markers;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!ax.drawable(s.x[i]) || !ay.drawable(s.y[i])) continue;
      const std::string cx = px(ax.pixel(s.x[i])), cy = px(ay.pixel(s.y[i]));
      points += cx + ',' + cy + ' ';
      markers += "<circle cx=\"" + cx + "\" cy=\"" + cy + "\" r=\"3\" fill=\"" + s.color + "\"/>";
    }
    os << "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" << s.color << '"'
       << (s.dashed ? " stroke-dasharray=\"6 4\"" : "") << " points=\"" << points << "\"/>" << markers << '\n';
    const double ly = top + 12 + 18 * static_cast<double>(si);
    os << "<line x1=\"" << px(W - right + 10) << "\" x2=\"" << px(W - right + 34) << "\" y1=\"" << px(ly - 4)
       << "\" y2=\"" << px(ly - 4) << "\" stroke-width=\"2\" stroke=\"" << s.color << '"'
       << (s.dashed ? " stroke-dasharray=\"6 4\"" : "") << "/><text x=\"" << px(W - right + 40) << "\" y=\"" << px(ly)
       << "\">" << escape(s.name) << "</text>\n";
  }
  os << "</svg>\n";
  return os.str();
}

void write_svg_line_chart(const std::string& path, const LineChart& chart) {
  const std::string text = svg_line_chart(chart);
  write_file_atomic(path, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

}  // namespace tg::pictures
