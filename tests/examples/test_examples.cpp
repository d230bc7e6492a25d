// Runs every concept example of examples/ and checks a line of what it prints: the statement it demonstrates.
// The binaries are found next to this test's own build folder: <build>/tests/test_examples -> <build>/examples/<name>.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "examples/examples_testing.hpp"
#include "vae/io/checkpoint.hpp"

using namespace tgtest;

TEST_CASE("example chain_rule: every partial of tanh(w x + b)^2 by hand equals the tape's", "[examples][tape]") {
  const Run r = run_example("chain_rule");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "tape: 4 entries"));
  CHECK(has(r, "dy/dw   dy/du * x"));
  CHECK(has(r, "the tape agrees with the chain rule by hand to 1e-12"));
}

TEST_CASE("example custom_op: softsign passes gradcheck and the wrong backward fails it", "[examples][ops]") {
  const Run r = run_example("custom_op");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "softsign with the right backward: gradcheck PASSED"));
  CHECK(has(r, "softsign_wrong (backward forgets the square): gradcheck FAILED"));
  CHECK(has(r, "gradcheck: input 0 'x' (6,), element 0 [0]: analytic (backward) = "));  // the report is shown
}

TEST_CASE("example elbo_tape, see (elbo.5): the tape names mu, log_var, z and log_w and the gdb lines are printed",
          "[examples][elbo]") {
  const Run r = run_example("elbo_tape");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "named entries: mu #"));
  CHECK_FALSE(has(r, "missing"));
  for (const char* name : {" mu ", " log_var ", " z ", " log_w ", " loss "}) CHECK(has(r, name));
  CHECK(has(r, "(gdb) break tg::Tape::backward"));
  CHECK(has(r, "(gdb) break tg::vae::elbo_analytic"));
  CHECK(has(r, "(gdb) break vae/iwae.cpp:"));
}

TEST_CASE("example iwae_step: one IWAE step, then anomaly mode names the op that made the NaN and its line",
          "[examples][iwae]") {
  const Run r = run_example("iwae_step");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "iwae_step: L_3 = "));
  CHECK(has(r, "iwae_step: anomaly: forward of 'linear' (tape entry 8, tensor output of ('z', 'decoder.0.weight', "));
  CHECK(has(r, "the op was called at vae/model.cpp:"));
}

TEST_CASE("example jensen: E[log mean of k weights] rises with k toward log E[W]", "[examples][jensen]") {
  const Run r = run_example("jensen");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "L_k increases with k toward log E[W] = 0.5: yes"));
  const std::map<long, double> L = table(r, {1, 2, 5, 10, 100}, 1);
  REQUIRE(L.size() == 5);
  double previous = -1e300;
  for (const auto& [k, value] : L) {
    INFO("k = " << k);
    CHECK(value > previous);
    CHECK(value < 0.5);
    previous = value;
  }
}

TEST_CASE("example elbo_gap, see (gap.2): log p(x) = ELBO + KL for every q, to 1e-9", "[examples][gap]") {
  const Run r = run_example("elbo_gap");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "the numbers add up to 1e-9"));
  CHECK(has(r, "): yes"));
  CHECK(number_after(r, "largest |diff| ") <= 1e-9);
}

TEST_CASE("example iwae_k, see (iwae.4): the table of L_k increases with k and stays below log p(x)",
          "[examples][iwae]") {
  const Run r = run_example("iwae_k");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "the IWAE bound increases with k and stays below log p(x) (iwae.4): yes"));
  CHECK(has(r, "(iwae.3): yes"));
  const std::map<long, double> L = table(r, {1, 2, 5, 10, 20, 50, 200}, 1);
  REQUIRE(L.size() == 7);
  const double log_px = number_after(r, "exact: log p(x) = ");
  double previous = -1e300;
  for (const auto& [k, value] : L) {
    INFO("k = " << k);
    CHECK(value > previous);
    CHECK(value < log_px);
    previous = value;
  }
  CHECK(log_px - L.at(200) < 0.01);
}

TEST_CASE(
    "example joint_view, see (joint.3) and see (joint.4): log p(x, eps) = log w + log q(eps) and the averages agree",
    "[examples][joint]") {
  const Run r = run_example("joint_view");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "per sample: log p(x, eps) = log w + log q(eps) to 1e-12 (joint.3): yes"));
  CHECK(has(r, "ELBO - H(q(eps)) within 4 s.e. at every K (joint.4): yes"));
  CHECK(number_after(r, "H(q(eps)) = (d/2) log(2 pi e) = ") == Approx(2.837877).margin(1e-6));
}

