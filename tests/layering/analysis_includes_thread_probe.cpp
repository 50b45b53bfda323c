// Forbidden: analysis/ starts no threads (a caller hands it a ParallelFor).
#include <thread>
