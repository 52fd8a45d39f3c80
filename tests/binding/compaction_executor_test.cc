// Deferred compaction through WasmDatabase (wasm/binding/database.h) and
// DeferredCompactionExecutor / RunEncodedCompaction
// (wasm/binding/compaction_executor.h), natively, on the path the
// TypeScript package drives in the browser (wasm/src/database.ts
// runCompaction, wasm/src/compaction.ts runCompactionIn):
//
//   the engine starts a job -> HasCompactionJob() -> TakeCompactionJob()
//   (the envelope at Descriptor(), the input paths in CompactionInputs())
//   -> a compaction worker writes the inputs' bytes into a file system of
//   its own, runs RunEncodedCompaction there and sends back the encoded
//   result and the new files -> the database writes each output into its
//   directory through AddCompactionOutput() -> CompleteCompaction(result in the
//   scratch) installs the job.
//
// The worker's file system is a MemEnv holding the inputs at the same
// paths, exactly the worker's situation. The database lives in a fresh
// temporary directory per test on the POSIX Env; a std::map model of every
// write (with overwrites and deletes) checks the data after each step.
#include "compaction_executor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "binding_test_util.h"
#include "database.h"
#include "json_test_util.h"
#include "strata/compaction.h"
#include "strata/env.h"
#include "strata/mem_env.h"
#include "strata/options.h"