TEST_CASE(
    "example gradient_variance, see (reparam.3) and see (reparam.4): both unbiased, the pathwise with less variance",
    "[examples][reparam]") {
  const Run r = run_example("gradient_variance");
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(has(r, "both estimators are unbiased (means within 4 s.e. of the exact gradient): yes"));
  CHECK(has(r, "the pathwise gradient has the lower variance for mu and for sigma: yes"));
  CHECK(number_after(r, "variance ratio score / pathwise: ") > 10.0);
}

TEST_CASE(
    "example snr_k: on the exact model the reparam encoder's SNR falls with k, dreg's does not, the decoder's rises",
    "[examples][estimators]") {
  const fs::path out = fs::temp_directory_path() / "tapegrad_test_snr_k";
  fs::remove_all(out);
  const Run r = run_example("snr_k", "--data none --exact-draws 1000 --k 1,10,100 --out '" + out.string() + "'");
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(has(r, "slope"));
  const std::map<long, double> reparam = table(r, {1, 10, 100}, 1), dreg = table(r, {1, 10, 100}, 3),
                               decoder = table(r, {1, 10, 100}, 4);
  REQUIRE(reparam.size() == 3);
  CHECK(reparam.at(100) < 0.5 * reparam.at(1));  // about 1 / sqrt(k): 0.33 -> 0.03 with many draws
  CHECK(dreg.at(100) > dreg.at(1));
  CHECK(decoder.at(100) > 3 * decoder.at(1));  // about sqrt(k)
  for (const char* f : {"snr.csv", "snr_exact.svg"}) CHECK(fs::exists(out / f));
  fs::remove_all(out);
}

TEST_CASE("the concept examples open with what they show and their docs page, and stay under 150 lines",
          "[examples][style]") {
  for (const char* name : {"chain_rule", "custom_op", "elbo_tape", "jensen", "elbo_gap", "iwae_k", "joint_view",
                           "gradient_variance", "iwae_step"}) {
    INFO("examples/" << name << ".cpp");
    std::ifstream in(fs::path(TG_SOURCE_DIR) / "examples" / (std::string(name) + ".cpp"));
    REQUIRE(in.good());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    REQUIRE(lines.size() >= 3);
    CHECK(lines.size() <= 150);
    CHECK(lines[0].rfind("// ", 0) == 0);
    CHECK((lines[0] + lines[1] + lines[2]).find("docs/") != std::string::npos);
  }
}

// ---- the main program ---------------------------------------------------------------------------------------------

TEST_CASE("train_vae: an unknown flag or a bad value prints what is wrong and the usage, and exits with 2",
          "[examples][train_vae]") {
  const Run unknown = run_example("train_vae", "--frobnicate 3");
  CHECK(unknown.status == 2);
  CHECK(has(unknown, "unknown flag '--frobnicate'"));
  CHECK(has(unknown, "usage: train_vae"));
  const Run bad = run_example("train_vae", "--k zero");
  CHECK(bad.status == 2);
  CHECK(has(bad, "--k: 'zero' is not a whole number"));
  CHECK(run_example("train_vae", "--model gan").status == 2);
  const Run dreg_elbo = run_example("train_vae", "--model vae --estimator dreg");
  CHECK(dreg_elbo.status == 2);
  CHECK(has(dreg_elbo, "--estimator dreg is for --model iwae"));
  CHECK(has(run_example("train_vae", "--estimator score"), "--estimator: 'score' is not one of reparam, stl, dreg"));
  CHECK(has(run_example("train_vae", "--arch iwae-paper-2 --posterior coupling"),
            "--posterior coupling is for one stochastic layer"));
  CHECK(has(run_example("train_vae", "--posterior coupling --estimator stl"),
            "--estimator stl needs one Gaussian stochastic layer"));
  CHECK(run_example("train_vae", "--help").status == 0);
}

