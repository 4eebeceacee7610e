// SPDX-License-Identifier: GPL-2.0-or-later
#include "registry_watch.hpp"

#include <malloc.h>

#include "log.hpp"

namespace metrics::bus {

namespace {

// What a registry that lets nothing through means, said once per load.
void log_if_empty(const registry::Gate& gate) {
  if (!gate.registry()->entries().empty()) return;
  if (gate.mode() == registry::Mode::Enforce)
    log(LOG_ERR,
        "the metric registry " + gate.registry()->directory().string() +
            " holds no valid metric: every event is refused until one is installed",
        kMsgRegistryProblem);
}

// Reading a registry file builds its whole JSON tree (up to the file limits of
// registry_schema.hpp, tens of MB for a hostile file), freed once the entries are taken
// out of it; glibc keeps the heap it grew unless told to hand it back.
void return_memory() {
  malloc_trim(0);
}

void log_problems(const std::vector<registry::Problem>& problems) {
  for (const registry::Problem& problem : problems)
    log(LOG_WARNING, "metric registry: " + problem.to_string(), kMsgRegistryProblem);
}

std::string count(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

RegistryWatch::RegistryWatch(registry::Gate& gate, const std::filesystem::path& directory,
                             registry::Mode mode)
    : gate_(gate), directory_(directory) {
  gate_.install(registry::Registry::load(directory), mode);
  const registry::Registry& loaded = *gate_.registry();
  log(LOG_INFO,
      "metric registry " + directory.string() + ": " +
          count(loaded.entries().size(), "metric", "metrics") + ", " +
          count(loaded.problems().size(), "problem", "problems") +
          "; RegistryMode=" + std::string(registry::mode_name(mode)),
      kMsgRegistryLoaded);
  log_problems(loaded.problems());
  log_if_empty(gate_);
  return_memory();
  if (mode == registry::Mode::Permissive)
    log(LOG_WARNING,
        "RegistryMode=permissive: events the registry does not allow are stored (and uploaded) "
        "anyway; use this only while developing a metric");

  gate_.on_notice = [](const registry::GateNotice& notice) {
    log(notice.stored ? LOG_WARNING : LOG_NOTICE, notice.message, kMsgRegistryEvent);
  };
  // A missing directory is watched too: installing it later takes effect. GIO looks for
  // a missing directory only every 4 s; its parent's monitor sees it come at once, and
  // then the directory's own watch is made again so that it starts now.
  watch_directory();
  entry_watch_ = std::make_unique<FileWatch>(
      directory_,
      [this] {
        watch_directory();
        changed();
      },
      FileWatch::Target::Entry);
  if (!watch_->active())
    log(LOG_WARNING, "cannot watch " + directory.string() +
                         "; registry changes take effect at the next restart");
}

void RegistryWatch::watch_directory() {
  watch_ = std::make_unique<FileWatch>(
      directory_, [this] { changed(); }, FileWatch::Target::Directory);
}

RegistryWatch::~RegistryWatch() {
  gate_.on_notice = nullptr;
}

void RegistryWatch::changed() {
  // Restart the wait: reload once the files have settled.
  settle_.reset(g_timeout_source_new(kSettleMs));
  g_source_set_callback(settle_.get(), &RegistryWatch::on_settled, this, nullptr);
  g_source_attach(settle_.get(), nullptr);
}

gboolean RegistryWatch::on_settled(gpointer self) {
  auto* watch = static_cast<RegistryWatch*>(self);
  // reload() destroys this source through settle_; GLib keeps it alive until we return.
  watch->reload();
  return G_SOURCE_CONTINUE;
}

void RegistryWatch::reload() {
  settle_.reset();
  // The registry is replaced as a whole: the old one is destroyed inside reload().
  auto report = gate_.reload();
  if (!report) return;
  log(LOG_INFO,
      report->summary() + " (" + gate_.registry()->directory().string() + "); " +
          count(gate_.registry()->entries().size(), "metric", "metrics") + " in effect",
      kMsgRegistryLoaded);
  log_problems(report->problems);
  log_if_empty(gate_);
  report.reset();
  return_memory();
}

}  // namespace metrics::bus
