// SkipList: an ordered set of keys in an Arena, readable without locks while
// one writer inserts (after LevelDB's skiplist.h).
//
// Thread-safety:
//  - Writes (Insert) need external synchronization: one writer at a time.
//  - Reads (Contains, Iterator) need none and may run concurrently with the
//    writer and each other. The list must outlive every reader.
//
// Invariants that make lock-free reads safe:
//  - Nodes are never deleted or moved until the whole list (its Arena) is
//    destroyed; keys are immutable once inserted.
//  - A node is fully initialized before it is published: the release store
//    that links it into a level pairs with the readers' acquire loads, so a
//    reader that reaches a node sees its key and the links below it.
//  - Levels are linked bottom up, so a node reachable at level i is also
//    reachable at every level below i.
//
// Key is copied around by value (typically a pointer into the arena).
// Comparator: int operator()(const Key& a, const Key& b) const, returning
// <0, 0, >0; it must be safe to call concurrently.
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>
#include <new>

#include "util/arena.h"
#include "util/random.h"

namespace strata {

template <typename Key, class Comparator>
class SkipList {
 private:
  struct Node;

 public:
  static constexpr int kMaxHeight = 12;
  static constexpr int kBranching = 4;  // each level holds ~1/4 of the one below

  // Nodes are allocated in *arena, which must outlive the list. seed drives
  // the node heights (a fixed seed gives a reproducible shape).
  SkipList(Comparator cmp, Arena* arena, uint64_t seed = 0xdeadbeef);

  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // Inserts key. REQUIRES: nothing comparing equal to key is in the list;
  // external synchronization with other Inserts.
  void Insert(const Key& key);

  // Whether an entry comparing equal to key is in the list.
  bool Contains(const Key& key) const;

  // A cursor over the list. Sees every key inserted before it was
  // positioned, and may or may not see keys inserted concurrently.
  class Iterator {
   public:
    // The iterator starts !Valid(). list must outlive it.
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}

    bool Valid() const { return node_ != nullptr; }
    // REQUIRES: Valid()
    const Key& key() const {
      assert(Valid());
      return node_->key;
    }
    // REQUIRES: Valid()
    void Next() {
      assert(Valid());
      node_ = node_->Next(0);
    }
    // REQUIRES: Valid(). No back links: searches for the last key before
    // the current one, so costs O(log n).
    void Prev() {
      assert(Valid());
      node_ = list_->FindLessThan(node_->key);
      if (node_ == list_->head_) node_ = nullptr;
    }
    // Positions at the first key >= target.
    void Seek(const Key& target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }
    void SeekToFirst() { node_ = list_->head_->Next(0); }
    void SeekToLast() {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  Node* NewNode(const Key& key, int height);
  int RandomHeight();
  int GetMaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  bool Equal(const Key& a, const Key& b) const { return compare_(a, b) == 0; }
  // Whether key sorts after n's key (nullptr is +infinity).
  bool KeyIsAfterNode(const Key& key, Node* n) const { return n != nullptr && compare_(n->key, key) < 0; }

  // The first node with a key >= key, or nullptr. If prev is non-null,
  // fills prev[level] with the last node before it at each level.
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const;
  // The last node with a key < key, or head_.
  Node* FindLessThan(const Key& key) const;
  // The last node, or head_ if the list is empty.
  Node* FindLast() const;
  // Writer only: if key goes right after the previous insert (before the
  // node that follows it), fills prev from the splice and answers true.
  bool SpliceFits(const Key& key, Node** prev);

  const Comparator compare_;
  Arena* const arena_;
  Node* const head_;
  // Height of the tallest node. Read racily by readers: a stale value only
  // makes a search start lower, or at a level whose head link is still null.
  std::atomic<int> max_height_;
  Random rnd_;  // writer only
  // Writer only: the node before the place just after the previous insert,
  // at every level. Keys that arrive in ascending order (sequential writes,
  // a batch of sorted keys) go there after two comparisons instead of a
  // search from the top. After a miss the splice is not tried for the next
  // kSpliceRetryAfter inserts, so keys in random order pay almost nothing.
  static constexpr int kSpliceRetryAfter = 16;
  Node* splice_[kMaxHeight];
  int splice_skips_ = 0;
};

// A node and its `height` links, in one arena allocation: the links are an
// array of std::atomic<Node*> constructed right after the Node object.
template <typename Key, class Comparator>
struct SkipList<Key, Comparator>::Node {
  explicit Node(const Key& k) : key(k) {}

  Key const key;

