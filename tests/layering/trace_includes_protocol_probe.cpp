// Forbidden: trace/ knows no LSP.
#include "protocol/line_index.h"
