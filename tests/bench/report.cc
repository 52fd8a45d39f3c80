#include "report.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace strata {
namespace bench {

namespace {

constexpr char kStrata[] = "strata";

// The strata result for the same mode and workload as r, if it ran.
const BenchResult* StrataPeer(const std::vector<BenchResult>& results, const BenchResult& r) {
  for (const BenchResult& other : results) {
    if (other.mode == r.mode && other.workload == r.workload && other.engine == kStrata && other.ran()) {
      return &other;
    }
  }
  return nullptr;
}

// StrataDB ops/s over r's, or 0 when there is nothing to compare.
double StrataRatio(const std::vector<BenchResult>& results, const BenchResult& r) {
  const BenchResult* strata = StrataPeer(results, r);
  if (strata == nullptr || !r.ran() || r.engine == kStrata || r.OpsPerSecond() <= 0) return 0;
  return strata->OpsPerSecond() / r.OpsPerSecond();
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

}  // namespace

std::vector<BenchResult> MedianRounds(const std::vector<std::vector<BenchResult>>& rounds) {
  std::vector<BenchResult> out;
  if (rounds.empty()) return out;
  for (const BenchResult& first : rounds.front()) {
    std::vector<const BenchResult*> same;  // one a round (ParseFlags rejects repeated names)
    for (const auto& round : rounds) {
      for (const BenchResult& r : round) {
        if (r.mode == first.mode && r.workload == first.workload && r.engine == first.engine)
          same.push_back(&r);
      }
    }
    const auto failed =
        std::find_if(same.begin(), same.end(), [](const BenchResult* r) { return !r->ran(); });
    if (failed != same.end()) {
      out.push_back(**failed);
      continue;
    }
    std::vector<const BenchResult*> sorted = same;
    std::sort(sorted.begin(), sorted.end(), [](const BenchResult* a, const BenchResult* b) {
      return a->OpsPerSecond() < b->OpsPerSecond();
    });
    BenchResult median = *sorted[(sorted.size() - 1) / 2];
    if (rounds.size() > 1) {
      for (const BenchResult* r : same) median.round_ops.push_back(r->OpsPerSecond());
    }
    out.push_back(median);
  }
  return out;
}

void PrintProgress(FILE* out, const BenchResult& r) {
  std::fprintf(out, "%-5s %-12s %-8s ", CompressionName(r.mode), r.workload->name, r.engine.c_str());
  if (!r.skipped.empty()) {
    std::fprintf(out, "skipped: %s\n", r.skipped.c_str());
  } else if (!r.error.empty()) {
    std::fprintf(out, "FAILED: %s\n", r.error.c_str());
  } else {
    std::fprintf(out, "%12.0f ops/s %8.3f micros/op (%.2f s)\n", r.OpsPerSecond(), r.MicrosPerOp(),
                 r.m.seconds);
  }
  std::fflush(out);
}

void PrintTable(FILE* out, const BenchFlags& flags, BenchCompression mode,
                const std::vector<BenchResult>& results) {
  std::fprintf(out, "\n== compression: %s  (num=%llu, key 16 B, value %zu B)\n", CompressionName(mode),
               static_cast<unsigned long long>(flags.params.num), flags.params.value_size);
  std::fprintf(out, "%-12s %-8s %12s %9s %10s %10s %10s  %8s%s\n", "workload", "engine", "ops/s", "MB/s",
               "micros/op", "p50 us", "p99 us", "strata/x",
               flags.rounds > 1 ? "  rounds: min - max ops/s" : "");
  std::vector<std::string> skipped;  // one note per skipped engine
  for (const Workload* w : flags.workloads) {
    for (const BenchResult& r : results) {
      if (r.mode != mode || r.workload != w) continue;
      if (!r.skipped.empty()) {
        const std::string note = r.engine + ": " + r.skipped;
        if (std::find(skipped.begin(), skipped.end(), note) == skipped.end()) skipped.push_back(note);
        continue;
      }
      std::fprintf(out, "%-12s %-8s ", w->name, r.engine.c_str());
      if (!r.error.empty()) {
        std::fprintf(out, "FAILED: %s\n", r.error.c_str());
        continue;
      }
      std::fprintf(out, "%12.0f %9.1f %10.3f ", r.OpsPerSecond(), r.MegabytesPerSecond(), r.MicrosPerOp());
      if (r.m.latency.count > 0) {
        std::fprintf(out, "%10.2f %10.2f ", r.m.latency.Percentile(50), r.m.latency.Percentile(99));
      } else {
        std::fprintf(out, "%10s %10s ", "-", "-");
      }
      const double ratio = StrataRatio(results, r);
      if (ratio > 0)
        std::fprintf(out, " %7.2fx", ratio);
      else
        std::fprintf(out, " %8s", "-");
      if (!r.round_ops.empty()) {
        const auto [low, high] = std::minmax_element(r.round_ops.begin(), r.round_ops.end());
        // compact's ops/s is 1 / seconds: digits after the point there.
        const int decimals = *high < 100 ? 3 : 0;
        std::fprintf(out, "  %.*f - %.*f", decimals, *low, decimals, *high);
      }
      std::fprintf(out, "\n");
    }
  }
  for (const std::string& note : skipped) std::fprintf(out, "(skipped %s)\n", note.c_str());
  std::fflush(out);
}

BenchStatus WriteJson(const std::string& path, const BenchFlags& flags,
                      const std::vector<BenchResult>& results) {
  const EngineConfig c;
  std::ostringstream j;
  j << "{\n  \"tool\": \"strata_bench\",\n  \"config\": {"
    << "\"num\": " << flags.params.num << ", \"key_size\": 16, \"value_size\": " << flags.params.value_size
    << ", \"seed\": " << flags.params.seed << ", \"write_buffer_size\": " << c.write_buffer_size
    << ", \"block_size\": " << c.block_size << ", \"bloom_bits_per_key\": " << c.bloom_bits_per_key
    << ", \"block_cache_size\": " << c.block_cache_size << ", \"target_file_size\": " << c.target_file_size
    << ", \"max_bytes_for_level_base\": " << c.max_bytes_for_level_base
    << ", \"zlib_level\": " << c.zlib_level << ", \"rounds\": " << flags.rounds << "},\n  \"results\": [";
  bool first = true;
  for (const BenchResult& r : results) {
    j << (first ? "\n" : ",\n") << "    {\"compression\": " << JsonString(CompressionName(r.mode))
      << ", \"workload\": " << JsonString(r.workload->name) << ", \"engine\": " << JsonString(r.engine);
    first = false;
    if (!r.skipped.empty()) {
      j << ", \"skipped\": " << JsonString(r.skipped) << "}";
      continue;
    }
    if (!r.error.empty()) {
      j << ", \"error\": " << JsonString(r.error) << "}";
      continue;
    }
    const HistogramData& l = r.m.latency;
    j << ", \"op\": " << JsonString(r.workload->op_unit) << ", \"ops\": " << r.m.ops
      << ", \"bytes\": " << r.m.bytes;
    if (r.workload->db == WorkloadDb::kFilledShared) j << ", \"found\": " << r.m.found;
    j << ", \"seconds\": " << JsonNumber(r.m.seconds) << ", \"ops_per_sec\": " << JsonNumber(r.OpsPerSecond())
      << ", \"mb_per_sec\": " << JsonNumber(r.MegabytesPerSecond())
      << ", \"micros_per_op\": " << JsonNumber(r.MicrosPerOp());
    if (l.count > 0) {
      j << ", \"call_latency_micros\": {\"count\": " << l.count << ", \"avg\": " << JsonNumber(l.Average())
        << ", \"p50\": " << JsonNumber(l.Percentile(50)) << ", \"p99\": " << JsonNumber(l.Percentile(99))
        << ", \"p999\": " << JsonNumber(l.Percentile(99.9)) << ", \"max\": " << JsonNumber(l.max) << "}";
    }
    const double ratio = StrataRatio(results, r);
    if (ratio > 0) j << ", \"strata_speedup\": " << JsonNumber(ratio);
    if (!r.round_ops.empty()) {
      j << ", \"round_ops_per_sec\": [";
      for (size_t i = 0; i < r.round_ops.size(); i++) j << (i ? ", " : "") << JsonNumber(r.round_ops[i]);
      j << "]";
    }
    j << "}";
  }
  j << "\n  ]\n}\n";

  std::ofstream file(path, std::ios::trunc);
  file << j.str();
  file.close();
  if (!file) return BenchStatus::Error("cannot write " + path);
  return BenchStatus::OK();
}

}  // namespace bench
}  // namespace strata
