// Forbidden: the pure analysis layer must not know the server.
#include "server/config/config.h"
