// What train_vae shows a reader: examples/README.md lists its flags as `train_vae --help` prints them (compared line
// by line, so a new flag cannot be missing from the README, or a removed one stay), and the report it writes (one
// log p(x) curve per number of importance samples, markers, epoch ticks, pictures scaled up).
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// The lines of text that begin with "  --": one flag each.
std::vector<std::string> flag_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("  --", 0) == 0) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("examples/README.md lists exactly the flags that train_vae --help prints", "[examples][train_vae][docs]") {
  const fs::path exe = (fs::read_symlink("/proc/self/exe").parent_path() / ".." / "examples" / "train_vae");
  if (!fs::exists(exe)) FAIL("train_vae not found at " << exe.lexically_normal().string() << "; build it first");
  FILE* pipe = popen(("'" + exe.string() + "' --help 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string help;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;) help.append(buf.data(), n);
  const int status = pclose(pipe);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::ifstream readme(fs::path(TG_SOURCE_DIR) / "examples" / "README.md");
  std::ostringstream text;
  text << readme.rdbuf();
  const std::vector<std::string> printed = flag_lines(help), listed = flag_lines(text.str());
  REQUIRE(printed.size() > 10);
  for (std::size_t i = 0; i < std::max(printed.size(), listed.size()); ++i) {
    INFO("flag line " << i + 1);
    CHECK((i < listed.size() ? listed[i] : "(missing from examples/README.md)") ==
          (i < printed.size() ? printed[i] : "(not printed by train_vae --help)"));
  }
}

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("train_vae's report: one log p(x) column and curve per k, markers, epoch ticks, pictures scaled up",
          "[examples][train_vae]") {
  const fs::path exe = (fs::read_symlink("/proc/self/exe").parent_path() / ".." / "examples" / "train_vae");
  if (!fs::exists(exe)) FAIL("train_vae not found at " << exe.lexically_normal().string() << "; build it first");
  const fs::path out = fs::temp_directory_path() / "tapegrad_test_train_vae_report";
  fs::remove_all(out);
  const std::string cmd = "'" + exe.string() +
                          "' --train-n 200 --eval-n 20 --eval-k 30 --eval-k-epoch 7 --batch 50 --latent 2 "
                          "--hidden 16 --epochs 2 --out '" +
                          out.string() + "' > /dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string csv = read_file(out / "metrics.csv"), svg = read_file(out / "curves.svg"),
                    html = read_file(out / "index.html");
  INFO(csv);
  // epoch 1 is estimated with --eval-k-epoch 7, the last epoch with --eval-k 30: two columns, two curves
  CHECK(csv.rfind("epoch,train_bound,test_elbo,test_iwae_k5,test_log_px_k7,test_log_px_k30,kl,", 0) == 0);
  std::istringstream rows(csv);
  std::string header, row1, row2;
  std::getline(rows, header), std::getline(rows, row1), std::getline(rows, row2);
  CHECK(count(row1, ",,") == 1);  // epoch 1: k = 7 filled, k = 30 empty
  CHECK(count(row2, ",,") == 1);  // epoch 2: the other way round
  CHECK(count(row1, ",") == count(header, ","));
  CHECK(count(svg, "test log p(x), k = 7") == 1);
  CHECK(count(svg, "test log p(x), k = 30") == 1);
  CHECK(count(svg, "<circle") == 3 * 2 + 1 + 1);      // train, ELBO, IWAE at both epochs; one point per log p(x) curve
  CHECK(svg.find(">1</text>") != std::string::npos);  // the epoch ticks are labelled
  CHECK(svg.find(">2</text>") != std::string::npos);
  // reconstructions.png is 16 images of 28 + 1 pixels wide: 465 pixels, shown at 2x
  CHECK(html.find("<img src=\"reconstructions.png\" width=\"930\" height=\"") != std::string::npos);
  CHECK(html.find("image-rendering:pixelated") != std::string::npos);
  fs::remove_all(out);
}
