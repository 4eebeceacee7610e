// SPDX-License-Identifier: GPL-2.0-or-later
#include "faults.hpp"

namespace collector {
namespace {

metrics::Result<Fault> parse_fault(const nlohmann::json& entry, size_t index) {
  auto fail = [index](const std::string& why) {
    return metrics::Error{metrics::ErrorCode::kTestCollectorFailure,
                          "queue[" + std::to_string(index) + "]: " + why};
  };
  if (!entry.is_object()) return fail("not an object");
  auto is_true = [&entry](const char* key) {
    auto it = entry.find(key);
    return it != entry.end() && it->is_boolean() && it->get<bool>();
  };
  Fault fault;
  int kinds = 0;
  if (auto it = entry.find("status"); it != entry.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 100 || it->get<int64_t>() > 599) {
      return fail("status must be an integer in 100..599");
    }
    fault.kind = Fault::Kind::kStatus;
    fault.status = it->get<unsigned>();
    if (auto ra = entry.find("retry_after"); ra != entry.end()) {
      if (!ra->is_number_integer() || ra->get<int64_t>() < 0) {
        return fail("retry_after must be a non-negative integer (seconds)");
      }
      fault.retry_after_s = ra->get<int64_t>();
    }
    ++kinds;
  }
  if (auto it = entry.find("delay_ms"); it != entry.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      return fail("delay_ms must be a non-negative integer");
    }
    fault.kind = Fault::Kind::kDelay;
    fault.delay_ms = it->get<int64_t>();
    ++kinds;
  }
  if (is_true("hang")) {
    fault.kind = Fault::Kind::kHang;
    ++kinds;
  }
  if (is_true("close")) {
    fault.kind = Fault::Kind::kClose;
    ++kinds;
  }
  if (is_true("malformed")) {
    fault.kind = Fault::Kind::kMalformed;
    ++kinds;
  }
  if (is_true("garbage")) {
    fault.kind = Fault::Kind::kGarbage;
    ++kinds;
  }
  if (kinds != 1) {
    return fail("needs exactly one of status, delay_ms, hang, close, malformed, garbage");
  }
  if (fault.kind != Fault::Kind::kStatus && entry.contains("retry_after")) {
    return fail("retry_after only goes with status");
  }
  return fault;
}

}  // namespace

const char* fault_name(Fault::Kind kind) {
  switch (kind) {
    case Fault::Kind::kStatus:
      return "status";
    case Fault::Kind::kDelay:
      return "delay";
    case Fault::Kind::kHang:
      return "hang";
    case Fault::Kind::kClose:
      return "close";
    case Fault::Kind::kMalformed:
      return "malformed";
    case Fault::Kind::kGarbage:
      return "garbage";
  }
  return "unknown";
}

metrics::Result<std::deque<Fault>> parse_fault_queue(const nlohmann::json& document) {
  if (!document.is_object())
    return metrics::Error{metrics::ErrorCode::kTestCollectorFailure, "body must be a JSON object"};
  auto queue = document.find("queue");
  if (queue == document.end() || !queue->is_array()) {
    return metrics::Error{metrics::ErrorCode::kTestCollectorFailure,
                          "body needs a \"queue\" array"};
  }
  std::deque<Fault> faults;
  for (size_t i = 0; i < queue->size(); ++i) {
    auto fault = parse_fault((*queue)[i], i);
    if (!fault) return fault.error();
    faults.push_back(fault.value());
  }
  return faults;
}

metrics::Result<Rules> parse_rules(const nlohmann::json& document) {
  auto fail = [](const std::string& why) {
    return metrics::Error{metrics::ErrorCode::kTestCollectorFailure, why};
  };
  if (!document.is_object()) return fail("body must be a JSON object");
  Rules rules;
  if (auto it = document.find("path_status"); it != document.end()) {
    if (!it->is_array()) return fail("path_status must be an array");
    for (const auto& entry : *it) {
      auto prefix = entry.find("prefix");
      auto status = entry.find("status");
      if (!entry.is_object() || prefix == entry.end() || !prefix->is_string() ||
          status == entry.end() || !status->is_number_integer() || status->get<int64_t>() < 100 ||
          status->get<int64_t>() > 599) {
        return fail(R"(path_status entries are {"prefix": string, "status": 100..599})");
      }
      rules.path_status.push_back({prefix->get<std::string>(), status->get<unsigned>()});
    }
  }
  if (auto it = document.find("max_body_bytes"); it != document.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0)
      return fail("max_body_bytes must be a non-negative integer");
    rules.max_body_bytes = it->get<uint64_t>();
  }
  return rules;
}

}  // namespace collector
