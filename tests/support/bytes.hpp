// File contents in the tests (tgtest::Bytes), and how Catch2 prints them when a check on them fails: the size, a
// hash and the first 16 bytes, not every byte. Printed whole, two checkpoints of 1.8 MB that differ had not been
// formatted after eight minutes, so that a bug in --resume would have been reported only at CTest's timeout.
#pragma once
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace tgtest {
using Bytes = std::vector<std::uint8_t>;
}  // namespace tgtest

namespace Catch {
template <>
struct StringMaker<std::vector<std::uint8_t>> {
  static std::string convert(const std::vector<std::uint8_t>& bytes) {
    std::uint64_t hash = 14695981039346656037ull;  // FNV-1a: two files that differ print different hashes
    for (const std::uint8_t b : bytes) hash = (hash ^ b) * 1099511628211ull;
    char text[64];
    std::snprintf(text, sizeof text, " bytes (FNV-1a %016llx) {", static_cast<unsigned long long>(hash));
    std::string s = std::to_string(bytes.size()) + text;
    for (std::size_t i = 0; i < bytes.size() && i < 16; ++i) {
      std::snprintf(text, sizeof text, " %02x", bytes[i]);
      s += text;
    }
    return s + (bytes.size() > 16 ? " ... }" : " }");
  }
};
}  // namespace Catch
