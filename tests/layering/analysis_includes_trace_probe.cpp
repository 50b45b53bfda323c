// Forbidden: analysis/ knows no live server.
#include "trace/session.h"
