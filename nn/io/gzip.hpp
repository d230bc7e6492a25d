// DEFLATE decoding (RFC 1951) and the gzip container around it (RFC 1952), plus whole-file byte I/O
// (read, read-and-gunzip-if-gzipped, atomic write) used by the IDX, npy/npz and PNG formats.
// Every malformed input throws std::runtime_error naming the input (`what`) and the byte offset. Decoding takes
// time linear in its input and output, and memory bounded by the output limit: sizes that a file claims are never
// trusted for allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tg::nn::io {

// Decoded output is never allowed to grow past this many bytes unless the caller says otherwise.
inline constexpr std::size_t default_max_output = std::size_t{1} << 30;  // 1 GiB

// The budget of a reader: the most decoded bytes it holds at once for `input_bytes` of compressed input,
// max_expansion times the input plus 1 MiB, and never more than `cap` (the caller's limit). Real files stay far
// below it (MNIST's gzip files expand 5 times, float weights not at all); a bomb is refused at the budget, not at
// 1 GiB. Peak memory while refusing is at most 1.5 times the budget (the buffer doubles up to it).
inline constexpr std::size_t max_expansion = 64;
inline constexpr std::size_t budget_slack = std::size_t{1} << 20;
std::size_t decode_budget(std::size_t input_bytes, std::size_t cap = default_max_output);
// The rule in words, for messages: "64 x 1000 input bytes + 1 MiB, at most 1073741824".
std::string describe_budget(std::size_t input_bytes, std::size_t cap);
// DEFLATE's largest expansion: a length-258 match costs at least 2 bits, so a byte of input gives at most 1032.
inline constexpr std::size_t max_deflate_ratio = 1032;

// Decodes one raw DEFLATE stream (no zlib or gzip wrapper), as stored in zip entries with method 8.
// `size_hint` is how many bytes the caller expects: a hint for the first allocation, capped by what the input size
// makes plausible, never an allocation the input can force. If `consumed` is given, it receives the number of input
// bytes the stream used (the rest of `data` is left alone); otherwise bytes after the final block are an error.
// Messages read "deflate: <what>: <why> at byte N", N counted from `offset` (where `data` starts in its file).
std::vector<std::uint8_t> inflate_raw(std::span<const std::uint8_t> data, const std::string& what,
                                      std::size_t max_output = default_max_output, std::size_t size_hint = 0,
                                      std::size_t* consumed = nullptr, std::size_t offset = 0);

// The first `n` bytes that a raw DEFLATE stream decodes to (fewer if it ends first), decoding no further: how a
// reader looks at an entry's header without decompressing the entry.
std::vector<std::uint8_t> inflate_prefix(std::span<const std::uint8_t> data, const std::string& what, std::size_t n,
                                         std::size_t offset = 0);

// Decodes a gzip file: one or more members, each with its header fields, CRC-32 and length checked; the output is
// held to decode_budget(data.size(), max_output). A back-reference reaches only into its own member's output.
// Zero bytes after the last member (padding) are ignored; any other trailing data is an error.
std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> data, const std::string& what,
                                 std::size_t max_output = default_max_output);

// True if `data` starts with the gzip magic bytes 1f 8b.
bool is_gzip(std::span<const std::uint8_t> data);

// The whole content of a regular file; a file larger than max_bytes is refused before anything is read.
std::vector<std::uint8_t> read_file_bytes(const std::string& path, std::size_t max_bytes = default_max_output);

// The content of a file, gunzipped first if it starts with the gzip magic (whatever its name). max_output bounds
// the file; what it decodes to is held to decode_budget(file size, max_output).
std::vector<std::uint8_t> read_file_maybe_gzip(const std::string& path, std::size_t max_output = default_max_output);

// Writes `bytes` to `path + ".tmp"`, then renames it over `path`, so readers never see a half-written file.
void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes);

}  // namespace tg::nn::io