namespace strata {
namespace {

using jsontest::Json;

// ---------------------------------------------------------------------------
// Helpers

void PutVarint64(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint64(const std::string& s, size_t* at, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift <= 63 && *at < s.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(s[(*at)++]);
    *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

std::string Parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// A TakeJob envelope (compaction_executor.cc): the reserved output file
// numbers, then the encoded job.
struct Envelope {
  std::vector<uint64_t> numbers;
  CompactionJob job;
};

testing::AssertionResult ParseEnvelope(const std::string& bytes, Envelope* out) {
  size_t at = 0;
  uint64_t count = 0;
  if (!GetVarint64(bytes, &at, &count)) return testing::AssertionFailure() << "no number count";
  out->numbers.clear();
  for (uint64_t i = 0; i < count; i++) {
    uint64_t n;
    if (!GetVarint64(bytes, &at, &n))
      return testing::AssertionFailure() << "file number " << i << " truncated";
    out->numbers.push_back(n);
  }
  Status s = DecodeCompactionJob(Slice(bytes.data() + at, bytes.size() - at), &out->job);
  if (!s.ok()) return testing::AssertionFailure() << "job: " << s.ToString();
  return testing::AssertionSuccess();
}

// An envelope built by hand: these numbers, then this job.
std::string MakeEnvelope(const std::vector<uint64_t>& numbers, const CompactionJob& job) {
  std::string out;
  PutVarint64(&out, numbers.size());
  for (uint64_t n : numbers) PutVarint64(&out, n);
  return out + EncodeCompactionJob(job);
}

// What a compaction worker sends back (compaction.ts, CompactionReply).
struct WorkerReply {
  std::string result;  // EncodeCompactionResult
  CompactionResult decoded;
  std::map<std::string, std::string> outputs;  // path -> bytes
};

// The worker: a file system of its own (a MemEnv) into which it writes the
// inputs' bytes at their paths (read here from the database's directory),
// runs the envelope, and answers the result and the files that are new in
// the job's directory.
void RunInWorker(const std::string& envelope, const std::string& dir, const std::vector<std::string>& inputs,
                 WorkerReply* reply) {
  std::unique_ptr<MemEnv> fs = NewMemEnv(Env::Default());
  ASSERT_TRUE(fs->CreateDir(dir).ok());
  std::set<std::string> input_set;
  for (const auto& path : inputs) {
    std::string bytes;
    ASSERT_TRUE(ReadFileToString(Env::Default(), path, &bytes).ok()) << path;
    ASSERT_TRUE(fs->CreateDir(Parent(path)).ok());
    ASSERT_TRUE(WriteStringToFile(fs.get(), bytes, path, /*sync=*/true).ok()) << path;
    input_set.insert(path);
  }
  reply->result = RunEncodedCompaction(envelope, fs.get());
  Status s = DecodeCompactionResult(reply->result, &reply->decoded);
  ASSERT_TRUE(s.ok()) << "the worker's result does not decode: " << s.ToString();
  std::vector<std::string> names;
  ASSERT_TRUE(fs->GetChildren(dir, &names).ok());
  reply->outputs.clear();
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    if (input_set.count(path) > 0) continue;
    ASSERT_TRUE(ReadFileToString(fs.get(), path, &reply->outputs[path]).ok()) << path;
  }
}

// A job taken from the database: its envelope (raw and parsed) and input
// paths.
struct TakenJob {
  std::string envelope;
  Envelope parsed;
  std::vector<std::string> inputs;
  std::vector<std::string> reserved_outputs;  // CompactionReservedOutputs()
};

class BindingCompactionExecutorTest : public WasmDatabaseTest {
 protected:
  BindingCompactionExecutorTest() : WasmDatabaseTest("strata_compaction_exec_") {}

  // The smallest memtable; jobs wait for JavaScript unless deferred is off.
  int Open(bool deferred = true) {
    OpenConfig config;
    config.write_buffer_bytes = 64 << 10;
    config.deferred_compaction = deferred;
    return db_->Open(dir_, config);
  }

  // --- reading the database ---

  // Every entry, through one cursor.
  std::map<std::string, std::string> Scan() {
    std::map<std::string, std::string> out;
    const uint32_t id = d_->NewCursor(NoBound(), NoBound(), /*reverse=*/false);
    EXPECT_NE(0u, id) << db_->LastError();
    if (id == 0) return out;
    for (auto& [key, value] : d_->Drain(id, 1000)) out[key] = std::move(value);
    EXPECT_EQ(kOk, db_->CloseCursor(id));
    return out;
  }

  uint64_t Counter(const std::string& name) {
    const Json stats = d_->Stats();
    const Json* j = stats.Find(name);
    EXPECT_NE(nullptr, j) << name;
    return j == nullptr ? ~uint64_t{0} : static_cast<uint64_t>(j->number);
  }
  bool ReadOnly() {
    const Json stats = d_->Stats();
    const Json* j = stats.Find("readOnly");
    EXPECT_NE(nullptr, j);
    return j == nullptr || j->boolean;
  }
  // The numbers of the tables in one level (level >= 0) or in all.
  std::set<uint64_t> LevelTables(int level) {
    std::set<uint64_t> out;
    const Json stats = d_->Stats();
    const Json* levels = stats.Find("levels");
    EXPECT_NE(nullptr, levels);
    if (levels == nullptr) return out;
    for (const auto& l : levels->array) {
      const Json* n = l.Find("level");
      if (level >= 0 && (n == nullptr || static_cast<int>(n->number) != level)) continue;
      for (const auto& t : l.Find("tables")->array)
        out.insert(static_cast<uint64_t>(t.Find("number")->number));
    }
    return out;
  }
  std::set<uint64_t> AllTables() { return LevelTables(-1); }
  std::set<std::string> Changes() {
    const std::vector<std::string> paths = d_->Changes();
    return std::set<std::string>(paths.begin(), paths.end());
  }

  // --- the workload, and the model that follows it ---

  static std::string Key(int i) {
    char buf[16];
    snprintf(buf, sizeof(buf), "key%04d", i);
    return buf;
  }

  // A Put the model follows (whatever it answers: the caller checks that).
  int ModelPut(const std::string& key, const std::string& value) {
    const int code = d_->Put(key, value);
    model_[key] = value;
    keys_.insert(key);
    return code;
  }

  // About 20 KiB of puts over the whole key space (so tables overlap and a
  // job merges them), overwriting earlier rounds, and some deletes. Stays
  // under the 64 KiB memtable: a round is one table once flushed.
  void WriteRound() {
    const int round = round_++;
    for (int i = 0; i < 120; i++) {
      const std::string key = Key((round * 37 + i * 7) % 400);
      std::string value = "r" + std::to_string(round) + "-" + key + "-";
      value.resize(150, static_cast<char>('a' + (round + i) % 26));
      ASSERT_EQ(kOk, ModelPut(key, value)) << db_->LastError();
      if (i % 10 == 9) {
        const std::string gone = Key((round * 11 + i * 13) % 400);
        ASSERT_EQ(kOk, d_->Delete(gone)) << db_->LastError();
        model_.erase(gone);
        keys_.insert(gone);
      }
    }
  }

  // Stops early once a job waits: the engine does nothing else until it is
  // taken and completed.
  void RunPendingWorkUntilJob(int max_steps) {
    for (int steps = 0; steps < max_steps && db_->HasPendingWork() && !db_->HasCompactionJob(); steps++) {
      ASSERT_EQ(kOk, db_->RunPendingWork()) << db_->LastError();
    }
  }

  void FlushAndRunPendingWork() {
    ASSERT_EQ(kOk, db_->Flush()) << db_->LastError();
    ASSERT_NO_FATAL_FAILURE(RunPendingWorkUntilJob(100));
  }

  // Rounds of writes and flushes until the engine starts a job.
  void FillUntilJob() {
    for (int rounds = 0; rounds < 20 && !db_->HasCompactionJob(); rounds++) {
      ASSERT_NO_FATAL_FAILURE(WriteRound());
      ASSERT_NO_FATAL_FAILURE(FlushAndRunPendingWork());
    }
    ASSERT_TRUE(db_->HasCompactionJob()) << "no compaction job after " << round_ << " flushed rounds";
  }

  // Every key ever written reads back as the model says, and a scan sees
  // exactly the model.
  void ExpectDataIntact() {
    for (const auto& key : keys_) {
      const auto it = model_.find(key);
      EXPECT_EQ(it == model_.end() ? "<code 1>" : it->second, d_->GetOr(key)) << key;
    }
    EXPECT_EQ(model_, Scan());
  }

  void ReopenAndExpectDataIntact() {
    ASSERT_EQ(kOk, db_->Close()) << db_->LastError();
    ASSERT_EQ(kOk, Open()) << db_->LastError();
    ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
  }

  // --- a job's way: taken, run in a worker, delivered ---

  // TakeCompactionJob, and checks what it answers: the envelope parses,
  // names the job's inputs in CompactionInputs()'s order, writes into the
  // database directory and reserves fresh file numbers.
  void Take(TakenJob* taken) {
    ASSERT_TRUE(db_->HasCompactionJob());
    ASSERT_EQ(kOk, db_->TakeCompactionJob()) << db_->LastError();
    EXPECT_FALSE(db_->HasCompactionJob()) << "a taken job no longer waits";
    taken->envelope = d_->Result();
    ASSERT_TRUE(ParseEnvelope(taken->envelope, &taken->parsed));
    const std::string inputs = db_->CompactionInputs();
    ASSERT_FALSE(inputs.empty());
    EXPECT_EQ('\n', inputs.back());
    taken->inputs = Lines(inputs);
    const CompactionJob& job = taken->parsed.job;
    EXPECT_GT(job.id, 0u);
    EXPECT_EQ(dir_, job.output_dir);
    ASSERT_EQ(job.inputs.size(), taken->inputs.size());
    for (size_t i = 0; i < job.inputs.size(); i++) {
      EXPECT_EQ(job.inputs[i].path, taken->inputs[i]);
      EXPECT_EQ(dir_, Parent(taken->inputs[i]));
      EXPECT_TRUE(Env::Default()->FileExists(taken->inputs[i])) << taken->inputs[i];
    }
    EXPECT_GE(job.inputs.size(), 1u);  // a manual compaction rewrites a lone table too
    const std::set<uint64_t> numbers(taken->parsed.numbers.begin(), taken->parsed.numbers.end());
    EXPECT_EQ(taken->parsed.numbers.size(), numbers.size()) << "reserved numbers repeat";
    EXPECT_FALSE(numbers.empty());
    const std::set<uint64_t> tables = AllTables();
    for (uint64_t n : numbers) {
      EXPECT_EQ(0u, tables.count(n)) << "reserved number " << n << " is a live table";
      char name[32];
      snprintf(name, sizeof(name), "/%06llu.sst", static_cast<unsigned long long>(n));
      EXPECT_FALSE(Env::Default()->FileExists(dir_ + name)) << dir_ + name;
    }
    for (const auto& in : job.inputs) EXPECT_EQ(0u, numbers.count(in.file_number));
    // One path per reserved number, in order: the names its outputs can have.
    taken->reserved_outputs = Lines(db_->CompactionReservedOutputs());
    ASSERT_EQ(taken->parsed.numbers.size(), taken->reserved_outputs.size());
    for (size_t i = 0; i < taken->parsed.numbers.size(); i++) {
      char name[32];
      snprintf(name, sizeof(name), "/%06llu.sst", static_cast<unsigned long long>(taken->parsed.numbers[i]));
      EXPECT_EQ(dir_ + name, taken->reserved_outputs[i]);
    }
  }

  // Writes until a job waits, and takes it.
  void FillAndTake(TakenJob* taken) {
    ASSERT_NO_FATAL_FAILURE(FillUntilJob());
    ASSERT_NO_FATAL_FAILURE(Take(taken));
  }
  void OpenUntilJob() {
    ASSERT_EQ(kOk, Open()) << db_->LastError();
    ASSERT_NO_FATAL_FAILURE(FillUntilJob());
  }
  void OpenAndTake(TakenJob* taken) {
    ASSERT_EQ(kOk, Open()) << db_->LastError();
    ASSERT_NO_FATAL_FAILURE(FillAndTake(taken));
  }

  // The worker's run of a taken job; checks it succeeded and that its new
  // files are exactly the result's outputs, named by reserved numbers.
  void RunWorker(const TakenJob& taken, WorkerReply* reply) {
    ASSERT_NO_FATAL_FAILURE(RunInWorker(taken.envelope, dir_, taken.inputs, reply));
    const CompactionResult& r = reply->decoded;
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(taken.parsed.job.id, r.job_id);
    ASSERT_FALSE(r.outputs.empty());
    ASSERT_EQ(r.outputs.size(), reply->outputs.size()) << "new files in the worker's directory";
    const std::set<uint64_t> reserved(taken.parsed.numbers.begin(), taken.parsed.numbers.end());
    const std::set<std::string> reserved_paths(taken.reserved_outputs.begin(), taken.reserved_outputs.end());
    for (const auto& out : r.outputs) {
      ASSERT_EQ(1u, reply->outputs.count(out.path)) << out.path << " is not among the worker's files";
      EXPECT_EQ(out.size, reply->outputs.at(out.path).size()) << out.path;
      EXPECT_EQ(1u, reserved.count(out.file_number)) << out.path << " was not reserved";
      EXPECT_EQ(1u, reserved_paths.count(out.path)) << out.path << " is not in CompactionReservedOutputs()";
    }
  }

  // Opens, takes a job and has a worker run it; the reply is not delivered.
  void OpenTakeAndRun(TakenJob* taken, WorkerReply* reply) {
    ASSERT_NO_FATAL_FAILURE(OpenAndTake(taken));
    ASSERT_NO_FATAL_FAILURE(RunWorker(*taken, reply));
  }

  // The worker's run of a taken job whose envelope reserves no output
  // numbers: it fails for want of one.
  void RunWithoutNumbers(const TakenJob& taken, WorkerReply* reply) {
    ASSERT_NO_FATAL_FAILURE(RunInWorker(MakeEnvelope({}, taken.parsed.job), dir_, taken.inputs, reply));
  }

  // AddCompactionOutput with a maker that writes the runner's bytes as the
  // file (the browser build's adopts its buffer as the MEMFS file instead).
  int AddOutput(const std::string& path, const std::string& bytes) {
    return db_->AddCompactionOutput(path, [&bytes](const std::string& file) {
      return WriteStringToFile(Env::Default(), bytes, file, false);
    });
  }
  // What background.ts does with a reply: adds each output to the database
  // (AddCompactionOutput), then completes the job with the encoded result.
  void WriteOutputs(const WorkerReply& reply) {
    for (const auto& [path, bytes] : reply.outputs) {
      ASSERT_EQ(kOk, AddOutput(path, bytes)) << path << ": " << db_->LastError();
    }
  }
  // A job run in a worker and its outputs recorded: all it lacks is
  // CompleteCompaction.
  void OpenAndRecordOutputs(TakenJob* taken, WorkerReply* reply) {
    ASSERT_NO_FATAL_FAILURE(OpenTakeAndRun(taken, reply));
    ASSERT_NO_FATAL_FAILURE(WriteOutputs(*reply));
  }
  void Deliver(const WorkerReply& reply) {
    ASSERT_NO_FATAL_FAILURE(WriteOutputs(reply));
    ASSERT_EQ(kOk, d_->Complete(reply.result)) << db_->LastError();
  }

  // The whole way of a taken job: run in a MemEnv worker, installed.
  void RunAndInstall(const TakenJob& taken, WorkerReply* reply) {
    ASSERT_NO_FATAL_FAILURE(RunWorker(taken, reply));
    ASSERT_NO_FATAL_FAILURE(Deliver(*reply));
  }
  void RunAndInstall(const TakenJob& taken) {
    WorkerReply reply;
    ASSERT_NO_FATAL_FAILURE(RunAndInstall(taken, &reply));
  }
  // The same, then checks that the session has done `compactions` in all
  // and that the data is intact.
  void RunInstallAndCheck(const TakenJob& taken, uint64_t compactions) {
    ASSERT_NO_FATAL_FAILURE(RunAndInstall(taken));
    EXPECT_EQ(compactions, Counter("compactions"));
    ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
  }

  // A failed reply still names the job, and has no outputs.
  void ExpectFailedReplyTo(const TakenJob& taken, const WorkerReply& reply) {
    EXPECT_EQ(taken.parsed.job.id, reply.decoded.job_id);
    EXPECT_TRUE(reply.decoded.outputs.empty());
  }

  // Delivering a failed result makes the database run the job itself; the
  // failure is not the database's.
  void ExpectFailedResultRunsTheJobHere(const WorkerReply& reply) {
    ASSERT_EQ(kOk, d_->Complete(reply.result)) << db_->LastError();
    EXPECT_EQ(1u, Counter("compactions"));
    EXPECT_FALSE(ReadOnly());
    ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
  }

  // One compaction done this session, and none running.
  void ExpectOneCompactionDone() {
    EXPECT_EQ(1u, Counter("compactions"));
    EXPECT_EQ(0u, Counter("compactionsRunning"));
  }

  // The job ran here (RunCompactionInline or a failed result): done, its
  // inputs are no longer tables, the data is intact.
  void ExpectJobRanHere(const TakenJob& taken) {
    ExpectOneCompactionDone();
    EXPECT_FALSE(ReadOnly()) << d_->Stats().Find("readOnlyReason")->text;
    for (const auto& in : taken.parsed.job.inputs) EXPECT_EQ(0u, AllTables().count(in.file_number));
    ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
  }

  // Compact() until it answers OK, running each job it leaves out in the
  // worker; returns how many jobs ran.
  int CompactThroughTheWorker() {
    int jobs = 0;
    for (int calls = 0; calls < 50; calls++) {
      const int code = d_->Compact();
      if (code == kOk) return jobs;
      EXPECT_EQ(kBusy, code) << db_->LastError();
      if (code != kBusy) return jobs;
      RunAndInstallWaitingJob();
      jobs++;
    }
    ADD_FAILURE() << "Compact() never finished";
    return jobs;
  }
  // Takes the waiting job, runs it in the worker, installs it.
  void RunAndInstallWaitingJob() {
    if (!db_->HasCompactionJob()) return;
    TakenJob taken;
    Take(&taken);
    RunAndInstall(taken);
  }

  std::map<std::string, std::string> model_;
  std::set<std::string> keys_;
  int round_ = 0;
};

// ---------------------------------------------------------------------------
// The worker's path, end to end

TEST_F(BindingCompactionExecutorTest, WorkerRunsTheJobAndTheDatabaseInstallsIt) {
  ASSERT_NO_FATAL_FAILURE(OpenUntilJob());
  EXPECT_EQ(0u, Counter("compactions"));
  EXPECT_EQ(1u, Counter("compactionsRunning"));
  EXPECT_FALSE(db_->HasPendingWork()) << "nothing else to do while the job waits";

  TakenJob taken;
  ASSERT_NO_FATAL_FAILURE(Take(&taken));
  EXPECT_EQ(kNotFound, db_->TakeCompactionJob()) << "one job, taken once";
  const std::set<uint64_t> l0_before = LevelTables(0);
  for (const auto& in : taken.parsed.job.inputs) {
    if (in.level == 0) {
      EXPECT_EQ(1u, l0_before.count(in.file_number)) << in.path;
    }
  }

  WorkerReply reply;
  ASSERT_NO_FATAL_FAILURE(RunWorker(taken, &reply));
  Changes();  // what came before
  ASSERT_NO_FATAL_FAILURE(Deliver(reply));

  ExpectOneCompactionDone();
  EXPECT_FALSE(ReadOnly());
  // The outputs are the output level's new tables, byte for byte what the
  // worker wrote; the inputs are gone.
  const std::set<uint64_t> out_level = LevelTables(taken.parsed.job.output_level);
  for (const auto& out : reply.decoded.outputs) {
    EXPECT_EQ(1u, out_level.count(out.file_number)) << out.path;
    std::string bytes;
    EXPECT_TRUE(ReadFileToString(Env::Default(), out.path, &bytes).ok()) << out.path;
    EXPECT_TRUE(bytes == reply.outputs.at(out.path)) << out.path;
  }
  const std::set<uint64_t> tables = AllTables();
  for (const auto& in : taken.parsed.job.inputs) {
    EXPECT_EQ(0u, tables.count(in.file_number)) << in.path;
    EXPECT_FALSE(Env::Default()->FileExists(in.path)) << in.path;
  }
  // The next commit stores the outputs and deletes the inputs.
  const std::set<std::string> changes = Changes();
  for (const auto& [path, bytes] : reply.outputs) {
    EXPECT_EQ(1u, changes.count(path)) << path << " not in " << testing::PrintToString(changes);
  }
  for (const auto& in : taken.inputs) {
    EXPECT_EQ(1u, changes.count(in)) << in << " not in " << testing::PrintToString(changes);
  }
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());

  // More writes on top, then a reopen (deferred again): all there.
  ASSERT_NO_FATAL_FAILURE(WriteRound());
  ASSERT_NO_FATAL_FAILURE(ReopenAndExpectDataIntact());
  for (const auto& out : reply.decoded.outputs) {
    EXPECT_EQ(1u, AllTables().count(out.file_number)) << out.path << " after reopen";
  }
  EXPECT_FALSE(ReadOnly());
}

// The engine's events, as the binding queues them (event_queue.h): a job run
// by the worker is reported complete, with the runner's name; one run here
// says so.
TEST_F(BindingCompactionExecutorTest, EventsSayWhereEachJobRanAndWhatItDid) {
  ASSERT_NO_FATAL_FAILURE(OpenUntilJob());
  TakenJob taken;
  ASSERT_NO_FATAL_FAILURE(Take(&taken));
  WorkerReply reply;
  ASSERT_NO_FATAL_FAILURE(RunWorker(taken, &reply));
  d_->TakeEvents();
  ASSERT_NO_FATAL_FAILURE(Deliver(reply));
  auto finished = [&](const std::string& lines) {
    std::vector<Json> out;
    for (const auto& line : Lines(lines)) {
      Json event;
      std::string error;
      EXPECT_TRUE(jsontest::JsonParser::Parse(line, &event, &error)) << error << ": " << line;
      if (event.Find("type")->text == "compaction" && event.Find("phase")->text == "finished")
        out.push_back(event);
    }
    return out;
  };
  std::vector<Json> ends = finished(d_->TakeEvents());
  ASSERT_EQ(1u, ends.size());
  const Json& end = ends[0];
  EXPECT_EQ("worker", end.Find("runner")->text);
  EXPECT_EQ(static_cast<double>(taken.parsed.job.id), end.Find("job")->number);
  EXPECT_EQ(Json::Type::kNull, end.Find("error")->type);
  EXPECT_EQ(taken.parsed.job.inputs.size(), end.Find("inputs")->array.size());
  std::set<uint64_t> outputs;
  for (const auto& out : end.Find("outputs")->array) {
    outputs.insert(static_cast<uint64_t>(out.Find("number")->number));
    EXPECT_EQ(static_cast<double>(taken.parsed.job.output_level), out.Find("level")->number);
  }
  std::set<uint64_t> written;
  for (const auto& out : reply.decoded.outputs) written.insert(out.file_number);
  EXPECT_EQ(written, outputs);

  // The next job, run here instead.
  ASSERT_NO_FATAL_FAILURE(FillUntilJob());
  ASSERT_EQ(kOk, db_->RunCompactionInline()) << db_->LastError();
  ends = finished(d_->TakeEvents());
  ASSERT_EQ(1u, ends.size());
  EXPECT_EQ("here", ends[0].Find("runner")->text);
  EXPECT_FALSE(db_->HasEvents());
}

// Jobs keep coming as writes go on; each runs in a worker.
TEST_F(BindingCompactionExecutorTest, SeveralJobsInARow) {
  ASSERT_EQ(kOk, Open()) << db_->LastError();
  for (int job = 0; job < 3; job++) {
    SCOPED_TRACE("job " + std::to_string(job));
    TakenJob taken;
    ASSERT_NO_FATAL_FAILURE(FillAndTake(&taken));
    ASSERT_NO_FATAL_FAILURE(RunInstallAndCheck(taken, static_cast<uint64_t>(job + 1)));
  }
  ASSERT_NO_FATAL_FAILURE(ReopenAndExpectDataIntact());
}

// ---------------------------------------------------------------------------
// While a job is out

TEST_F(BindingCompactionExecutorTest, ReadsAndWritesGoOnWhileAJobIsOut) {
  TakenJob taken;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(&taken));

  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
  EXPECT_EQ(kOk, ModelPut("while-out", "v"));
  EXPECT_EQ("v", d_->GetOr("while-out"));
  // A flush too, and pending work: no second job while one is out, and
  // the inputs stay (they are live until the edit that replaces them).
  ASSERT_NO_FATAL_FAILURE(WriteRound());
  ASSERT_NO_FATAL_FAILURE(FlushAndRunPendingWork());
  EXPECT_FALSE(db_->HasCompactionJob());
  EXPECT_EQ(kNotFound, db_->TakeCompactionJob());
  for (const auto& in : taken.inputs) EXPECT_TRUE(Env::Default()->FileExists(in)) << in;
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());

