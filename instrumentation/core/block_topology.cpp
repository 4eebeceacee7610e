// SPDX-License-Identifier: GPL-2.0-or-later
#include "block_topology.hpp"

#include <algorithm>
#include <set>

namespace metrics::instrumentation {

namespace {

// Deeper stacks than this are a loop or a tree built to trap us.
constexpr int kMaxDepth = 12;

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) parts.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

class Walker {
 public:
  Walker(const SourceTree& tree, const std::vector<MountEntry>& mounts)
      : tree_(tree), mounts_(mounts) {}

  Result<void> from_path(std::string_view path, int depth) {
    if (depth > kMaxDepth) return too_deep();
    const MountEntry* mount = mount_for_path(mounts_, path);
    if (!mount)
      return Error{ErrorCode::kStorageUnresolved,
                   "no mount in mountinfo holds " + std::string(path)};
    return from_mount(*mount, std::string(path), depth + 1);
  }

  std::vector<std::string> disks;

 private:
  Result<void> from_mount(const MountEntry& mount, const std::string& path, int depth) {
    if (mount.fs_type == "overlay") {
      // An overlay whose layer lies inside itself would otherwise recurse to the limit
      // once per layer, exponentially.
      if (!overlays_in_progress_.insert(&mount).second)
        return Error{ErrorCode::kStorageUnresolved,
                     "overlay on " + mount.mount_point + " contains itself"};
      auto found = from_overlay(mount, path, depth);
      overlays_in_progress_.erase(&mount);
      return found;
    }
    auto node = block_node(mount);
    if (!node)
      return Error{ErrorCode::kStorageUnresolved, path + " is mounted from " + mount.source + " (" +
                                                      mount.fs_type +
                                                      "), which is not a block device"};
    return from_block(*node, depth + 1);
  }

  // Every layer that holds data counts: the read-only image of a live system lives in
  // the lower layers, an installed system's writes in the upper one. Layers on tmpfs
  // have no disk and are skipped.
  Result<void> from_overlay(const MountEntry& mount, const std::string& path, int depth) {
    std::vector<std::string> layers;
    for (const char* key : {"lowerdir", "lowerdir+", "upperdir", "datadir+"})
      for (const auto& value : option_values(mount.super_options, key))
        for (auto& layer : split(value, ':')) layers.push_back(std::move(layer));
    const size_t before = disks.size();
    for (const auto& layer : layers) {
      if (layer.empty() || layer.front() != '/') continue;
      auto found = from_path(layer, depth + 1);
      (void)found;  // a layer on tmpfs is expected; only "none at all" is an error
    }
    if (disks.size() == before)
      return Error{ErrorCode::kStorageUnresolved,
                   path + " is mounted from " + mount.source +
                       " (overlay) and no layer is on a block device"};
    return Ok();
  }

  // The sysfs node of the device a mount comes from.
  std::optional<std::string> block_node(const MountEntry& mount) const {
    // A real device number is exact; btrfs reports an anonymous 0:N, so its source
    // name is used instead (as the catalog asks).
    if (mount.major != 0) {
      auto node = tree_.resolve("/sys/dev/block/" + std::to_string(mount.major) + ":" +
                                std::to_string(mount.minor));
      if (node) return node;
    }
    const std::string& source = mount.source;
    if (source.rfind("/dev/", 0) != 0) return std::nullopt;
    if (source.rfind("/dev/mapper/", 0) == 0) {
      const std::string name = source.substr(12);
      for (const auto& entry : tree_.list_directory("/sys/class/block")) {
        if (entry.rfind("dm-", 0) != 0) continue;
        auto dm_name = tree_.read_value("/sys/class/block/" + entry + "/dm/name");
        if (dm_name && *dm_name == name) return tree_.resolve("/sys/class/block/" + entry);
      }
    }
    // /dev/disk/by-*/… and /dev/mapper/… are links to the kernel name when /dev is there.
    auto dev = tree_.resolve(source);
    const std::string kernel_name = base_name(dev ? *dev : source);
    if (kernel_name.empty()) return std::nullopt;
    return tree_.resolve("/sys/class/block/" + kernel_name);
  }

  Result<void> from_block(const std::string& node, int depth) {
    if (depth > kMaxDepth) return too_deep();
    if (!visited_.insert(node).second) return Ok();

    // dm-crypt, LVM, md, snapshots: the devices below are listed in slaves/.
    const auto slaves = tree_.list_directory(node + "/slaves");
    if (!slaves.empty()) {
      const size_t before = disks.size();
      std::string last_problem;
      for (const auto& slave : slaves) {
        auto below = tree_.resolve((node + "/slaves/").append(slave));
        if (!below) continue;
        auto found = from_block(*below, depth + 1);
        if (!found) last_problem = found.error().message;
      }
      if (disks.size() == before)
        return Error{ErrorCode::kStorageUnresolved,
                     "none of the devices below " + node + " leads to a disk" +
                         (last_problem.empty() ? "" : " (" + last_problem + ")")};
      return Ok();
    }

    // A loop device is as good as the file behind it.
    if (auto backing = tree_.read_value(node + "/loop/backing_file")) {
      std::string file = *backing;
      const std::string deleted = " (deleted)";
      if (file.size() > deleted.size() &&
          file.compare(file.size() - deleted.size(), deleted.size(), deleted) == 0)
        file.resize(file.size() - deleted.size());
      return from_path(file, depth + 1);
    }

    // A partition's node sits inside its disk's node.
    if (tree_.read_file(node + "/partition", 64)) return from_block(parent_of(node), depth + 1);

    if (std::find(disks.begin(), disks.end(), node) == disks.end()) disks.push_back(node);
    return Ok();
  }

  static Error too_deep() {
    return Error{ErrorCode::kStorageUnresolved, "the storage stack is deeper than " +
                                                    std::to_string(kMaxDepth) +
                                                    " layers (a loop in the device links?)"};
  }

  const SourceTree& tree_;
  const std::vector<MountEntry>& mounts_;
  std::set<std::string> visited_;
  std::set<const MountEntry*> overlays_in_progress_;
};

}  // namespace

Result<std::vector<std::string>> physical_disks_for_path(const SourceTree& tree,
                                                         const std::vector<MountEntry>& mounts,
                                                         std::string_view path) {
  Walker walker(tree, mounts);
  auto walked = walker.from_path(path, 0);
  if (!walked) return walked.error();
  if (walker.disks.empty())
    return Error{ErrorCode::kStorageUnresolved, "no disk found under " + std::string(path)};
  return std::move(walker.disks);
}

}  // namespace metrics::instrumentation