  // Link at level n, with acquire: a reader sees the node it returns fully
  // initialized.
  Node* Next(int n) { return links()[n].load(std::memory_order_acquire); }
  // Publishes x at level n, with release.
  void SetNext(int n, Node* x) { links()[n].store(x, std::memory_order_release); }
  // Unordered variants, where another barrier orders the access.
  Node* NoBarrierNext(int n) { return links()[n].load(std::memory_order_relaxed); }
  void NoBarrierSetNext(int n, Node* x) { links()[n].store(x, std::memory_order_relaxed); }

  std::atomic<Node*>* links() { return reinterpret_cast<std::atomic<Node*>*>(this + 1); }
};

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::NewNode(const Key& key, int height) {
  static_assert(sizeof(Node) % alignof(std::atomic<Node*>) == 0, "links must be aligned after the Node");
  char* const mem = arena_->AllocateAligned(sizeof(Node) + sizeof(std::atomic<Node*>) * height);
  Node* const node = new (mem) Node(key);
  for (int i = 0; i < height; i++) new (node->links() + i) std::atomic<Node*>(nullptr);
  return node;
}

template <typename Key, class Comparator>
SkipList<Key, Comparator>::SkipList(Comparator cmp, Arena* arena, uint64_t seed)
    : compare_(cmp), arena_(arena), head_(NewNode(Key(), kMaxHeight)), max_height_(1), rnd_(seed) {
  for (Node*& n : splice_) n = head_;  // the place before every key
}

template <typename Key, class Comparator>
int SkipList<Key, Comparator>::RandomHeight() {
  int height = 1;
  while (height < kMaxHeight && rnd_.OneIn(kBranching)) height++;
  assert(height > 0 && height <= kMaxHeight);
  return height;
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindGreaterOrEqual(const Key& key,
                                                                                        Node** prev) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (KeyIsAfterNode(key, next)) {
      x = next;  // keep searching in this level
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      level--;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLessThan(const Key& key) const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    assert(x == head_ || compare_(x->key, key) < 0);
    Node* next = x->Next(level);
    if (next == nullptr || compare_(next->key, key) >= 0) {
      if (level == 0) return x;
      level--;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Comparator>
typename SkipList<Key, Comparator>::Node* SkipList<Key, Comparator>::FindLast() const {
  Node* x = head_;
  int level = GetMaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next == nullptr) {
      if (level == 0) return x;
      level--;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Comparator>
bool SkipList<Key, Comparator>::SpliceFits(const Key& key, Node** prev) {
  if (splice_skips_ > 0) {
    splice_skips_--;
    return false;
  }
  // Between the level-0 neighbours, key is also between the splice's nodes
  // and their successors at every level above: nothing lies between the
  // previous insert and key.
  Node* const before = splice_[0];
  Node* const after = before->NoBarrierNext(0);
  if ((before != head_ && compare_(before->key, key) >= 0) ||
      (after != nullptr && compare_(after->key, key) <= 0)) {
    splice_skips_ = kSpliceRetryAfter;
    return false;
  }
  for (int i = 0; i < GetMaxHeight(); i++) prev[i] = splice_[i];
  return true;
}

template <typename Key, class Comparator>
void SkipList<Key, Comparator>::Insert(const Key& key) {
  Node* prev[kMaxHeight];
  if (!SpliceFits(key, prev)) {
    Node* x = FindGreaterOrEqual(key, prev);
    assert(x == nullptr || !Equal(key, x->key));  // no duplicates
    (void)x;
  }

  const int height = RandomHeight();
  if (height > GetMaxHeight()) {
    for (int i = GetMaxHeight(); i < height; i++) prev[i] = head_;
    // Readers may see the new height before the new node is linked at the
    // new levels; they then find a null head link there and move down, which
    // is correct. So no ordering is needed here.
    max_height_.store(height, std::memory_order_relaxed);
  }

  Node* const x = NewNode(key, height);
  for (int i = 0; i < height; i++) {
    // The node is unpublished, so its own link needs no barrier; the release
    // store in prev[i]->SetNext publishes it (and its key) to readers.
    x->NoBarrierSetNext(i, prev[i]->NoBarrierNext(i));
    prev[i]->SetNext(i, x);
  }
  for (int i = 0; i < kMaxHeight; i++) splice_[i] = i < height ? x : i < GetMaxHeight() ? prev[i] : head_;
}

template <typename Key, class Comparator>
bool SkipList<Key, Comparator>::Contains(const Key& key) const {
  Node* x = FindGreaterOrEqual(key, nullptr);
  return x != nullptr && Equal(key, x->key);
}

}  // namespace strata
