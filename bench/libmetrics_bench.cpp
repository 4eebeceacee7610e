// SPDX-License-Identifier: GPL-2.0-or-later
// Google Benchmark of libmetrics' record_event in the calling thread, with a service on
// the bus answering RecordSingularEvent (run by bench/run_libmetrics_bench.sh).
//
// What is timed is the caller's cost: validate, timestamp, queue. Every 10 000 calls the
// clock is paused for a _sync call, so the queue drains and never reaches its bound (a
// full queue would make the calls cheap drops, not records). The rss_kib counter is the
// process's resident memory at the end, rss_growth_kib its growth during the run: a run
// of 10^6 calls (LIBMETRICS_BENCH_ITERATIONS) shows whether memory grows with the number
// of calls. Payload 0: none, 1: a short string, 2: a 1 KiB string.
#include <benchmark/benchmark.h>
#include <eosmetrics/eosmetrics.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr const char* kEventId = "fb59199e-5384-472e-af1e-00b7a419d5c2";
constexpr int kDrainEvery = 10'000;

long rss_kib() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) kib = std::strtol(line + 6, nullptr, 10);
  }
  std::fclose(f);
  return kib;
}

// The payload of each benchmark, built once (not part of the timed cost).
GVariant* make_payload(int kind) {
  switch (kind) {
    case 1:
      return g_variant_ref_sink(g_variant_new_string("org.gnome.Builder.desktop"));
    case 2:
      return g_variant_ref_sink(g_variant_new_string(std::string(1024, 'x').c_str()));
    default:
      return nullptr;
  }
}

void BM_RecordEvent(benchmark::State& state) {
  EmtrEventRecorder* recorder = emtr_event_recorder_get_default();
  GVariant* payload = make_payload(static_cast<int>(state.range(0)));
  emtr_event_recorder_record_event_sync(recorder, kEventId, nullptr);  // connected
  const long rss_before = rss_kib();
  long calls = 0;
  for (auto _ : state) {
    emtr_event_recorder_record_event(recorder, kEventId, payload);
    if (++calls % kDrainEvery == 0) {
      state.PauseTiming();
      emtr_event_recorder_record_event_sync(recorder, kEventId, nullptr);
      state.ResumeTiming();
    }
  }
  emtr_event_recorder_record_event_sync(recorder, kEventId, nullptr);
  state.counters["rss_kib"] = static_cast<double>(rss_kib());
  state.counters["rss_growth_kib"] = static_cast<double>(rss_kib() - rss_before);
  if (payload != nullptr) g_variant_unref(payload);
}

}  // namespace

int main(int argc, char** argv) {
  // Iterations per run, fixed so that runs are comparable (Google Benchmark 1.7 has no
  // "Nx" form of --benchmark_min_time): LIBMETRICS_BENCH_ITERATIONS, default 200 000.
  const char* env = std::getenv("LIBMETRICS_BENCH_ITERATIONS");
  const long iterations = env != nullptr ? std::strtol(env, nullptr, 10) : 200'000;
  benchmark::RegisterBenchmark("BM_RecordEvent", BM_RecordEvent)
      ->Arg(0)
      ->Arg(1)
      ->Arg(2)
      ->ArgName("payload")
      ->Iterations(iterations);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