  // The job still completes: the worker only ever saw its inputs.
  ASSERT_NO_FATAL_FAILURE(RunInstallAndCheck(taken, 1u));
  ASSERT_NO_FATAL_FAILURE(ReopenAndExpectDataIntact());
}

TEST_F(BindingCompactionExecutorTest, CompactIsBusyWhileAJobIsOut) {
  TakenJob taken;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(&taken));

  EXPECT_EQ(kBusy, d_->Compact());
  EXPECT_LAST_ERROR_HAS(*db_, "compaction");
  EXPECT_EQ(0u, Counter("compactions")) << "Busy compacted nothing";
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
  ASSERT_NO_FATAL_FAILURE(RunAndInstall(taken));
  ASSERT_NO_FATAL_FAILURE(CompactThroughTheWorker());
  EXPECT_TRUE(LevelTables(0).empty());
  EXPECT_GE(Counter("compactions"), 1u);
  EXPECT_FALSE(db_->HasCompactionJob()) << "a manual compaction leaves no job out";
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
}

// A manual compaction's jobs go to the worker like any other, one level at
// a time: each call answers Busy while its job is out, and the next call
// (the same range) goes on with the next level, not from the start.
TEST_F(BindingCompactionExecutorTest, CompactSendsItsJobsToTheWorkerLevelByLevel) {
  ASSERT_EQ(kOk, Open()) << db_->LastError();
  ASSERT_NO_FATAL_FAILURE(FillUntilJob());
  RunAndInstallWaitingJob();  // tables in L1
  ASSERT_NO_FATAL_FAILURE(WriteRound());
  ASSERT_EQ(kOk, db_->Flush()) << db_->LastError();  // and in L0
  ASSERT_FALSE(LevelTables(0).empty());
  ASSERT_FALSE(LevelTables(1).empty());
  const uint64_t before = Counter("compactions");
  const int jobs = CompactThroughTheWorker();
  EXPECT_GE(jobs, 2) << "L0 into L1, then L1 into L2";
  EXPECT_EQ(before + static_cast<uint64_t>(jobs), Counter("compactions"))
      << "each job ran once, in the worker";
  int levels_with_tables = 0;
  for (int level = 0; level < 7; level++) levels_with_tables += LevelTables(level).empty() ? 0 : 1;
  EXPECT_EQ(1, levels_with_tables) << "everything in one level";
  // Compacting again finds nothing to do without opening a table: the
  // worker's results carried each output's properties.
  const uint64_t misses = Counter("tableCacheMisses");
  EXPECT_EQ(kOk, d_->Compact()) << db_->LastError();
  EXPECT_FALSE(db_->HasCompactionJob());
  EXPECT_EQ(misses, Counter("tableCacheMisses"));
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
}

