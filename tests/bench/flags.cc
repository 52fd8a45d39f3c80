#include "flags.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace strata {
namespace bench {

namespace {

std::vector<std::string> SplitCommas(const std::string& list) {
  std::vector<std::string> items;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

bool ParseUint(const std::string& text, uint64_t* value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  *value = std::strtoull(text.c_str(), nullptr, 10);
  return errno == 0;
}

std::string DefaultDbDir() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/strata_bench";
}

}  // namespace

std::string ParseFlags(int argc, char** argv, BenchFlags* flags) {
  for (const Workload& w : AllWorkloads()) flags->workloads.push_back(&w);
  flags->engines = CompiledEngines();
  flags->modes = {BenchCompression::kNone, BenchCompression::kZlib};
  flags->db_dir = DefaultDbDir();

  for (int i = 1; i < argc; i++) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      flags->help = true;
      continue;
    }
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) return "expected --flag=value, got '" + arg + "'";
    const std::string name = arg.substr(2, eq - 2);
    const std::string value = arg.substr(eq + 1);
    uint64_t n = 0;
    if (name == "num") {
      if (!ParseUint(value, &n) || n == 0) return "--num must be a positive integer";
      flags->params.num = n;
    } else if (name == "value_size") {
      if (!ParseUint(value, &n) || n > (1u << 20)) return "--value_size must be 0..1048576";
      flags->params.value_size = n;
    } else if (name == "seed") {
      if (!ParseUint(value, &n)) return "--seed must be a non-negative integer";
      flags->params.seed = n;
    } else if (name == "workloads") {
      flags->workloads.clear();
      for (const std::string& w : SplitCommas(value)) {
        const Workload* workload = FindWorkload(w);
        if (workload == nullptr) return "unknown workload '" + w + "' (see --help)";
        if (std::find(flags->workloads.begin(), flags->workloads.end(), workload) != flags->workloads.end())
          return "--workloads names '" + w + "' twice";
        flags->workloads.push_back(workload);
      }
      if (flags->workloads.empty()) return "--workloads is empty";
    } else if (name == "engines") {
      flags->engines = SplitCommas(value);
      for (auto e = flags->engines.begin(); e != flags->engines.end(); ++e) {
        if (NewBenchEngine(*e) == nullptr) return "engine '" + *e + "' is not compiled in (see --help)";
        if (std::find(flags->engines.begin(), e, *e) != e) return "--engines names '" + *e + "' twice";
      }
      if (flags->engines.empty()) return "--engines is empty";
    } else if (name == "compression") {
      if (value == "none")
        flags->modes = {BenchCompression::kNone};
      else if (value == "zlib")
        flags->modes = {BenchCompression::kZlib};
      else if (value == "both")
        flags->modes = {BenchCompression::kNone, BenchCompression::kZlib};
      else
        return "--compression must be none, zlib or both";
    } else if (name == "db_dir") {
      if (value.empty()) return "--db_dir is empty";
      flags->db_dir = value;
    } else if (name == "rounds") {
      if (!ParseUint(value, &n) || n == 0 || n > 99) return "--rounds must be 1..99";
      flags->rounds = n;
    } else if (name == "json") {
      flags->json_path = value;
    } else {
      return "unknown flag --" + name + " (see --help)";
    }
  }
  return "";
}

std::string Usage() {
  std::ostringstream out;
  out << "strata_bench: db_bench-style workloads on StrataDB, LevelDB and RocksDB, one process.\n"
         "\n"
         "Flags:\n"
         "  --num=N             keys per database; op count of most workloads (default 1000000)\n"
         "  --workloads=a,b,... which workloads, in this order (default: all, as listed below)\n"
         "  --engines=a,b,...   which engines (default: all compiled in)\n"
         "  --compression=M     none, zlib or both (default both); leveldb is skipped under zlib\n"
         "  --value_size=N      value bytes (default 100); keys are 16 bytes\n"
         "  --seed=N            random seed; same keys and values on every engine (default 301)\n"
         "  --db_dir=PATH       scratch directory, emptied per database (default $TMPDIR/strata_bench)\n"
         "  --json=PATH         also write every result as JSON to PATH\n"
         "  --rounds=N          run every engine's workloads N times, the engines in turns (each\n"
         "                      round starts with the engine the last one ended with), and report\n"
         "                      each workload's median round, with the spread (default 1)\n"
         "\n"
         "Workloads (fill* and overwrite time writes; read workloads share one database per engine\n"
         "and mode, filled untimed with every key once in shuffled order; nothing waits for\n"
         "compactions, as in db_bench):\n";
  for (const Workload& w : AllWorkloads()) {
    out << "  " << w.name << std::string(13 - std::string(w.name).size(), ' ') << w.description
        << " (op = " << w.op_unit << ")\n";
  }
  EngineConfig c;
  out << "\n"
         "Engines compiled in:";
  for (const std::string& e : CompiledEngines()) out << " " << e;
  out << "\n"
         "Common settings (each adapter maps them onto its engine's options):\n"
      << "  write buffer " << c.write_buffer_size / 1024 / 1024 << " MiB, block " << c.block_size / 1024
      << " KiB, bloom " << c.bloom_bits_per_key << " bits/key, block cache "
      << c.block_cache_size / 1024 / 1024 << " MiB, " << c.max_open_files << " open files,\n"
      << "  leveled LSM: " << c.target_file_size / 1024 / 1024 << " MiB files, L1 "
      << c.max_bytes_for_level_base / 1024 / 1024 << " MiB, x" << c.level_size_multiplier
      << " per level, L0 triggers " << c.l0_compaction_trigger << "/" << c.l0_slowdown_writes_trigger << "/"
      << c.l0_stop_writes_trigger << " (compact/slow/stop),\n"
      << "  compression none, or zlib level " << c.zlib_level
      << " on every level (strata, rocksdb); only fillsync syncs.\n";
  return out.str();
}

}  // namespace bench
}  // namespace strata
