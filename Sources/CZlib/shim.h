// zlib (Debian: zlib1g-dev), for reading the gzipped BPE merges file.
#include <zlib.h>
