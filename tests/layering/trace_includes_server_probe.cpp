// Forbidden: trace/ is below the server.
#include "server/config/config.h"
