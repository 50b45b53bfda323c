// Analysis throughput on generated migrations. Targets (one core): 20,000 statements checked
// in under 1 s; 2,000 statements re-analysed in under 50 ms.
#include <benchmark/benchmark.h>

#include "analysis/analyze.h"
#include "analysis/document_analysis.h"
#include "bench/generate.h"

namespace {

void BM_Analyze(benchmark::State& state) {
  std::string text = lockward::bench::generate_migration(static_cast<std::size_t>(state.range(0)));
  lockward::analysis::Options options;
  for (auto _ : state) {
    auto result = lockward::analysis::analyze(text, options);
    benchmark::DoNotOptimize(result);
  }
  state.counters["statements"] = static_cast<double>(state.range(0));
  state.counters["stmt/s"] = benchmark::Counter(static_cast<double>(state.range(0)) * state.iterations(),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Analyze)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond);

// Re-analysis after a one-character edit, through the document analysis the language server
// keeps: what an editor pays per keystroke.
void BM_Reanalyze(benchmark::State& state) {
  std::string text = lockward::bench::generate_migration(static_cast<std::size_t>(state.range(0)));
  lockward::analysis::Options options;
  lockward::analysis::DocumentAnalysis doc;
  doc.update(text, options);
  std::size_t middle = text.find('\n', text.size() / 2) + 1;
  bool toggle = false;
  for (auto _ : state) {
    if (toggle) text.erase(middle, 1);
    else text.insert(middle, 1, ' ');  // not insert(middle, " "): GCC 12 -O3 false -Wrestrict
    toggle = !toggle;
    auto result = doc.update(text, options);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_Reanalyze)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond);

// The worst case for transaction tracking: one transaction altering thousands of tables.
void BM_AnalyzeOneTransaction(benchmark::State& state) {
  std::string text = "BEGIN;\n";
  for (long i = 0; i < state.range(0); ++i) text += "ALTER TABLE t" + std::to_string(i) + " ADD COLUMN c integer;\n";
  text += "COMMIT;\n";
  lockward::analysis::Options options;
  for (auto _ : state) {
    auto result = lockward::analysis::analyze(text, options);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_AnalyzeOneTransaction)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
