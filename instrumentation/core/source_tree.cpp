// SPDX-License-Identifier: GPL-2.0-or-later
#include "source_tree.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "unique_fd.hpp"

namespace metrics::instrumentation {

namespace {

std::vector<std::string> split_components(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

std::string join_components(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

constexpr int kMaxSymlinkHops = 40;  // what the kernel allows (ELOOP)

}  // namespace

std::string normalize_absolute(std::string_view path) {
  std::vector<std::string> out;
  for (auto& part : split_components(path)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(std::move(part));
  }
  return join_components(out);
}

SourceTree::SourceTree(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path SourceTree::host_path(std::string_view path) const {
  std::string relative = normalize_absolute(path).substr(1);
  return relative.empty() ? root_ : root_ / relative;
}

void SourceTree::note(std::string_view path) const {
  if (observer_) observer_(normalize_absolute(path));
}

std::optional<std::string> SourceTree::read_file(std::string_view path, size_t max_bytes) const {
  note(path);
  // Resolve inside the root first: an absolute link must not lead to the host's file.
  auto resolved = resolve(path);
  if (!resolved) return std::nullopt;
  // O_NONBLOCK: a FIFO planted in a tree must not hang the daemon.
  UniqueFd fd(::open(host_path(*resolved).c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  std::string content;
  char buffer[4096];
  while (content.size() < max_bytes) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  if (content.size() > max_bytes) content.resize(max_bytes);
  return content;
}

std::optional<std::string> SourceTree::read_value(std::string_view path) const {
  auto content = read_file(path, size_t{64} * 1024);
  if (!content) return std::nullopt;
  std::string_view view(*content);
  while (!view.empty() && (view.back() == '\0' || view.back() == '\n' || view.back() == ' ' ||
                           view.back() == '\t' || view.back() == '\r'))
    view.remove_suffix(1);
  while (!view.empty() && (view.front() == ' ' || view.front() == '\t')) view.remove_prefix(1);
  return std::string(view);
}

std::optional<std::string> SourceTree::read_link(std::string_view path) const {
  note(path);
  std::error_code ec;
  auto target = std::filesystem::read_symlink(host_path(path), ec);
  if (ec) return std::nullopt;
  return target.string();
}

std::optional<std::string> SourceTree::resolve(std::string_view path) const {
  std::vector<std::string> pending = split_components(normalize_absolute(path));
  std::reverse(pending.begin(), pending.end());  // a stack: back() is the next component
  std::vector<std::string> done;
  int hops = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    done.push_back(part);
    const std::filesystem::path host = host_path(join_components(done));
    std::error_code ec;
    auto status = std::filesystem::symlink_status(host, ec);
    if (ec || status.type() == std::filesystem::file_type::not_found) return std::nullopt;
    if (status.type() != std::filesystem::file_type::symlink) continue;
    if (++hops > kMaxSymlinkHops) return std::nullopt;
    auto target = std::filesystem::read_symlink(host, ec);
    if (ec) return std::nullopt;
    const std::string target_text = target.string();
    done.pop_back();
    if (!target_text.empty() && target_text.front() == '/') done.clear();
    auto target_parts = split_components(target_text);
    pending.insert(pending.end(), target_parts.rbegin(), target_parts.rend());
  }
  return join_components(done);
}

std::vector<std::string> SourceTree::list_directory(std::string_view path) const {
  note(path);
  std::vector<std::string> names;
  auto resolved = resolve(path);
  if (!resolved) return names;
  std::error_code ec;
  std::filesystem::directory_iterator it(host_path(*resolved), ec);
  if (ec) return names;
  // increment(ec), not ++: a directory vanishing mid-listing must not throw.
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool SourceTree::is_directory(std::string_view path) const {
  auto resolved = resolve(path);
  if (!resolved) return false;
  std::error_code ec;
  return std::filesystem::is_directory(host_path(*resolved), ec);
}

}  // namespace metrics::instrumentation