// L0 reaches the stop trigger (12, the engine default) while the job that
// would shrink it is out: a write that needs room answers Busy instead of
// waiting for a job only JavaScript can finish, and applies nothing.
TEST_F(BindingCompactionExecutorTest, WritesStopAtTheL0LimitUntilTheJobCompletes) {
  TakenJob taken;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(&taken));
  const int stop = Options().l0_stop_writes_trigger;
  for (int i = 0; i < 2 * stop && LevelTables(0).size() < static_cast<size_t>(stop); i++) {
    ASSERT_NO_FATAL_FAILURE(WriteRound());
    ASSERT_EQ(kOk, db_->Flush()) << db_->LastError();
  }
  ASSERT_EQ(static_cast<size_t>(stop), LevelTables(0).size());

  // Room in the memtable: writes go on. A flush needs room in L0: Busy.
  ASSERT_EQ(kOk, ModelPut("small", "1"));
  EXPECT_EQ(kBusy, db_->Flush());
  EXPECT_LAST_ERROR_HAS(*db_, "writes are stopped");
  // Fill the memtable: the write that needs a new one answers Busy.
  int code = kOk;
  std::string refused;
  for (int i = 0; i < 1000 && code == kOk; i++) {
    const std::string key = "fill" + std::to_string(i);
    const std::string value(1000, 'f');
    code = d_->Put(key, value);
    keys_.insert(key);
    if (code == kOk) {
      model_[key] = value;
    } else {
      refused = key;
    }
  }
  EXPECT_EQ(kBusy, code) << db_->LastError();
  EXPECT_LAST_ERROR_HAS(*db_, "writes are stopped");
  EXPECT_EQ("<code 1>", d_->GetOr(refused)) << "a refused write applies nothing";
  EXPECT_FALSE(ReadOnly()) << "Busy is not an error state";
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());

  ASSERT_NO_FATAL_FAILURE(RunAndInstall(taken));
  EXPECT_LT(LevelTables(0).size(), static_cast<size_t>(stop));
  EXPECT_EQ(kOk, ModelPut(refused, "now")) << db_->LastError();
  EXPECT_EQ(kOk, db_->Flush()) << db_->LastError();
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
}

