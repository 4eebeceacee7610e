// Who is calling: the uid comes from the bus (GetConnectionCredentials), never from
// the method arguments. Looked up once per connection and cached until that
// connection leaves the bus, which is also when its timers must stop.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "recorder.hpp"
#include "result.hpp"
#include "sdbus_handles.hpp"

namespace metrics::bus {

class CallerRegistry {
 public:
  using VanishedFn = std::function<void(const std::string& connection)>;
  CallerRegistry(sd_bus* bus, VanishedFn on_vanished);

  Result<Caller> caller_of(sd_bus_message* m);

 private:
  struct Entry {
    CallerRegistry* registry;
    std::string name;
    uint32_t uid;
    TrackPtr track;
  };
  static int on_track_empty(sd_bus_track* track, void* userdata);

  sd_bus* bus_;
  VanishedFn on_vanished_;
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
};

}  // namespace metrics::bus
