// SPDX-License-Identifier: GPL-2.0-or-later
#include "upload.hpp"

#include <array>

#include "gzip.hpp"
#include "soup_handles.hpp"

namespace collector {
namespace {

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

nlohmann::ordered_json payload_json(const metrics::GVariantPtr& payload) {
  if (!payload) return nullptr;
  metrics::GCharPtr text(g_variant_print(payload.get(), TRUE));
  return std::string(text.get());
}

}  // namespace

std::optional<std::string> upload_sha512(std::string_view path) {
  size_t last = path.rfind('/');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  std::string_view sha = path.substr(last + 1);
  size_t before = path.rfind('/', last - 1);
  if (before == std::string_view::npos) return std::nullopt;
  std::string_view version = path.substr(before + 1, last - before - 1);
  if (version != "3" || sha.size() != 128 || !is_lower_hex(sha)) return std::nullopt;
  return std::string(sha);
}

Verdict check_upload(std::string_view url_sha512, const char* encoding_header,
                     std::span<const uint8_t> compressed) {
  Verdict verdict;
  if (encoding_header == nullptr) {
    verdict.rejection = {400, "missing X-Endless-Content-Encoding header"};
    return verdict;
  }
  if (std::string_view(encoding_header) != "gzip") {
    verdict.rejection = {400,
                         "unknown X-Endless-Content-Encoding: " + std::string(encoding_header)};
    return verdict;
  }
  if (compressed.size() > kMaxCompressedBytes) {
    verdict.rejection = {413, "body of " + std::to_string(compressed.size()) +
                                  " bytes is over the limit of " +
                                  std::to_string(kMaxCompressedBytes)};
    return verdict;
  }
  if (compressed.empty()) {
    verdict.rejection = {400, "empty body"};
    return verdict;
  }
  auto body = metrics::gunzip(compressed, kMaxUncompressedBytes);
  if (!body) {
    verdict.rejection = {body.error().code == "TooLarge" ? 413u : 400u, body.error().message};
    return verdict;
  }
  std::string actual = metrics::wire::sha512_hex(body.value());
  if (actual != url_sha512) {
    verdict.rejection = {400, "SHA-512 mismatch: body has " + actual};
    return verdict;
  }
  auto request = metrics::wire::decode(body.value());
  if (!request) {
    verdict.rejection = {400, "cannot decode body: " + request.error().message};
    return verdict;
  }
  verdict.accepted = Accepted{std::string(url_sha512), compressed.size(), std::move(body.value()),
                              std::move(request.value())};
  return verdict;
}

nlohmann::ordered_json request_to_json(const metrics::wire::Request& request) {
  nlohmann::ordered_json labels = nlohmann::ordered_json::array();
  for (const auto& [key, value] : request.site_labels) {
    labels.push_back({key, value});
  }
  nlohmann::ordered_json singulars = nlohmann::ordered_json::array();
  for (const auto& event : request.singulars) {
    nlohmann::ordered_json e;
    e["uuid"] = event.event_id.to_string();
    e["os_version"] = event.os_version;
    e["relative_timestamp"] = event.relative_ns;
    e["payload"] = payload_json(event.payload);
    singulars.push_back(std::move(e));
  }
  nlohmann::ordered_json aggregates = nlohmann::ordered_json::array();
  for (const auto& event : request.aggregates) {
    nlohmann::ordered_json e;
    e["uuid"] = event.event_id.to_string();
    e["os_version"] = event.os_version;
    e["period"] = event.period;
    e["count"] = event.count;
    e["payload"] = payload_json(event.payload);
    aggregates.push_back(std::move(e));
  }
  nlohmann::ordered_json j;
  j["relative_timestamp"] = request.relative_ns;
  j["absolute_timestamp"] = request.absolute_ns;
  j["image_id"] = request.image_id;
  j["site_labels"] = std::move(labels);
  j["boot_flags"] = request.boot_flags;
  j["dual_boot"] = (request.boot_flags & 1) != 0;
  j["live_boot"] = (request.boot_flags & 2) != 0;
  j["singulars"] = std::move(singulars);
  j["aggregates"] = std::move(aggregates);
  return j;
}

}  // namespace collector
