// One local PostgreSQL cluster for the whole test binary, started on first use (starting one
// costs about half a second) and stopped when the binary exits.
#pragma once

#include "trace/local_cluster.h"

namespace lockward::test {

trace::LocalCluster& shared_cluster();

}  // namespace lockward::test
