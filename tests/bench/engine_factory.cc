// Which adapters this binary has: CMake defines STRATA_BENCH_HAVE_<ENGINE>
// for each engine it found (StrataDB is always there).
#include "bench_engine.h"

namespace strata {
namespace bench {

#ifdef STRATA_BENCH_HAVE_STRATA
std::unique_ptr<BenchEngine> NewStrataEngine();
#endif
#ifdef STRATA_BENCH_HAVE_LEVELDB
std::unique_ptr<BenchEngine> NewLevelDBEngine();
#endif
#ifdef STRATA_BENCH_HAVE_ROCKSDB
std::unique_ptr<BenchEngine> NewRocksDBEngine();
#endif

const char* CompressionName(BenchCompression c) {
  return c == BenchCompression::kZlib ? "zlib" : "none";
}

std::vector<std::string> CompiledEngines() {
  std::vector<std::string> names;
#ifdef STRATA_BENCH_HAVE_STRATA
  names.push_back("strata");
#endif
#ifdef STRATA_BENCH_HAVE_LEVELDB
  names.push_back("leveldb");
#endif
#ifdef STRATA_BENCH_HAVE_ROCKSDB
  names.push_back("rocksdb");
#endif
  return names;
}

std::unique_ptr<BenchEngine> NewBenchEngine(const std::string& name) {
#ifdef STRATA_BENCH_HAVE_STRATA
  if (name == "strata") return NewStrataEngine();
#endif
#ifdef STRATA_BENCH_HAVE_LEVELDB
  if (name == "leveldb") return NewLevelDBEngine();
#endif
#ifdef STRATA_BENCH_HAVE_ROCKSDB
  if (name == "rocksdb") return NewRocksDBEngine();
#endif
  return nullptr;
}

}  // namespace bench
}  // namespace strata