TEST_CASE("train_vae: a short run writes metrics, pictures, index and checkpoint, and resumes from it",
          "[examples][train_vae][checkpoint]") {
  const fs::path out = fs::temp_directory_path() / "tapegrad_test_train_vae";
  fs::remove_all(out);
  const std::string common =
      "--train-n 600 --eval-n 40 --eval-k 50 --eval-k-epoch 10 --batch 50 --latent 2 "
      "--hidden 32 --out '" +
      out.string() + "'";
  const Run first = run_example("train_vae", common + " --epochs 1");
  INFO(first.out);
  REQUIRE(first.status == 0);
  for (const char* f : {"metrics.csv", "curves.svg", "index.html", "reconstructions.png", "samples.png", "manifold.png",
                        "checkpoint.npz"})
    CHECK(fs::exists(out / f));
  CHECK(has(first, "epoch 1/1: 12 batches"));  // one plain line per epoch when stderr is not a terminal
  CHECK(has(first, "final (test, shapes)"));
  const fs::path resumed = out / "resumed";
  const Run second = run_example("train_vae", common + " --epochs 2 --resume '" + (out / "checkpoint.npz").string() +
                                                  "' --out '" + resumed.string() + "'");
  INFO(second.out);
  REQUIRE(second.status == 0);
  CHECK(has(second, "epoch 2/2"));
  CHECK_FALSE(has(second, "epoch 1/2"));  // epoch 1 came from the checkpoint
  // The resumed run's metrics.csv holds epoch 1 (from the metrics.csv beside the checkpoint) and epoch 2.
  std::ifstream csv(resumed / "metrics.csv"), old_csv(out / "metrics.csv");
  std::string header, row, old_header, old_row;
  std::getline(csv, header);
  std::getline(old_csv, old_header);
  std::getline(old_csv, old_row);
  std::getline(csv, row);
  CHECK(row == old_row);
  CHECK(row.rfind("1,", 0) == 0);
  std::getline(csv, row);
  CHECK(row.rfind("2,", 0) == 0);
  fs::remove_all(out);
}

TEST_CASE("train_vae: the checkpoint describes its model; --save-weights writes it alone; --resume builds from it",
          "[examples][train_vae][checkpoint]") {
  const fs::path out = fs::temp_directory_path() / "tapegrad_test_train_vae_card";
  fs::remove_all(out);
  const std::string common = "--train-n 200 --eval-n 20 --eval-k 20 --eval-k-epoch 5 --batch 50 --binarize fixed ";
  const Run first = run_example("train_vae", common + "--epochs 1 --latent 3 --hidden 16,8 --activation relu --out '" +
                                                 out.string() + "' --save-weights '" + (out / "w.npz").string() + "'");
  INFO(first.out);
  REQUIRE(first.status == 0);
  for (const fs::path& f : {out / "checkpoint.npz", out / "w.npz"}) {
    const tg::vae::LoadedVae v = tg::vae::load_vae(f.string());
    CHECK(v.card.arch.hidden == std::vector<std::int64_t>{16, 8});
    CHECK(v.card.arch.latent == 3);
    CHECK(v.card.arch.activation == "relu");
    CHECK(v.card.arch.likelihood == "bernoulli");
    CHECK(v.card.binarisation == "fixed");
    CHECK_THAT(v.card.command_line, Catch::Matchers::Contains("--latent 3 --hidden 16,8 --activation relu"));
    CHECK_THAT(v.card.command_line, !Catch::Matchers::Contains("--out"));
    CHECK(v.state.epoch == 1);
  }
  // --resume takes the model from the card, whatever the flags say about sizes.
  const Run second = run_example("train_vae", common + "--epochs 2 --latent 5 --hidden 4 --out '" + out.string() +
                                                  "/r' --resume '" + (out / "checkpoint.npz").string() + "'");
  INFO(second.out);
  CHECK(second.status == 0);
  CHECK(has(second, "-16-8-3 relu"));
  // The card of the resumed run records the model it trained, not the flags' sizes.
  const tg::vae::ModelCard card = tg::vae::read_model_card((out / "r" / "checkpoint.npz").string());
  CHECK_THAT(card.command_line, Catch::Matchers::Contains("--latent 3 --hidden 16,8 --activation relu"));
  CHECK_THAT(card.command_line, !Catch::Matchers::Contains("--hidden 4"));
  fs::remove_all(out);
}

TEST_CASE(
    "train_vae: two stochastic layers, the coupling posterior and the dreg and stl estimators each train and report",
    "[examples][train_vae]") {
  const fs::path out = fs::temp_directory_path() / "tapegrad_test_train_vae_models";
  const std::string common = "--train-n 200 --eval-n 20 --eval-k 20 --eval-k-epoch 5 --batch 50 --epochs 1 ";
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"--arch iwae-paper-2", "784-200-200-[100]-100-100-[50] tanh"},
      {"--posterior coupling --latent 4 --hidden 32", "784-32-4 tanh, 4 coupling layers"},
      {"--estimator dreg --latent 4 --hidden 32", "dreg gradient"},
      {"--model vae --estimator stl --latent 4 --hidden 32", "stl gradient"}};
  for (const auto& [flags, shows] : runs) {
    fs::remove_all(out);
    const Run r = run_example("train_vae", common + flags + " --out '" + out.string() + "'");
    INFO(flags << "\n" << r.out);
    CHECK(r.status == 0);
    CHECK(has(r, shows));
    CHECK(has(r, "final (test, shapes)"));
    CHECK(fs::exists(out / "checkpoint.npz"));
  }
  fs::remove_all(out);
}
