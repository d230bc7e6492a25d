// Writes the seed corpora of the fuzz targets: files made by our own writers (gzip members, IDX, .npy, .npz,
// checkpoints, command lines) and hand-made hostile files (the cases of tests/nn/io/test_hostile_files.cpp), plus
// three streams compressed by zlib so that fixed- and dynamic-Huffman blocks are reachable from the start.
// Usage: fuzz_seeds OUT_DIR  ->  OUT_DIR/{gzip,idx,npz,checkpoint,card,options}/<seed files>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/checkpoint.hpp"
#include "nn/io/gzip.hpp"
#include "nn/io/npy.hpp"
#include "nn/io/zip_testing.hpp"
#include "nn/mlp.hpp"

namespace fs = std::filesystem;
using tgtest::Bytes;

namespace {

constexpr std::uint8_t kFixedHuffman[] = {
    0x2b, 0xc9, 0x48, 0x55, 0x28, 0x49, 0x2c, 0x48, 0x55, 0x28, 0x4a, 0x4d, 0xce, 0x2f, 0x4a, 0x29,
    0x56, 0x48, 0x2d, 0x4b, 0x2d, 0xaa, 0x54, 0xc8, 0x2f, 0xb0, 0x56, 0x48, 0x4a, 0x4c, 0xce, 0x2e,
    0x4f, 0x2c, 0x4a, 0x51, 0x28, 0x2e, 0x4f, 0x4d, 0x2d, 0x28, 0x56, 0xc8, 0x2c, 0x51, 0xc8, 0xcf,
    0x4b, 0x4e, 0x55, 0xc8, 0xcc, 0x03, 0x2a, 0x06, 0xaa, 0x2a, 0x4e, 0xd5, 0x01, 0x0b, 0x00, 0x00,
};
constexpr std::uint8_t kDynamicHuffman[] = {
    0x8d, 0x93, 0x5b, 0x0a, 0xc3, 0x20, 0x10, 0x45, 0xff, 0xb3, 0x8a, 0x59, 0x40, 0x3f, 0x7c, 0x8c, 0x1a, 0xbb, 0x9b,
    0xd2, 0x48, 0x1b, 0x08, 0x49, 0x48, 0xb3, 0x7f, 0x4a, 0xc9, 0x08, 0x82, 0xca, 0xed, 0xff, 0xc1, 0xc7, 0x39, 0x33,
    0xcb, 0xbc, 0x26, 0x52, 0x77, 0x3a, 0xdf, 0x89, 0xce, 0xc7, 0x9e, 0xe8, 0x48, 0xcf, 0xed, 0x98, 0x3e, 0xb4, 0xed,
    0xa4, 0x6e, 0xf4, 0x3a, 0x1e, 0xd3, 0x9c, 0xd6, 0x93, 0xd4, 0xb0, 0xfc, 0x48, 0xdd, 0x26, 0x75, 0x41, 0xea, 0x8b,
    0xe4, 0x36, 0x69, 0x0a, 0xd2, 0x5c, 0x64, 0x6c, 0x93, 0xb6, 0x20, 0xad, 0xdc, 0xee, 0xdb, 0x28, 0x17, 0x28, 0x5f,
    0xa8, 0x71, 0x6d, 0xd4, 0x15, 0xa8, 0xbb, 0x50, 0xdb, 0x39, 0xd5, 0x17, 0xa8, 0x97, 0x4f, 0x75, 0xde, 0x1a, 0x6a,
    0x53, 0xbe, 0x23, 0x60, 0xac, 0x55, 0x8d, 0x1d, 0xab, 0xb1, 0x76, 0x65, 0x3b, 0xfe, 0x55, 0x2d, 0xcb, 0x30, 0xae,
    0x2a, 0xb2, 0x38, 0xe0, 0xac, 0x22, 0x2b, 0x18, 0xdc, 0x55, 0x64, 0x19, 0xdc, 0x55, 0x5c, 0x59, 0x8d, 0xbb, 0x8a,
    0x2b, 0x6f, 0x70, 0xd7, 0x3c, 0x57, 0x0e, 0x77, 0x15, 0x57, 0xd6, 0xe2, 0xae, 0xe2, 0x2a, 0x28, 0xdc, 0x55, 0x5c,
    0x69, 0x83, 0xbb, 0x8a, 0x2b, 0xf7, 0x4f, 0x58, 0xb1, 0x15, 0x3d, 0x0e, 0x9b, 0x97, 0x90, 0x71, 0xd8, 0x6c, 0x4b,
    0xe3, 0xb0, 0x62, 0x8b, 0x2d, 0x2e, 0x2b, 0xb6, 0x22, 0xe3, 0xb2, 0x62, 0xcb, 0x29, 0x5c, 0x56, 0x6c, 0x8d, 0x38,
    0x6c, 0xde, 0x42, 0x87, 0xc3, 0xea, 0xe1, 0x0b,
};
// numpy.save of (arange(24, float32).reshape(4, 6) % 5) * 0.25: 224 bytes, CRC-32 0x6340c7f1, deflated by zlib
constexpr std::uint8_t kNumpyDeflated[] = {
    0x9b, 0xec, 0x17, 0xea, 0x1b, 0x10, 0xc9, 0xc8, 0x50, 0xc6, 0x50, 0xad, 0x9e, 0x92, 0x5a, 0x9c, 0x5c, 0xa4,
    0x6e, 0xa5, 0xa0, 0x6e, 0x93, 0x66, 0xa2, 0xae, 0xa3, 0xa0, 0x9e, 0x96, 0x5f, 0x54, 0x52, 0x94, 0x98, 0x17,
    0x9f, 0x5f, 0x94, 0x92, 0x0a, 0x12, 0x77, 0x4b, 0xcc, 0x29, 0x4e, 0x05, 0x8a, 0x17, 0x67, 0x24, 0x16, 0xa4,
    0x02, 0xf9, 0x1a, 0x26, 0x3a, 0x0a, 0x66, 0x9a, 0x3a, 0x0a, 0xb5, 0x0a, 0x64, 0x03, 0x2e, 0x06, 0x30, 0x68,
    0xb0, 0x03, 0x12, 0xf6, 0x0c, 0x0c, 0x0e, 0x40, 0xdc, 0x60, 0x4f, 0x4d, 0x31, 0x00,
};

fs::path g_dir;

void seed(const std::string& target, const std::string& name, const Bytes& bytes) {
  fs::create_directories(g_dir / target);
  tg::nn::io::write_file_atomic((g_dir / target / name).string(), bytes);
}

Bytes with_prefix(std::uint8_t first, const Bytes& rest) {
  Bytes b = {first};
  b.insert(b.end(), rest.begin(), rest.end());
  return b;
}

Bytes text(int lines) {
  std::string s;
  for (int i = 0; i < lines; ++i) s += "epoch " + std::to_string(i) + ": elbo -" + std::to_string(90 + i % 7) + "\n";
  return Bytes(s.begin(), s.end());
}

// A gzip member around a raw DEFLATE stream of `size` bytes with CRC-32 `crc`.
Bytes gzip_around(const Bytes& deflated, std::uint32_t crc, std::uint32_t size) {
  Bytes m = {0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3, 'a', '.', 't', 'x', 't', 0};  // FNAME "a.txt"
  m.insert(m.end(), deflated.begin(), deflated.end());
  tgtest::put_le(m, crc, 4);
  tgtest::put_le(m, size, 4);
  return m;
}

void gzip_seeds() {
  const Bytes fixed(std::begin(kFixedHuffman), std::end(kFixedHuffman));
  const Bytes dynamic(std::begin(kDynamicHuffman), std::end(kDynamicHuffman));
  seed("gzip", "raw_fixed", with_prefix(0, fixed));
  seed("gzip", "raw_dynamic", with_prefix(0, dynamic));
  const Bytes decoded = tg::nn::io::inflate_raw(dynamic, "seed");
  seed("gzip", "gz_dynamic", with_prefix(1, gzip_around(dynamic, tg::nn::io::crc32(decoded), decoded.size())));
  seed("gzip", "gz_stored", with_prefix(1, tgtest::gzip_member(text(40))));
  Bytes members;
  for (int i = 0; i < 50; ++i) {
    const Bytes m = tgtest::gzip_member(text(i % 3));
    members.insert(members.end(), m.begin(), m.end());
  }
  seed("gzip", "gz_members", with_prefix(1, members));
  Bytes claim = tgtest::gzip_member(text(20));  // ISIZE claims 4 GiB
  tgtest::set_le(claim, claim.size() - 4, 0xFFFFFFFFu, 4);
  seed("gzip", "gz_claims_4g", with_prefix(1, claim));
  Bytes padded = tgtest::gzip_member(text(2));
  padded.resize(padded.size() + 16, 0);
  seed("gzip", "gz_padded", with_prefix(1, padded));
  seed("gzip", "raw_far_distance", with_prefix(0, {0x63, 0x00, 0x02, 0x00}));  // distance before the start
}

Bytes idx(const std::vector<std::uint32_t>& dims, std::size_t count) {
  Bytes b = {0, 0, 8, static_cast<std::uint8_t>(dims.size())};
  for (std::uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
  for (std::size_t i = 0; i < count; ++i) b.push_back(static_cast<std::uint8_t>(i * 37));
  return b;
}

void idx_seeds() {
  seed("idx", "images", idx({3, 4, 4}, 48));
  seed("idx", "labels", idx({5}, 5));
  seed("idx", "images_gz", tgtest::gzip_member(idx({2, 3, 3}, 18)));
  seed("idx", "empty_huge_dims", idx({0, 0xFFFFFFFFu, 0xFFFFFFFFu}, 0));
  seed("idx", "truncated", idx({2, 2, 2}, 5));
  seed("idx", "four_dims", idx({1, 2, 2, 2}, 8));
}

void npz_seeds() {
  namespace io = tg::nn::io;
  const std::vector<float> w = {1, 2, 3, 4, 5, 6};
  const std::vector<std::int64_t> step = {12};
  const std::vector<std::uint8_t> u = {0, 255, 7};
  const io::NamedArrays arrays = {{"w", io::npy_from(std::span(w), {2, 3})},
                                  {"step", io::npy_from(std::span(step), {})},
                                  {"u", io::npy_from(std::span(u), {3, 1})}};
  seed("npz", "stored", io::encode_npz(arrays));
  seed("npz", "npy_f4", io::encode_npy(arrays[0].second));
  seed("npz", "deflated_stored_blocks", tgtest::zip_bytes({tgtest::npy_entry("w.npy", arrays[0].second, 8)}));
  const Bytes numpy(std::begin(kNumpyDeflated), std::end(kNumpyDeflated));
  seed("npz", "numpy_deflated", tgtest::zip_bytes({{"a.npy", numpy, 224, 0x6340c7f1u, 8}}));
  std::vector<tgtest::ZipEntry> alias;
  for (const char* name : {"a.npy", "b.npy", "c.npy"}) {
    tgtest::ZipEntry e = tgtest::npy_entry(name, arrays[0].second, 8);
    e.local_offset = 0;
    alias.push_back(e);
  }
  seed("npz", "aliased_entries", tgtest::zip_bytes(alias));
  seed("npz", "duplicate_names",
       tgtest::zip_bytes({tgtest::npy_entry("w.npy", arrays[0].second), tgtest::npy_entry("w.npy", arrays[2].second)}));
  tgtest::ZipEntry huge = tgtest::npy_entry("w.npy", arrays[0].second, 8);
  huge.size = 0xFFFFFFFFu;
  seed("npz", "declares_4g", tgtest::zip_bytes({huge}));
}

void checkpoint_seeds() {
  // The fuzz target's own model and optimiser, so that a seed loads.
  tg::Generator gen(1);
  tg::nn::MLP model({4, 3, 2}, "tanh", gen);
  tg::nn::Adam adam(model.named_parameters(), {});
  const std::string tmp = (g_dir / "checkpoint.tmp.npz").string();
  tg::nn::save_checkpoint(tmp, model, &adam,
                          {.epoch = 2, .step = 7, .rngs = {{"data", gen.state()}}, .meta = {{"k", 5}}});
  const Bytes good = tg::nn::io::read_file_bytes(tmp);
  seed("checkpoint", "adam", good);
  tg::nn::save_checkpoint(tmp, model, nullptr, {});
  seed("checkpoint", "no_optimiser", tg::nn::io::read_file_bytes(tmp));
  fs::remove(tmp);
  tg::nn::io::NamedArrays arrays = tg::nn::io::decode_npz(good, "seed");
  for (auto& [name, a] : arrays)
    if (name == "optim.step") tgtest::set_le(a.bytes, 0, static_cast<std::uint64_t>(-1), 8);
  seed("checkpoint", "negative_step", tg::nn::io::encode_npz(arrays));
}

// A VAE's names (encoder.I, decoder.I) with a card as text entries, written without tg::vae: 4-3-2 tanh, Bernoulli.
struct CardModel : tg::nn::Module {
  explicit CardModel(tg::Generator& gen) {
    register_module("encoder", std::make_shared<tg::nn::MLP>(std::vector<std::int64_t>{4, 3, 4}, "tanh", gen));
    register_module("decoder", std::make_shared<tg::nn::MLP>(std::vector<std::int64_t>{2, 3, 4}, "tanh", gen));
  }
};

void card_seeds() {
  tg::Generator gen(1);
  CardModel model(gen);
  const std::string tmp = (g_dir / "card.tmp.npz").string();
  auto card = [&](const std::string& name, const std::string& key, const std::string& value) {
    tg::nn::TrainState s;
    s.text = {{"format", "tapegrad-vae 1"}, {"arch.data_dim", "4"},         {"arch.hidden", "3"},
              {"arch.latent", "2"},         {"arch.activation", "tanh"},    {"arch.likelihood", "bernoulli"},
              {"arch.init", "glorot"},      {"arch.posterior", "gaussian"}, {"arch.coupling_layers", "4"},
              {"dtype", "float32"},         {"data.binarisation", "fixed"}, {"command_line", ""}};
    for (auto& [k, v] : s.text)
      if (k == key) v = value;
    tg::nn::save_checkpoint(tmp, model, nullptr, s);
    seed("card", name, tg::nn::io::read_file_bytes(tmp));
  };
  card("good", "", "");
  card("hidden_200000", "arch.hidden", "200000");
  card("coupling", "arch.posterior", "coupling");
  card("float64", "dtype", "float64");
  fs::remove(tmp);
}

void options_seeds() {
  auto line = [](std::initializer_list<const char*> args) {
    Bytes b;
    for (const char* a : args) {
      if (!b.empty()) b.push_back(0);
      b.insert(b.end(), a, a + std::char_traits<char>::length(a));
    }
    return b;
  };
  seed("options", "iwae", line({"--model", "iwae", "--k", "50", "--arch", "iwae-paper", "--epochs", "3"}));
  seed("options", "sizes", line({"--latent", "2", "--hidden", "32,16", "--activation", "relu", "--lr", "3e-4"}));
  seed("options", "numbers", line({"--seed", "18446744073709551615", "--threads", "2147483648", "--batch", "-1"}));
  seed("options", "resume", line({"--resume", "ck.npz", "--out", "o", "--data", "shapes", "--eval-k", "10"}));
  seed("options", "help", line({"--help"}));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR\n");
    return 2;
  }
  g_dir = argv[1];
  gzip_seeds();
  idx_seeds();
  npz_seeds();
  checkpoint_seeds();
  card_seeds();
  options_seeds();
  return 0;
}
