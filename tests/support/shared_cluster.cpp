#include "tests/support/shared_cluster.h"

#include <catch2/catch.hpp>

#include <memory>

#include "trace/pg_binaries.h"

namespace lockward::test {

trace::LocalCluster& shared_cluster() {
  static std::unique_ptr<trace::LocalCluster> c = [] {
    trace::PgLookup lookup = trace::find_pg_binaries({});
    INFO(lookup.error);
    REQUIRE(lookup.binaries);
    std::string error;
    auto started = trace::LocalCluster::start(*lookup.binaries, error);
    INFO(error);
    REQUIRE(started);
    return started;
  }();
  return *c;
}

}  // namespace lockward::test
