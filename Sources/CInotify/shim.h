// libinotifytools (Debian: libinotifytools0-dev) and the kernel's inotify API.
// libinotifytools keeps global state: call it from one thread only.
#include <sys/inotify.h>
#include <inotifytools/inotifytools.h>
// Also for the Watch module: statfs (f_type tells network/FUSE filesystems) and eventfd (wake-ups).
#include <sys/statfs.h>
#include <sys/eventfd.h>
