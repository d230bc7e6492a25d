// .npy byte order and .npz headers read alone: big-endian arrays ('>f4', '>f8', '>i8', as numpy.dtype('>f4') writes
// them) are read with their bytes swapped to little-endian; NpzReader::header gives an entry's dtype and shape from
// its first bytes, without decoding the rest; a stored entry whose sizes disagree is named as such.
#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "nn/io/npy.hpp"
#include "nn/io/zip_testing.hpp"
#include "support/bytes.hpp"

using namespace tgtest;
using Catch::Matchers::Contains;

namespace {

// The .npy bytes of `a` as a big-endian writer would make them: descr '>..', each element's bytes reversed.
Bytes big_endian_npy(const tg::nn::io::NpyArray& a) {
  Bytes npy = tg::nn::io::encode_npy(a);
  const std::string text(npy.begin(), npy.end());
  npy[text.find("'<") + 1] = '>';
  const std::size_t item = tg::nn::io::dtype_size(a.dtype), start = npy.size() - a.bytes.size();
  for (std::size_t at = start; at < npy.size(); at += item)
    std::reverse(npy.begin() + static_cast<std::ptrdiff_t>(at), npy.begin() + static_cast<std::ptrdiff_t>(at + item));
  return npy;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("npy: big-endian float32, float64 and int64 arrays are read with their values", "[npy][io]") {
  const std::vector<float> f = {1.5f, -2.25f, 3e-38f, 65504.f};
  const std::vector<double> d = {1.0 / 3.0, -1e300, 0.0};
  const std::vector<std::int64_t> i = {1, -2, std::int64_t{1} << 40};
  const auto f_in = tg::nn::io::npy_from(std::span<const float>(f), {2, 2});
  const auto d_in = tg::nn::io::npy_from(std::span<const double>(d), {3});
  const auto i_in = tg::nn::io::npy_from(std::span<const std::int64_t>(i), {3});
  const Bytes f_be = big_endian_npy(f_in);
  CHECK(std::string(f_be.begin(), f_be.end()).find("'>f4'") != std::string::npos);
  CHECK(f_be != tg::nn::io::encode_npy(f_in));  // the bytes on disk differ...
  const tg::nn::io::NpyArray f_out = tg::nn::io::decode_npy(f_be, "be.npy");
  CHECK(f_out.dtype == "f4");
  CHECK(f_out.shape == std::vector<std::int64_t>{2, 2});
  CHECK(tg::nn::io::npy_as_f32(f_out, "f") == f);  // ...the values do not
  CHECK(tg::nn::io::npy_as_f64(tg::nn::io::decode_npy(big_endian_npy(d_in), "be8.npy"), "d") == d);
  CHECK(tg::nn::io::npy_as_i64(tg::nn::io::decode_npy(big_endian_npy(i_in), "bei.npy"), "i") == i);
  // Little-endian files are read as they are, and '|u1' has no byte order.
  CHECK(tg::nn::io::npy_as_f32(tg::nn::io::decode_npy(tg::nn::io::encode_npy(f_in), "le.npy"), "f") == f);
  // A byte order the format does not have is refused, naming the dtype.
  Bytes odd = tg::nn::io::encode_npy(f_in);
  odd[std::string(odd.begin(), odd.end()).find("'<") + 1] = '=';
  CHECK_THAT(message_of([&] { tg::nn::io::decode_npy(odd, "odd.npy"); }),
             Contains("npy: odd.npy: header: dtype '=f4' is not supported"));
}

TEST_CASE("npz: header(i) reads an entry's dtype and shape without decoding its data", "[npz][io]") {
  std::vector<float> v(100000, 0.5f);
  ZipEntry e = npy_entry("w.npy", tg::nn::io::npy_from(std::span<const float>(v), {250, 400}), 8);
  e.payload.resize(400);  // the deflate stream is cut after 400 bytes (of 400 KB): the header and a little data
  Bytes file = zip_bytes({e});
  const tg::nn::io::NpzReader zip(file, "cut.npz");
  const tg::nn::io::NpyArray h = zip.header(0);
  CHECK(h.dtype == "f4");
  CHECK(h.shape == std::vector<std::int64_t>{250, 400});
  CHECK(h.bytes.empty());
  CHECK_THAT(message_of([&] { zip.read(0); }), Contains("truncated"));
  // A header whose shape needs more than the entry declares is refused by header() already.
  ZipEntry small = npy_entry("s.npy", tg::nn::io::npy_from(std::span<const float>(v.data(), 8), {8}));
  const std::string t(small.payload.begin(), small.payload.end());
  const std::size_t at = t.find("(8,)");
  small.payload[at + 2] = '0';  // shape (80): 320 bytes of data in an entry that declares 160
  small.crc = tg::nn::io::crc32(small.payload);
  const Bytes liar = zip_bytes({small});
  CHECK_THAT(message_of([&] { tg::nn::io::NpzReader(liar, "liar.npz").header(0); }),
             Contains("npz: liar.npz: entry 's.npy': its header's shape needs more than the 160 bytes it declares"));
}

TEST_CASE(
    "npz: a stored entry whose sizes disagree, and a deflated one declaring more than DEFLATE can give, are "
    "named as such",
    "[npz][io][hostile]") {
  std::vector<float> v(16, 1.f);
  ZipEntry stored = npy_entry("a.npy", tg::nn::io::npy_from(std::span<const float>(v), {16}));
  stored.size += 1000;  // e.g. a bogus zip64 size: method 0, but 1000 bytes more declared than stored
  CHECK_THAT(message_of([&] { tg::nn::io::decode_npz(zip_bytes({stored}), "sizes.npz"); }),
             Contains("entry 'a.npy' is stored (method 0), but declares 1192 bytes and stores 192; a stored entry's "
                      "sizes are equal"));
  ZipEntry other = npy_entry("b.npy", tg::nn::io::npy_from(std::span<const float>(v), {16}));
  other.method = 12;  // bzip2
  CHECK_THAT(message_of([&] { tg::nn::io::decode_npz(zip_bytes({other}), "bz.npz"); }),
             Contains("compression method 12 is not supported (only 0, stored, and 8, deflated)"));
  ZipEntry bomb = npy_entry("c.npy", tg::nn::io::npy_from(std::span<const float>(v), {16}), 8);
  bomb.size = 1032 * (bomb.payload.size() + 1);
  CHECK_THAT(message_of([&] { tg::nn::io::NpzReader(zip_bytes({bomb}), "ratio.npz"); }),
             Contains("more than DEFLATE can expand them to (1032 times)"));
}

TEST_CASE("npz: the entries of an archive may declare at most its budget, 64 times its size plus 1 MiB",
          "[npz][io][hostile]") {
  std::vector<float> v(512, 1.f);
  ZipEntry e = npy_entry("a.npy", tg::nn::io::npy_from(std::span<const float>(v), {512}), 8);
  e.size = 2000000;  // from 2 KB: DEFLATE could (1032 x), the budget does not allow it
  const Bytes file = zip_bytes({e});
  CHECK(tg::nn::io::decode_budget(file.size()) < e.size);
  CHECK_THAT(message_of([&] { tg::nn::io::decode_npz(file, "budget.npz"); }),
             Contains("entry 'a.npy' declares 2000000 bytes, which brings the total past the budget of " +
                      std::to_string(tg::nn::io::decode_budget(file.size())) + " bytes"));
}
