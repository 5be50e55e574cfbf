// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). Linked by name so that
// the alternatives' reference libblas.so.3 is never picked up by accident.
#include <cblas.h>
