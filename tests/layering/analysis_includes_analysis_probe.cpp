// Allowed: analysis/ includes analysis/ (proves the probes compile at all).
#include "analysis/object_name.h"
