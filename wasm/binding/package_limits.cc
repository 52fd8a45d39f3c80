#include "package_limits.h"

#include "json_writer.h"
#include "strata/options.h"
#include "strata/status.h"

namespace strata {
namespace {

void WriteRange(JsonWriter* w, const char* name, const OptionRange& range) {
  w->Key(name);
  w->BeginObject();
  w->Key("min");
  w->Number(range.min);
  w->Key("max");
  w->Number(range.max);
  w->Key("default");
  w->Number(range.fallback);
  w->EndObject();
}

}  // namespace

std::string LimitsJson() {
  JsonWriter w;
  w.BeginObject();
  w.Key("maxKeyBytes");
  w.Unsigned(kMaxKeySize);
  w.Key("maxValueBytes");
  w.Unsigned(kMaxValueSize);
  w.Key("maxBatchBytes");
  w.Unsigned(kMaxBatchSize);
  w.Key("statusCodes");
  w.BeginArray();
  for (int code = 0; code <= static_cast<int>(Status::Code::kReadOnly); code++) {  // kReadOnly is the last
    w.String(Status::CodeName(static_cast<Status::Code>(code)));
  }
  w.EndArray();
  WriteRange(&w, "memtableBytes", kMemtableBytes);
  WriteRange(&w, "blockCacheBytes", kBlockCacheBytes);
  WriteRange(&w, "bloomBitsPerKey", kBloomBitsPerKey);
  WriteRange(&w, "compressionLevel", kZlibLevel);
  w.EndObject();
  return std::move(w.out());
}

}  // namespace strata
