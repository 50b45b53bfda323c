// Forbidden: protocol/ knows no SQL.
#include "analysis/object_name.h"