// ---------------------------------------------------------------------------
// Running a job here instead

TEST_F(BindingCompactionExecutorTest, RunCompactionInlineCompletesATakenJob) {
  TakenJob taken;
  WorkerReply reply;  // a worker that will come back too late
  ASSERT_NO_FATAL_FAILURE(OpenTakeAndRun(&taken, &reply));

  ASSERT_EQ(kOk, db_->RunCompactionInline()) << db_->LastError();
  ASSERT_NO_FATAL_FAILURE(ExpectJobRanHere(taken));

  // Nothing left to run or complete: the late result is refused.
  EXPECT_EQ(kInvalidArgument, db_->RunCompactionInline());
  EXPECT_EQ(kInvalidArgument, d_->Complete(reply.result));
  EXPECT_EQ(1u, Counter("compactions"));
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
  ASSERT_NO_FATAL_FAILURE(ReopenAndExpectDataIntact());
}

TEST_F(BindingCompactionExecutorTest, RunCompactionInlineRunsAWaitingJob) {
  ASSERT_NO_FATAL_FAILURE(OpenUntilJob());
  ASSERT_EQ(kOk, db_->RunCompactionInline()) << db_->LastError();
  EXPECT_FALSE(db_->HasCompactionJob());
  EXPECT_EQ(kNotFound, db_->TakeCompactionJob());
  ExpectOneCompactionDone();
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
}

