// PNG writer (https://www.w3.org/TR/png/) for 8-bit grayscale and RGB images: one IHDR, IDAT chunks holding a
// zlib stream of stored (uncompressed) deflate blocks, IEND. Every row uses filter type 0 (none).
// Simple and exact: a viewer shows the bytes you passed, and a test can check them without a PNG library.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tg::pictures {

// `pixels` is row-major, height rows of width bytes (gray) or width * 3 bytes (RGB, r g b per pixel).
std::vector<std::uint8_t> encode_png_gray(int width, int height, std::span<const std::uint8_t> pixels);
std::vector<std::uint8_t> encode_png_rgb(int width, int height, std::span<const std::uint8_t> pixels);

// Write the PNG to `path + ".tmp"`, then rename it over `path`.
void write_png_gray(const std::string& path, int width, int height, std::span<const std::uint8_t> pixels);
void write_png_rgb(const std::string& path, int width, int height, std::span<const std::uint8_t> pixels);

}  // namespace tg::pictures
