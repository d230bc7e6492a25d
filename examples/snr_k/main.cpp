// snr_k: the signal-to-noise ratio of the gradient estimators reparam, stl and dreg as the number of importance
// samples k grows, for the inference and the generative network, on the exact linear-Gaussian model and on a partly
// trained Fashion-MNIST VAE; prints the table and the fitted log-log slopes, writes snr.csv and SVG plots.
// Math: docs/derivations/iwae_gradient.md, estimators.md; results: docs/results.md.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "autodiff/runtime/thread_pool.hpp"
#include "autodiff/tape.hpp"
#include "examples/pictures/svg.hpp"
#include "measure.hpp"
#include "nn/data.hpp"
#include "nn/io/gzip.hpp"

using namespace tg;

namespace {

struct Options {
  std::vector<double> ks = {1, 3, 10, 30, 100, 300, 1000};
  std::int64_t exact_draws = 10000, vae_draws = 200, batch = 4, train_steps = 3000;
  std::string data = "/usr/share/datasets/fashion-mnist", out = "build/snr_k";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], v = argv[i + 1];
    if (flag == "--k") {
      o.ks.clear();
      std::stringstream in(v);
      for (std::string part; std::getline(in, part, ',');) o.ks.push_back(std::stod(part));
    } else if (flag == "--exact-draws")
      o.exact_draws = std::stoll(v);
    else if (flag == "--vae-draws")
      o.vae_draws = std::stoll(v);
    else if (flag == "--batch")
      o.batch = std::stoll(v);
    else if (flag == "--train-steps")
      o.train_steps = std::stoll(v);
    else if (flag == "--data")
      o.data = v;
    else if (flag == "--out")
      o.out = v;
    else
      throw Error("snr_k: unknown flag '" + flag + "'");
  }
  return o;
}

const vae::Estimator estimators[] = {vae::Estimator::reparam, vae::Estimator::stl, vae::Estimator::dreg};
using Table = std::map<vae::Estimator, std::vector<snr::Snr>>;  // per estimator, one Snr per k

double value(const snr::Snr& s, int net, bool corrected) {
  return net == 0 ? (corrected ? s.inference_corrected : s.inference)
                  : (corrected ? s.generative_corrected : s.generative);
}

// Prints the table and the slopes (as measured, then with the noise floor removed) and appends to snr.csv's rows.
void report(const std::string& name, const std::string& title, const Options& o, const Table& t, std::string& csv) {
  for (bool corrected : {false, true}) {
    std::printf("\n%s%s\n%8s %29s   %29s\n%8s", title.c_str(), corrected ? ", noise floor removed" : "", "",
                "inference-network SNR", "generative-network SNR", "k");
    for (int net = 0; net < 2; ++net)
      for (vae::Estimator e : estimators) std::printf(" %9s", vae::estimator_name(e));
    for (std::size_t i = 0; i < o.ks.size(); ++i) {
      std::printf("\n%8g", o.ks[i]);
      for (int net = 0; net < 2; ++net)
        for (vae::Estimator e : estimators) {
          std::printf(" %9.4f", value(t.at(e)[i], net, corrected));
          csv += name + "," + vae::estimator_name(e) + "," + (net == 0 ? "inference," : "generative,") +
                 std::to_string(o.ks[i]) + "," + std::to_string(value(t.at(e)[i], net, corrected)) + "," +
                 (corrected ? "1\n" : "0\n");
        }
    }
    std::printf("\n%8s", "slope");
    for (int net = 0; net < 2; ++net)
      for (vae::Estimator e : estimators) {
        std::vector<double> y;
        for (const snr::Snr& s : t.at(e)) y.push_back(value(s, net, corrected));
        std::printf(" %+9.2f", snr::log_log_slope(o.ks, y));
      }
    std::printf("   (least-squares d log SNR / d log k)\n");
  }
}

// <name>.svg: the measured values, and the noise floor sqrt(2 / (pi draws)) of the encoder's ratios.
void write_chart(const std::string& name, const std::string& title, std::int64_t draws, const Options& o,
                 const Table& t) {
  pictures::LineChart chart;
  chart.title = title, chart.x_label = "k (importance samples)", chart.y_label = "SNR = |E g| / std g";
  chart.log_x = chart.log_y = true;
  const char* colors[] = {"#1f77b4", "#2ca02c", "#d62728"};
  for (int net = 0; net < 2; ++net)
    for (std::size_t ei = 0; ei < 3; ++ei) {
      std::vector<double> y;
      for (const snr::Snr& s : t.at(estimators[ei])) y.push_back(value(s, net, false));
      chart.series.emplace_back(
          std::string(net == 0 ? "inference, " : "generative, ") + vae::estimator_name(estimators[ei]), colors[ei],
          o.ks, y, net == 1);
    }
  const double floor = std::sqrt(2.0 / (3.14159265358979 * static_cast<double>(draws)));
  chart.series.emplace_back("noise floor", "#999999", std::vector<double>{o.ks.front(), o.ks.back()},
                            std::vector<double>{floor, floor}, true);
  pictures::write_svg_line_chart(o.out + "/" + name + ".svg", chart);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    std::filesystem::create_directories(o.out);
    std::string csv = "model,estimator,network,k,snr,floor_removed\n";
    Table exact;
    snr::ExactProblem problem = snr::make_exact_problem();
    for (vae::Estimator e : estimators) {
      Generator gen(2018);  // the same noise for every estimator
      for (double k : o.ks)
        exact[e].push_back(snr::exact_snr(problem, static_cast<std::int64_t>(k), e, o.exact_draws, gen));
    }
    const std::string exact_title =
        "exact linear-Gaussian model (L = 5, D = 10), " + std::to_string(o.exact_draws) + " draws";
    report("snr_exact", exact_title, o, exact, csv);
    write_chart("snr_exact", exact_title, o.exact_draws, o, exact);
    if (o.data != "none" && std::filesystem::exists(o.data)) {
      const nn::TrainTest data = nn::load_mnist_like(o.data);
      Generator gen(7);
      const vae::VAE model = snr::partly_trained(data, o.train_steps, gen);
      nn::BatchIterator test(data.test, {.batch_size = o.batch, .shuffle = false, .binarize = nn::Binarize::dynamic},
                             gen);
      Tensor x;
      test.next(x);  // the fixed minibatch: the first `batch` test images, binarised once
      Table fmnist;
      for (vae::Estimator e : estimators) {
        Generator noise(2019);
        for (double k : o.ks)
          fmnist[e].push_back(snr::vae_snr(model, x, static_cast<std::int64_t>(k), e, o.vae_draws, noise));
      }
      const std::string title = "Fashion-MNIST, IWAE-paper VAE after " + std::to_string(o.train_steps) +
                                " steps, minibatch of " + std::to_string(o.batch) + ", " + std::to_string(o.vae_draws) +
                                " draws";
      report("snr_fmnist", title, o, fmnist, csv);
      write_chart("snr_fmnist", title, o.vae_draws, o, fmnist);
    }
    nn::io::write_file_atomic(o.out + "/snr.csv", {reinterpret_cast<const std::uint8_t*>(csv.data()), csv.size()});
    std::printf("\nwrote snr.csv and the SVG plots to %s\n", o.out.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "snr_k: error: %s\n", e.what());
    return 1;
  }
}
