// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry_json.hpp"

#include <functional>
#include <set>

#include "glib_handles.hpp"

namespace metrics::registry {

namespace {

using Event = nlohmann::json::parse_event_t;

// Thrown by the finder to stop the parser at a limit; parse_json turns it into an Error.
struct LimitExceeded {
  Error error;
};

// Follows the parser through nested objects and arrays, so a duplicate key can be
// reported with the path to it, and stops it at the first limit it passes.
class DuplicateKeyFinder {
 public:
  DuplicateKeyFinder(std::vector<JsonPath>& found, const JsonLimits& limits)
      : found_(found), limits_(limits) {}

  bool operator()(int /*depth*/, Event event, nlohmann::json& parsed) {
    switch (event) {
      case Event::object_start:
        push(false);
        break;
      case Event::array_start:
        push(true);
        break;
      case Event::key:
        if (!stack_.empty()) {
          Frame& frame = stack_.back();
          frame.key = parsed.get<std::string>();
          if (!frame.keys.insert(frame.key).second) found_.push_back(path());
          if (frame.keys.size() > limits_.max_members)
            too_many("more than " + std::to_string(limits_.max_members) + " members");
        }
        break;
      case Event::object_end:
      case Event::array_end:
        if (!stack_.empty()) stack_.pop_back();
        value_done();
        break;
      case Event::value:
        value_done();
        break;
    }
    return true;  // keep everything: this only watches
  }

  // Where the parser is: the member or element being read.
  JsonPath path() const {
    JsonPath out;
    for (const Frame& frame : stack_)
      out.push_back(frame.array ? JsonStep{{}, frame.index} : JsonStep{frame.key, std::nullopt});
    return out;
  }

 private:
  struct Frame {
    bool array;
    size_t index;     // position of the element being read, in an array
    std::string key;  // key of the member being read, in an object
    std::set<std::string> keys;
  };

  void push(bool array) {
    if (stack_.size() >= limits_.max_depth)
      throw LimitExceeded{{ErrorCode::kTooDeep, "arrays and objects are nested more than " +
                                                    std::to_string(limits_.max_depth) + " deep"}};
    stack_.push_back(Frame{array, 0, {}, {}});
  }

  void value_done() {
    if (stack_.empty() || !stack_.back().array) return;
    if (++stack_.back().index > limits_.max_members)
      too_many("more than " + std::to_string(limits_.max_members) + " elements");
  }

  // The container being read has one member too many: the error is reported at it.
  [[noreturn]] void too_many(const std::string& what) {
    stack_.pop_back();
    throw LimitExceeded{{ErrorCode::kTooManyMembers, "has " + what}};
  }

  std::vector<JsonPath>& found_;
  const JsonLimits& limits_;
  std::vector<Frame> stack_;
};

// e.what() without its "[json.exception.parse_error.N] " prefix, which means nothing to an
// author, as valid UTF-8 (the parser quotes the bytes it stopped at).
std::string reason(const nlohmann::json::exception& e) {
  std::string_view what = e.what();
  if (auto end = what.find("] "); what.starts_with("[json.exception") && end != what.npos)
    what.remove_prefix(end + 2);
  GCharPtr valid(g_utf8_make_valid(what.data(), static_cast<gssize>(what.size())));
  return valid.get();
}

}  // namespace

Result<ParsedJson> parse_json(std::string_view text, const JsonLimits& limits, JsonPath* error_at) {
  ParsedJson out;
  DuplicateKeyFinder finder(out.duplicate_keys, limits);
  auto failed = [&](Error error) -> Result<ParsedJson> {
    if (error_at) *error_at = finder.path();
    return error;
  };
  try {
    out.value = nlohmann::json::parse(text.begin(), text.end(), std::ref(finder),
                                      /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const LimitExceeded& e) {
    return failed(e.error);
  } catch (const nlohmann::json::parse_error& e) {
    return failed(Error{ErrorCode::kInvalidJson, reason(e)});
  } catch (const nlohmann::json::exception& e) {
    // Not only parse_error: out_of_range for a number beyond double's range (1e400), and
    // whatever else the library has, is the file's fault too.
    return failed(Error{ErrorCode::kInvalidJsonValue, reason(e)});
  }
  return out;
}

}  // namespace metrics::registry
