#include "workloads.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "data_generator.h"
#include "stats/histogram.h"

namespace strata {
namespace bench {

namespace {

constexpr size_t kBatchSize = 1000;  // fillbatch and Prefill
constexpr int kNextsPerSeek = 100;   // seekrandom

using Clock = std::chrono::steady_clock;

double MicrosBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

// Times the workload loop as a whole and each call in it.
class Stopwatch {
 public:
  explicit Stopwatch(Measurement* m) : m_(m), start_(Clock::now()), last_(start_) {}

  // Ends the call that began at the previous Lap() (or at construction).
  void Lap() {
    const Clock::time_point now = Clock::now();
    histogram_.Record(MicrosBetween(last_, now));
    last_ = now;
  }
  // Restarts the current call's clock, leaving out work between calls.
  void Restart() { last_ = Clock::now(); }

  void Finish() {
    m_->seconds = MicrosBetween(start_, Clock::now()) / 1e6;
    m_->latency = histogram_.Snapshot();
  }

 private:
  Measurement* m_;
  Clock::time_point start_;
  Clock::time_point last_;
  Histogram histogram_;
};

// num puts of keys 0..num-1 in order, or of keys drawn at random (with
// repetition, as db_bench does) from 0..num-1.
BenchStatus Puts(BenchEngine* engine, const WorkloadParams& p, uint64_t ops, bool random, bool sync,
                 Measurement* m) {
  KeyFormatter keys;
  ValueGenerator values(p.seed, p.value_size);
  BenchRandom rnd(p.seed);
  Stopwatch watch(m);
  for (uint64_t i = 0; i < ops; i++) {
    const uint64_t k = random ? rnd.Uniform(p.num) : i;
    BenchStatus s = engine->Put(keys.Key(k), values.Next(), sync);
    watch.Lap();
    if (!s.ok()) return s;
    m->bytes += kKeySize + p.value_size;
  }
  watch.Finish();
  m->ops = ops;
  return BenchStatus::OK();
}

BenchStatus FillSeq(BenchEngine* e, const WorkloadParams& p, Measurement* m) {
  return Puts(e, p, p.num, /*random=*/false, /*sync=*/false, m);
}

BenchStatus FillRandom(BenchEngine* e, const WorkloadParams& p, Measurement* m) {
  return Puts(e, p, p.num, /*random=*/true, /*sync=*/false, m);
}

BenchStatus FillSync(BenchEngine* e, const WorkloadParams& p, Measurement* m) {
  return Puts(e, p, std::max<uint64_t>(1, p.num / 100), /*random=*/true, /*sync=*/true, m);
}

// Writes the keys of `order` with fresh values in batches of kBatchSize;
// with a Stopwatch, times each batch.
BenchStatus WriteBatches(BenchEngine* engine, const WorkloadParams& p, const std::vector<uint64_t>* order,
                         Stopwatch* watch, Measurement* m) {
  KeyFormatter keys;
  ValueGenerator values(p.seed, p.value_size);
  std::vector<std::string> key_storage(kBatchSize);
  std::vector<KeyValue> batch;
  batch.reserve(kBatchSize);
  for (uint64_t i = 0; i < p.num; i += kBatchSize) {
    batch.clear();
    for (uint64_t j = i; j < std::min<uint64_t>(p.num, i + kBatchSize); j++) {
      std::string& key = key_storage[j - i];
      key.assign(keys.Key(order == nullptr ? j : (*order)[j]));
      batch.emplace_back(key, values.Next());
    }
    if (watch != nullptr) watch->Restart();
    BenchStatus s = engine->Write(batch, /*sync=*/false);
    if (watch != nullptr) watch->Lap();
    if (!s.ok()) return s;
    if (m != nullptr) m->bytes += batch.size() * (kKeySize + p.value_size);
  }
  return BenchStatus::OK();
}

BenchStatus FillBatch(BenchEngine* e, const WorkloadParams& p, Measurement* m) {
  Stopwatch watch(m);
  BenchStatus s = WriteBatches(e, p, nullptr, &watch, m);
  if (!s.ok()) return s;
  watch.Finish();
  m->ops = p.num;
  return s;
}

BenchStatus Gets(BenchEngine* engine, const WorkloadParams& p, bool missing, Measurement* m) {
  KeyFormatter keys;
  BenchRandom rnd(p.seed);
  std::string value;
  Stopwatch watch(m);
  for (uint64_t i = 0; i < p.num; i++) {
    const uint64_t k = rnd.Uniform(p.num);
    bool found = false;
    BenchStatus s = engine->Get(missing ? keys.MissingKey(k) : keys.Key(k), &value, &found);
    watch.Lap();
    if (!s.ok()) return s;
    if (found) {
      m->found++;
      m->bytes += kKeySize + value.size();
    }
  }
  watch.Finish();
  m->ops = p.num;
  return BenchStatus::OK();
}

BenchStatus ReadRandom(BenchEngine* e, const WorkloadParams& p, Measurement* m) {
  return Gets(e, p, /*missing=*/false, m);
}

BenchStatus ReadMissing(BenchEngine* e, const WorkloadParams& p, Measurement* m) {
  return Gets(e, p, /*missing=*/true, m);
}

BenchStatus ReadSeq(BenchEngine* engine, const WorkloadParams& p, Measurement* m) {
  const Clock::time_point start = Clock::now();
  std::unique_ptr<BenchIterator> it = engine->NewIterator();
  uint64_t n = 0;
  for (it->SeekToFirst(); it->Valid() && n < p.num; it->Next()) {
    m->bytes += it->key().size() + it->value().size();
    n++;
  }
  BenchStatus s = it->status();
  it.reset();
  m->seconds = MicrosBetween(start, Clock::now()) / 1e6;
  m->ops = n;
  m->found = n;
  return s;
}

BenchStatus SeekRandom(BenchEngine* engine, const WorkloadParams& p, Measurement* m) {
  const uint64_t seeks = std::max<uint64_t>(1, p.num / 10);
  KeyFormatter keys;
  BenchRandom rnd(p.seed);
  Stopwatch watch(m);
  std::unique_ptr<BenchIterator> it = engine->NewIterator();
  watch.Restart();
  for (uint64_t i = 0; i < seeks; i++) {
    it->Seek(keys.Key(rnd.Uniform(p.num)));
    for (int j = 0; j <= kNextsPerSeek && it->Valid(); j++) {  // the entry found, then 100 more
      m->bytes += it->key().size() + it->value().size();
      m->found++;
      if (j < kNextsPerSeek) it->Next();
    }
    watch.Lap();
    if (!it->status().ok()) return it->status();
  }
  it.reset();
  watch.Finish();
  m->ops = seeks;
  return BenchStatus::OK();
}

BenchStatus Compact(BenchEngine* engine, const WorkloadParams&, Measurement* m) {
  Stopwatch watch(m);
  BenchStatus s = engine->CompactAll();
  watch.Lap();
  watch.Finish();
  m->ops = 1;
  return s;
}

BenchStatus ReadRandomCompacted(BenchEngine* engine, const WorkloadParams& p, Measurement* m) {
  BenchStatus s = engine->CompactAll();  // untimed
  return s.ok() ? Gets(engine, p, /*missing=*/false, m) : s;
}

}  // namespace

const std::vector<Workload>& AllWorkloads() {
  static const std::vector<Workload> kWorkloads = {
      {"fillseq", "num puts, keys in ascending order, into an empty DB", "put", WorkloadDb::kEmpty, FillSeq},
      {"fillrandom", "num puts, random keys (with repeats), into an empty DB", "put", WorkloadDb::kEmpty,
       FillRandom},
      {"overwrite", "num puts, random keys, into a filled DB (all overwrites)", "put", WorkloadDb::kFilledOwn,
       FillRandom},
      {"fillbatch", "num puts, ascending keys, in write batches of 1000, into an empty DB", "put",
       WorkloadDb::kEmpty, FillBatch},
      {"readrandom", "num gets of random present keys", "get", WorkloadDb::kFilledShared, ReadRandom},
      {"readmissing", "num gets of random absent keys (between present ones)", "get",
       WorkloadDb::kFilledShared, ReadMissing},
      {"readseq", "one iterator over the first num entries", "entry", WorkloadDb::kFilledShared, ReadSeq},
      {"seekrandom", "num/10 seeks to random keys, each followed by 100 nexts", "seek",
       WorkloadDb::kFilledShared, SeekRandom},
      {"compact", "one full compaction of a filled DB (ops/s: 1 / its seconds)", "compaction",
       WorkloadDb::kFilledOwn, Compact},
      {"readcompact", "readrandom on a filled DB after a full compaction (untimed)", "get",
       WorkloadDb::kFilledOwn, ReadRandomCompacted},
      {"fillsync", "num/100 synced puts, random keys, into an empty DB", "put", WorkloadDb::kEmpty, FillSync},
  };
  return kWorkloads;
}

const Workload* FindWorkload(const std::string& name) {
  for (const Workload& w : AllWorkloads()) {
    if (name == w.name) return &w;
  }
  return nullptr;
}

BenchStatus Prefill(BenchEngine* engine, const WorkloadParams& params) {
  std::vector<uint64_t> order(params.num);
  std::iota(order.begin(), order.end(), 0);
  BenchRandom rnd(params.seed ^ 0x5eedf111ull);
  std::shuffle(order.begin(), order.end(), rnd.engine());
  WorkloadParams p = params;
  p.seed = params.seed ^ 0xfeedull;  // values unlike the timed writes'
  return WriteBatches(engine, p, &order, /*watch=*/nullptr, /*m=*/nullptr);
}

}  // namespace bench
}  // namespace strata
