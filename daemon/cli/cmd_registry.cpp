// SPDX-License-Identifier: GPL-2.0-or-later
// metricsctl registry list|show NAME-OR-UUID|check FILE...: the metric registry, read from
// its files (the installed directory, or --registry-dir), without the recorder: `check`
// is for a developer's new registry file before it is installed.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "command_handlers.hpp"
#include "json_text.hpp"
#include "registry_view.hpp"

namespace metrics::cli {

namespace {

namespace fs = std::filesystem;

ExitCode usage(Context& context, const std::string& message) {
  return report_failure(context.err, "registry", Error{ErrorCode::kUsage, message});
}

ExitCode failure(Context& context, const std::string& message) {
  context.err << "metricsctl: " << message << '\n';
  return ExitCode::kFailure;
}

bool is_a_directory(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

std::string count(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

ExitCode list(const Arguments& arguments, Context& context) {
  const fs::path directory = registry_directory(arguments.registry_dir);
  if (!is_a_directory(directory))
    return failure(context, "no metric registry at " + directory.string() +
                                " (not a directory); see --registry-dir");
  const auto loaded = registry::Registry::load(directory);
  context.start_pager();
  if (arguments.options & kOptionJson) {
    nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
    for (const auto& entry : loaded.entries()) metrics.push_back(registry_entry_json(entry));
    nlohmann::ordered_json problems = nlohmann::ordered_json::array();
    for (const auto& problem : loaded.problems())
      problems.push_back(registry_problem_json(problem));
    context.out << json_text(
        {{"directory", directory.string()}, {"metrics", metrics}, {"problems", problems}},
        arguments.json_mode);
    return ExitCode::kSuccess;
  }
  if (!loaded.entries().empty()) context.out << render_registry_list(loaded.entries());
  context.out << '\n'
              << count(loaded.entries().size(), "metric", "metrics") << " in " << directory.string()
              << ".\n";
  // On stderr: a script reading the list still sees every valid metric on stdout.
  for (const auto& problem : loaded.problems())
    context.err << "metricsctl: registry problem: " << problem.to_string() << '\n';
  if (!loaded.problems().empty())
    context.err << count(loaded.problems().size(), "problem", "problems")
                << ": what they concern is left out; the recorder does the same.\n";
  return ExitCode::kSuccess;
}

ExitCode show(const Arguments& arguments, Context& context) {
  const fs::path directory = registry_directory(arguments.registry_dir);
  if (!is_a_directory(directory))
    return failure(context, "no metric registry at " + directory.string() +
                                " (not a directory); see --registry-dir");
  const auto loaded = registry::Registry::load(directory);
  const std::string& wanted = arguments.args[1];
  const registry::Entry* entry = find_registry_entry(loaded, wanted);
  if (!entry) {
    return failure(context, "no metric in " + directory.string() + " is named '" + wanted +
                                "' or has that UUID; 'metricsctl registry list' shows them");
  }
  context.start_pager();
  if (arguments.options & kOptionJson)
    context.out << json_text(registry_entry_json(*entry), arguments.json_mode);
  else
    context.out << render_registry_entry(*entry);
  return ExitCode::kSuccess;
}

ExitCode check(const Arguments& arguments, Context& context) {
  // The files to check, in the order given (a directory: its registry files by name).
  std::vector<registry::Problem> listing_problems;
  std::vector<fs::path> files;
  for (size_t i = 1; i < arguments.args.size(); ++i) {
    const fs::path path = arguments.args[i];
    if (is_a_directory(path)) {
      for (fs::path& file : registry::list_registry_files(path, listing_problems))
        files.push_back(std::move(file));
    } else {
      files.push_back(path);
    }
  }
  std::set<fs::path> checked_names;
  std::set<fs::path> checked_paths;
  for (const fs::path& file : files) {
    checked_names.insert(file.filename());
    std::error_code ec;
    checked_paths.insert(fs::weakly_canonical(file, ec));
  }

  // The installed registry comes first, as the recorder would load it, so that a UUID it
  // already has is reported against the file being checked. A file of the same name is the
  // one being replaced and is left out.
  const fs::path installed = registry_directory(arguments.registry_dir);
  std::vector<registry::FileContents> contents;
  const bool against_installed = is_a_directory(installed);
  if (against_installed) {
    std::vector<registry::Problem> ignored;  // the installed registry's own problems
    for (const fs::path& file : registry::list_registry_files(installed, ignored)) {
      std::error_code ec;
      if (checked_names.contains(file.filename()) ||
          checked_paths.contains(fs::weakly_canonical(file, ec)))
        continue;
      contents.push_back(registry::read_registry_file(file));
    }
  }
  for (const fs::path& file : files) contents.push_back(registry::read_registry_file(file));
  const auto combined = registry::Registry::from_files(std::move(contents));

  std::vector<registry::Problem> problems = listing_problems;
  const std::set<fs::path> file_set(files.begin(), files.end());
  for (const auto& problem : combined.problems())
    if (file_set.contains(problem.file)) problems.push_back(problem);
  auto metrics_of = [&combined](const fs::path& file) {
    size_t n = 0;
    for (const auto& entry : combined.entries()) n += entry.source == file ? 1 : 0;
    return n;
  };
  auto problems_of = [&problems](const fs::path& file) {
    std::vector<const registry::Problem*> out;
    for (const auto& problem : problems)
      if (problem.file == file) out.push_back(&problem);
    return out;
  };

  context.start_pager();
  if (arguments.options & kOptionJson) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const fs::path& file : files) {
      nlohmann::ordered_json of_file = nlohmann::ordered_json::array();
      for (const registry::Problem* problem : problems_of(file))
        of_file.push_back(registry_problem_json(*problem));
      list.push_back(
          {{"file", file.string()}, {"metrics", metrics_of(file)}, {"problems", of_file}});
    }
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const auto& problem : problems) all.push_back(registry_problem_json(problem));
    context.out << json_text(
        {{"files", list},
         {"checked_against",
          against_installed ? nlohmann::ordered_json(installed.string()) : nullptr},
         {"problems", all}},
        arguments.json_mode);
  } else {
    for (const auto& problem : problems) context.out << problem.to_string() << '\n';
    for (const fs::path& file : files) {
      const size_t n = problems_of(file).size();
      context.out << file.string() << ": " << count(metrics_of(file), "metric", "metrics") << ", "
                  << (n == 0 ? "no problems" : count(n, "problem", "problems")) << '\n';
    }
    if (files.empty()) context.out << "No registry file to check.\n";
    if (against_installed)
      context.out << "UUIDs checked against the registry in " << installed.string() << ".\n";
    else
      context.out << "UUIDs not checked against an installed registry: there is none in "
                  << installed.string() << " (--registry-dir names another).\n";
  }
  return problems.empty() && !files.empty() ? ExitCode::kSuccess : ExitCode::kFailure;
}

}  // namespace

ExitCode run_registry(const Arguments& arguments, Context& context) {
  const std::string& action = arguments.args[0];
  if (action == "list") {
    if (arguments.args.size() != 1) return usage(context, "'registry list' takes no argument");
    return list(arguments, context);
  }
  if (action == "show") {
    if (arguments.args.size() != 2) return usage(context, "expected: registry show NAME-OR-UUID");
    return show(arguments, context);
  }
  if (action == "check") {
    if (arguments.args.size() < 2) return usage(context, "expected: registry check FILE...");
    return check(arguments, context);
  }
  return usage(context, "expected list, show NAME-OR-UUID or check FILE..., not '" + action + "'");
}

}  // namespace metrics::cli
