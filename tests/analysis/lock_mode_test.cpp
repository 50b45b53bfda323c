#include <catch2/catch.hpp>

#include "analysis/catalog/lock_mode.h"

using namespace lockward::analysis;

TEST_CASE("conflict matrix matches the manual", "[locks]") {
  CHECK(conflicts(LockMode::AccessShare, LockMode::AccessExclusive));
  CHECK_FALSE(conflicts(LockMode::AccessShare, LockMode::Exclusive));
  CHECK(conflicts(LockMode::Share, LockMode::RowExclusive));
  CHECK_FALSE(conflicts(LockMode::Share, LockMode::Share));
  CHECK(conflicts(LockMode::ShareUpdateExclusive, LockMode::ShareUpdateExclusive));
  CHECK_FALSE(conflicts(LockMode::RowExclusive, LockMode::RowExclusive));
  CHECK(conflicts(LockMode::ShareRowExclusive, LockMode::ShareRowExclusive));
  // The matrix is symmetric.
  for (int a = 0; a < kLockModeCount; ++a)
    for (int b = 0; b < kLockModeCount; ++b)
      CHECK(conflicts(static_cast<LockMode>(a), static_cast<LockMode>(b)) ==
            conflicts(static_cast<LockMode>(b), static_cast<LockMode>(a)));
}

TEST_CASE("what a lock blocks, in words", "[locks]") {
  CHECK(blocks_in_words(LockMode::AccessExclusive) == "blocks everything, reads included");
  CHECK(blocks_in_words(LockMode::Share) ==
        "blocks INSERT/UPDATE/DELETE, VACUUM/ANALYZE and other DDL");
  CHECK(blocks_in_words(LockMode::AccessShare) == "blocks only other DDL");
  CHECK(blocks_reads(LockMode::AccessExclusive));
  CHECK_FALSE(blocks_reads(LockMode::Exclusive));
  CHECK(blocks_writes(LockMode::ShareRowExclusive));
  CHECK_FALSE(blocks_writes(LockMode::ShareUpdateExclusive));
}

TEST_CASE("lock names round-trip", "[locks]") {
  for (int i = 0; i < kLockModeCount; ++i) {
    auto m = static_cast<LockMode>(i);
    CHECK(lock_mode_from_pg_name(lock_mode_pg_name(m)) == m);
    CHECK(lock_mode_from_name(lock_mode_name(m)) == m);
  }
  CHECK(lock_mode_from_name("share_row_exclusive") == LockMode::ShareRowExclusive);
  CHECK_FALSE(lock_mode_from_name("bogus"));
}