// A worker that failed (out of memory, say) answers a failed result: the
// job runs here instead, and the failure is not the database's.
TEST_F(BindingCompactionExecutorTest, FailedWorkerResultRunsTheJobHere) {
  TakenJob taken;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(&taken));

  CompactionResult failed;
  failed.job_id = taken.parsed.job.id;
  failed.status = Status::Corruption("the worker ran out of memory");
  ASSERT_EQ(kOk, d_->Complete(EncodeCompactionResult(failed))) << db_->LastError();
  ASSERT_NO_FATAL_FAILURE(ExpectJobRanHere(taken));
  EXPECT_EQ(kOk, ModelPut("after", "1"));
  ASSERT_NO_FATAL_FAILURE(ReopenAndExpectDataIntact());
}

// A worker whose file system lacked the inputs fails the job (the real
// worker's failure); the database runs it here from its own inputs.
TEST_F(BindingCompactionExecutorTest, WorkerWithoutTheInputsFailsAndTheJobRunsHere) {
  TakenJob taken;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(&taken));
  WorkerReply reply;
  ASSERT_NO_FATAL_FAILURE(RunInWorker(taken.envelope, dir_, {}, &reply));
  EXPECT_FALSE(reply.decoded.status.ok());
  ExpectFailedReplyTo(taken, reply);
  EXPECT_TRUE(reply.outputs.empty()) << "a failed job leaves no files behind";

  ASSERT_NO_FATAL_FAILURE(ExpectFailedResultRunsTheJobHere(reply));
}

// ---------------------------------------------------------------------------
// Results that are refused

TEST_F(BindingCompactionExecutorTest, GarbageResultIsRefusedAndTheJobStaysOut) {
  TakenJob taken;
  WorkerReply reply;
  ASSERT_NO_FATAL_FAILURE(OpenTakeAndRun(&taken, &reply));

  auto expect_refused = [&](const std::string& what, const std::string& bytes) {
    SCOPED_TRACE(what);
    const int code = d_->Complete(bytes);
    EXPECT_TRUE(code == kInvalidArgument || code == kCorruption) << code << ": " << db_->LastError();
    EXPECT_FALSE(db_->LastError().empty());
    EXPECT_EQ(0u, Counter("compactions"));
    EXPECT_EQ(1u, Counter("compactionsRunning")) << "the job stays out";
    EXPECT_FALSE(db_->HasCompactionJob()) << "and is not offered again";
    EXPECT_FALSE(ReadOnly());
  };
  expect_refused("garbage", "this is not a compaction result");
  expect_refused("empty", "");
  expect_refused("truncated", reply.result.substr(0, reply.result.size() / 2));
  expect_refused("trailing byte", reply.result + "x");
  std::string bad_magic = reply.result;
  bad_magic[0] = 'J';
  expect_refused("a job's magic", bad_magic);
  // Beyond the scratch: refused before anything is read.
  d_->Load({reply.result});
  EXPECT_EQ(kInvalidArgument, db_->CompleteCompaction(0x7fffffff));
  EXPECT_EQ(1u, Counter("compactionsRunning"));
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());

  // The job is still out: here it runs.
  ASSERT_EQ(kOk, db_->RunCompactionInline()) << db_->LastError();
  ExpectOneCompactionDone();
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
}

