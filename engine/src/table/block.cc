#include "table/block.h"

#include <cassert>
#include <limits>

#include "db/dbformat.h"
#include "table/block_iter.h"
#include "util/coding.h"

namespace strata {

std::string BlockLabel::ToString() const {
  std::string s = kind_;
  if (has_offset_) s += " block at offset " + std::to_string(offset_);
  return s;
}

Status Block::Parse(BlockContents contents, const BlockLabel& block_label, std::shared_ptr<Block>* block) {
  block->reset();
  const Slice bytes = contents.data;
  const size_t size = bytes.size();
  if (size < sizeof(uint32_t)) {
    return Status::Corruption(block_label.ToString() + ": " + std::to_string(size) +
                              " bytes, too short for a restart count");
  }
  if (size > std::numeric_limits<uint32_t>::max()) {
    return Status::Corruption(block_label.ToString() + ": larger than 4 GiB");
  }
  const uint32_t num_restarts = DecodeFixed32(bytes.data() + size - sizeof(uint32_t));
  const size_t max_restarts = (size - sizeof(uint32_t)) / sizeof(uint32_t);
  if (num_restarts == 0 || num_restarts > max_restarts) {
    return Status::Corruption(block_label.ToString() + ": restart count " + std::to_string(num_restarts) +
                              " impossible in a block of " + std::to_string(size) + " bytes");
  }
  const auto restart_offset = static_cast<uint32_t>(size - (num_restarts + 1) * sizeof(uint32_t));
  const char* restarts = bytes.data() + restart_offset;
  if (DecodeFixed32(restarts) != 0)
    return Status::Corruption(block_label.ToString() + ": first restart point is not 0");
  uint32_t previous = 0;
  for (uint32_t i = 1; i < num_restarts; i++) {
    const uint32_t point = DecodeFixed32(restarts + i * sizeof(uint32_t));
    if (point <= previous || point >= restart_offset) {
      return Status::Corruption(block_label.ToString() + ": restart point " + std::to_string(i) + " (" +
                                std::to_string(point) + ") out of order or past the entries");
    }
    previous = point;
  }
  *block = std::make_shared<Block>(PassKey(), std::move(contents), block_label, restart_offset, num_restarts);
  return Status::OK();
}

Iterator* Block::NewIterator(KeyOrder order) const {
  return new BlockIter(this, order);
}

}  // namespace strata
