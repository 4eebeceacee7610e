#include "registry_json.hpp"

#include <functional>
#include <set>

#include "glib_handles.hpp"

namespace metrics::registry {

namespace {

using Event = nlohmann::json::parse_event_t;

// Follows the parser through nested objects and arrays, so a duplicate key can be
// reported with the path to it.
class DuplicateKeyFinder {
 public:
  explicit DuplicateKeyFinder(std::vector<JsonPath>& found) : found_(found) {}

  bool operator()(int /*depth*/, Event event, nlohmann::json& parsed) {
    switch (event) {
      case Event::object_start:
        stack_.push_back(Frame{false, 0, {}, {}});
        break;
      case Event::array_start:
        stack_.push_back(Frame{true, 0, {}, {}});
        break;
      case Event::key:
        if (!stack_.empty()) {
          Frame& frame = stack_.back();
          frame.key = parsed.get<std::string>();
          if (!frame.keys.insert(frame.key).second) found_.push_back(path());
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

 private:
  struct Frame {
    bool array;
    size_t index;     // position of the element being read, in an array
    std::string key;  // key of the member being read, in an object
    std::set<std::string> keys;
  };

  void value_done() {
    if (!stack_.empty() && stack_.back().array) ++stack_.back().index;
  }

  JsonPath path() const {
    JsonPath out;
    for (const Frame& frame : stack_)
      out.push_back(frame.array ? JsonStep{{}, frame.index} : JsonStep{frame.key, std::nullopt});
    return out;
  }

  std::vector<JsonPath>& found_;
  std::vector<Frame> stack_;
};

}  // namespace

Result<ParsedJson> parse_json(std::string_view text) {
  ParsedJson out;
  DuplicateKeyFinder finder(out.duplicate_keys);
  try {
    out.value = nlohmann::json::parse(text.begin(), text.end(), std::ref(finder),
                                      /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const nlohmann::json::parse_error& e) {
    // Drop the "[json.exception.parse_error.N] " prefix: it means nothing to an author.
    std::string_view what = e.what();
    if (auto end = what.find("] "); what.starts_with("[json.exception") && end != what.npos)
      what.remove_prefix(end + 2);
    // The parser quotes the bytes it stopped at, which need not be UTF-8.
    GCharPtr valid(g_utf8_make_valid(what.data(), static_cast<gssize>(what.size())));
    return Error{"InvalidJson", valid.get()};
  }
  return out;
}

}  // namespace metrics::registry