TEST_F(BindingCompactionExecutorTest, ResultOfAnotherJobIsRefused) {
  TakenJob taken;
  WorkerReply reply;
  ASSERT_NO_FATAL_FAILURE(OpenAndRecordOutputs(&taken, &reply));

  for (uint64_t other : {taken.parsed.job.id + 1, taken.parsed.job.id - 1, uint64_t{0}}) {
    if (other == taken.parsed.job.id) continue;
    SCOPED_TRACE("job id " + std::to_string(other));
    CompactionResult wrong = reply.decoded;
    wrong.job_id = other;
    EXPECT_EQ(kInvalidArgument, d_->Complete(EncodeCompactionResult(wrong)));
    EXPECT_LAST_ERROR_HAS(*db_, "another compaction job");
    // Failed results of another job are refused too, not run.
    wrong.status = Status::IOError("worker died");
    wrong.outputs.clear();
    EXPECT_EQ(kInvalidArgument, d_->Complete(EncodeCompactionResult(wrong)));
    EXPECT_EQ(0u, Counter("compactions"));
    EXPECT_EQ(1u, Counter("compactionsRunning"));
  }
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());

  // The right result still installs.
  ASSERT_EQ(kOk, d_->Complete(reply.result)) << db_->LastError();
  EXPECT_EQ(1u, Counter("compactions"));
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
}

TEST_F(BindingCompactionExecutorTest, CompleteWithNoJobOutIsInvalidArgument) {
  ASSERT_EQ(kOk, Open()) << db_->LastError();
  CompactionResult result;
  result.job_id = 1;
  EXPECT_EQ(kInvalidArgument, d_->Complete(EncodeCompactionResult(result)));
  EXPECT_LAST_ERROR_HAS(*db_, "no compaction job");
  EXPECT_EQ(kInvalidArgument, db_->RunCompactionInline());
  EXPECT_EQ(kNotFound, db_->TakeCompactionJob());

  // A job that waits is not out yet: completing it is refused too, and it
  // still waits.
  ASSERT_NO_FATAL_FAILURE(FillUntilJob());
  EXPECT_EQ(kInvalidArgument, d_->Complete(EncodeCompactionResult(result)));
  EXPECT_TRUE(db_->HasCompactionJob());
  EXPECT_EQ(0u, Counter("compactions"));
  TakenJob taken;
  ASSERT_NO_FATAL_FAILURE(Take(&taken));
  WorkerReply reply;
  ASSERT_NO_FATAL_FAILURE(RunAndInstall(taken, &reply));

  // Completed: a second delivery of the same result is refused.
  EXPECT_EQ(kInvalidArgument, d_->Complete(reply.result));
  EXPECT_EQ(1u, Counter("compactions"));
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
}

TEST_F(BindingCompactionExecutorTest, DatabaseWithoutDeferredCompactionHasNoJobs) {
  ASSERT_EQ(kOk, Open(/*deferred=*/false)) << db_->LastError();
  for (int i = 0; i < 6; i++) {
    ASSERT_NO_FATAL_FAILURE(WriteRound());
    ASSERT_NO_FATAL_FAILURE(FlushAndRunPendingWork());
    EXPECT_FALSE(db_->HasCompactionJob());
  }
  EXPECT_GE(Counter("compactions"), 1u) << "jobs ran inline in RunPendingWork";
  EXPECT_EQ(kNotFound, db_->TakeCompactionJob());
  CompactionResult result;
  EXPECT_EQ(kInvalidArgument, d_->Complete(EncodeCompactionResult(result)));
  EXPECT_LAST_ERROR_HAS(*db_, "not deferred");
  EXPECT_EQ(kInvalidArgument, db_->RunCompactionInline());
  EXPECT_LAST_ERROR_HAS(*db_, "not deferred");
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
}

// ---------------------------------------------------------------------------
// Close with a job out

TEST_F(BindingCompactionExecutorTest, CloseWithAJobOutAbandonsIt) {
  TakenJob taken;
  WorkerReply reply;  // the worker's answer arrives after the close
  ASSERT_NO_FATAL_FAILURE(OpenTakeAndRun(&taken, &reply));
  ASSERT_EQ(kOk, db_->Close()) << db_->LastError();
  EXPECT_FALSE(db_->HasCompactionJob());
  EXPECT_EQ(kInvalidArgument, d_->Complete(reply.result)) << "closed";
  EXPECT_EQ(kInvalidArgument, db_->RunCompactionInline()) << "closed";

  ASSERT_EQ(kOk, Open()) << db_->LastError();
  ASSERT_NO_FATAL_FAILURE(ExpectDataIntact());
  EXPECT_FALSE(ReadOnly());
  // The old session's job is gone with it.
  EXPECT_EQ(kInvalidArgument, d_->Complete(reply.result));
  for (const auto& in : taken.parsed.job.inputs) {
    EXPECT_EQ(1u, AllTables().count(in.file_number)) << in.path << " is still live";
  }
  // The engine picks the work again; a worker runs it.
  ASSERT_NO_FATAL_FAILURE(RunPendingWorkUntilJob(10));
  ASSERT_TRUE(db_->HasCompactionJob());
  TakenJob again;
  ASSERT_NO_FATAL_FAILURE(Take(&again));
  ASSERT_NO_FATAL_FAILURE(RunInstallAndCheck(again, 1u));
  ASSERT_NO_FATAL_FAILURE(ReopenAndExpectDataIntact());
}

