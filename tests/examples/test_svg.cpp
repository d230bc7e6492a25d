// Tests of the SVG line chart writer: where the points land, which ticks are drawn on linear and logarithmic axes,
// that undrawable points are skipped, markers for single points, escaping, the error for a bad series, and the
// atomic write.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "autodiff/tensor.hpp"
#include "examples/pictures/svg.hpp"

namespace fs = std::filesystem;
using namespace tg::pictures;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The numbers of a polyline's points="x,y x,y ..." attribute, for the i-th polyline.
std::vector<std::pair<double, double>> polyline(const std::string& svg, std::size_t i) {
  std::size_t at = 0;
  for (std::size_t k = 0; k <= i; ++k) at = svg.find("<polyline", at + (k > 0));
  const std::size_t from = svg.find("points=\"", at) + 8, to = svg.find('"', from);
  std::istringstream in(svg.substr(from, to - from));
  std::vector<std::pair<double, double>> points;
  double x = 0, y = 0;
  char comma = 0;
  while (in >> x >> comma >> y) points.emplace_back(x, y);
  return points;
}

}  // namespace

TEST_CASE("svg_line_chart: log-log axes put powers of ten at evenly spaced pixels, with ticks and markers",
          "[io][svg]") {
  LineChart chart;
  chart.title = "SNR <k>", chart.x_label = "k", chart.y_label = "SNR", chart.log_x = chart.log_y = true;
  chart.series.push_back({"inference", "#1f77b4", {1, 10, 100, 1000}, {1, 0.1, 0.01, 0.001}});
  chart.series.push_back({"generative & more", "#d62728", {1, 10, 100, 1000}, {2, 20, -1, NAN}, true});
  const std::string svg = svg_line_chart(chart);
  const auto a = polyline(svg, 0), b = polyline(svg, 1);
  REQUIRE(a.size() == 4);
  REQUIRE(b.size() == 2);  // -1 on a logarithmic axis and NaN are left out
  // equal ratios -> equal pixel steps, on both axes; y grows upward
  CHECK(a[1].first - a[0].first == Approx(a[2].first - a[1].first).margin(0.02));
  CHECK(a[3].first - a[2].first == Approx(a[2].first - a[1].first).margin(0.02));
  CHECK(a[1].second - a[0].second == Approx(a[2].second - a[1].second).margin(0.02));
  CHECK(a[1].second > a[0].second);
  CHECK(b[1].second < b[0].second);
  CHECK(count(svg, "<circle") == 6);  // a marker at every drawn point
  for (const char* tick : {">1</text>", ">10</text>", ">100</text>", ">1000</text>", ">0.001</text>"})
    CHECK(count(svg, tick) >= 1);
  CHECK(count(svg, "stroke-dasharray") == 2);  // the dashed series and its legend line
  CHECK(count(svg, "SNR &lt;k&gt;") == 1);
  CHECK(count(svg, "generative &amp; more") == 1);
  CHECK(svg.rfind("<svg ", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
}

TEST_CASE("svg_line_chart: a linear axis gets round ticks, and a single point is drawn as a marker", "[io][svg]") {
  LineChart chart;
  chart.title = "curves", chart.x_label = "epoch", chart.y_label = "nats";
  chart.series.push_back({"one epoch", "black", {1}, {-243.6}});
  chart.series.push_back({"test", "red", {1, 2, 3}, {-250, -245, -241}});
  const std::string svg = svg_line_chart(chart);
  CHECK(count(svg, "<circle") == 4);
  for (const char* tick : {">-250</text>", ">-246</text>", ">-242</text>", ">1</text>", ">2</text>", ">3</text>"})
    CHECK(count(svg, tick) >= 1);
  const auto test = polyline(svg, 1);
  REQUIRE(test.size() == 3);
  CHECK(test[0].second > test[2].second);  // -250 is drawn below -241

  CHECK(svg_line_chart(LineChart()).find("</svg>") != std::string::npos);  // no series, no data: still a valid file
}

TEST_CASE("svg_line_chart: a series whose x and y differ in length is an error; the file is written atomically",
          "[io][svg]") {
  LineChart bad;
  bad.series.push_back({"s", "black", {1, 2}, {1}});
  CHECK_THROWS_AS(svg_line_chart(bad), tg::Error);
  CHECK_THROWS_WITH(svg_line_chart(bad), Catch::Contains("series 's' has 2 x values and 1 y values"));
  const fs::path path = fs::temp_directory_path() / ("tg_svg_" + std::to_string(::getpid()) + ".svg");
  LineChart good;
  good.series.push_back({"s", "black", {1, 2}, {3, 4}});
  write_svg_line_chart(path.string(), good);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == svg_line_chart(good));
  CHECK_FALSE(fs::exists(path.string() + ".tmp"));
  fs::remove(path);
}