// The outputs were written and recorded, but the close came before
// CompleteCompaction: they are orphans, which the next open removes (or a
// new table of that session reuses the number and overwrites).
TEST_F(BindingCompactionExecutorTest, OutputsOfAnAbandonedJobDoNotSurviveReopen) {
  TakenJob taken;
  WorkerReply reply;
  ASSERT_NO_FATAL_FAILURE(OpenAndRecordOutputs(&taken, &reply));

  ASSERT_NO_FATAL_FAILURE(ReopenAndExpectDataIntact());
  const std::set<uint64_t> tables = AllTables();
  for (const auto& out : reply.decoded.outputs) {
    std::string bytes;
    const bool exists = ReadFileToString(Env::Default(), out.path, &bytes).ok();
    EXPECT_TRUE(!exists || (tables.count(out.file_number) > 0 && bytes != reply.outputs.at(out.path)))
        << out.path << " survived as an orphan";
  }
  EXPECT_EQ(0u, Counter("compactions"));
}

// ---------------------------------------------------------------------------
// The worker's side alone

TEST_F(BindingCompactionExecutorTest, MalformedEnvelopeGivesACorruptionResult) {
  std::unique_ptr<MemEnv> fs = NewMemEnv(Env::Default());
  CompactionJob job;
  job.id = 7;
  job.output_dir = "/w";
  CompactionInput in;
  in.file_number = 3;
  in.path = "/w/000003.sst";
  in.size = 100;
  job.inputs.push_back(in);
  const std::string encoded_job = EncodeCompactionJob(job);

  std::string truncated_numbers;
  PutVarint64(&truncated_numbers, 3);
  PutVarint64(&truncated_numbers, 10);
  truncated_numbers.push_back('\x80');  // a varint cut short
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"count cut short", "\x80"},
      {"count beyond the bytes", std::string("\x7f\x01\x02", 3)},
      {"numbers cut short", truncated_numbers},
      {"no job", MakeEnvelope({10, 11}, job).substr(0, 3)},
      {"garbage job", MakeEnvelope({10, 11}, job).substr(0, 3) + "garbage"},
      {"job cut short", MakeEnvelope({10, 11}, job).substr(0, 3 + encoded_job.size() - 1)},
      {"trailing byte", MakeEnvelope({10, 11}, job) + "x"},
  };
  for (const auto& [what, envelope] : cases) {
    SCOPED_TRACE(what);
    const std::string bytes = RunEncodedCompaction(envelope, fs.get());
    CompactionResult result;
    ASSERT_TRUE(DecodeCompactionResult(bytes, &result).ok()) << "a result, always";
    EXPECT_TRUE(result.status.IsCorruption()) << result.status.ToString();
    EXPECT_TRUE(result.outputs.empty());
  }
  EXPECT_EQ(0u, fs->FilesCreated()) << "a bad envelope runs nothing";
}

// A job that needs more output numbers than the envelope reserved fails
// (the database then runs it here) rather than reusing a number.
TEST_F(BindingCompactionExecutorTest, EnvelopeWithTooFewNumbersFails) {
  TakenJob taken;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(&taken));
  WorkerReply reply;
  ASSERT_NO_FATAL_FAILURE(RunWithoutNumbers(taken, &reply));
  EXPECT_TRUE(reply.decoded.status.IsCorruption()) << reply.decoded.status.ToString();
  ExpectFailedReplyTo(taken, reply);

  // Delivered, it makes the job run here.
  ASSERT_NO_FATAL_FAILURE(ExpectFailedResultRunsTheJobHere(reply));
}

// RunEncodedCompaction's result says its outputs are the new files in the
// job's directory (compaction.ts sends back every new file, and
// database.ts writes and records each before CompleteCompaction), so a
// failed result leaves none behind, as RunCompactionJob does on its own
// errors: also when the job ran out of reserved file numbers.
TEST_F(BindingCompactionExecutorTest, FailedResultLeavesNoFilesInTheWorkerDirectory) {
  TakenJob taken;
  ASSERT_NO_FATAL_FAILURE(OpenAndTake(&taken));
  WorkerReply reply;
  ASSERT_NO_FATAL_FAILURE(RunWithoutNumbers(taken, &reply));
  ASSERT_FALSE(reply.decoded.status.ok());
  std::vector<std::string> left;
  for (const auto& [path, bytes] : reply.outputs) left.push_back(path);
  EXPECT_TRUE(left.empty()) << "files left behind: " << testing::PrintToString(left);
}

// ---------------------------------------------------------------------------
// AddCompactionOutput

TEST_F(BindingCompactionExecutorTest, AddCompactionOutputTakesOnlyATableFileOfTheDatabase) {
  ASSERT_EQ(kOk, Open()) << db_->LastError();
  Changes();
  int made = 0;
  const auto make = [&made](const std::string& file) {
    made++;
    return WriteStringToFile(Env::Default(), "bytes", file, false);
  };
  for (const std::string& bad :
       {std::string("db/000999.sst"), std::string(""), dir_ + "/CURRENT", dir_ + "/000999.wal",
        dir_ + "/../000999.sst", dir_ + "/x000999.sst", root_ + "/other/000999.sst"}) {
    EXPECT_EQ(kInvalidArgument, db_->AddCompactionOutput(bad, make)) << bad;
    EXPECT_LAST_ERROR_HAS(*db_, "not a table file");
  }
  EXPECT_EQ(0, made) << "a refused path reached the maker";
  EXPECT_TRUE(Changes().empty()) << "refused paths are neither written nor recorded";

  const std::string path = dir_ + "/000999.sst";
  EXPECT_EQ(kOk, db_->AddCompactionOutput(path, make)) << db_->LastError();
  EXPECT_EQ(std::set<std::string>{path}, Changes());
  std::string data;
  ASSERT_TRUE(ReadFileToString(Env::Default(), path, &data).ok());
  EXPECT_EQ("bytes", data);

  // The maker's error is the call's; the path is still a change to commit.
  const std::string failed = dir_ + "/001000.sst";
  EXPECT_EQ(kIOError,
            db_->AddCompactionOutput(failed, [](const std::string&) { return Status::IOError("no room"); }));
  EXPECT_LAST_ERROR_HAS(*db_, "no room");
  EXPECT_EQ(std::set<std::string>{failed}, Changes());

  ASSERT_EQ(kOk, db_->Close());
  EXPECT_EQ(kInvalidArgument, db_->AddCompactionOutput(path, make)) << "closed";
  EXPECT_EQ(1, made);
}

}  // namespace
}  // namespace strata
