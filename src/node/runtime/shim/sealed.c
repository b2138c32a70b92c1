/*
 * A sealed in-memory copy of runc, made once by the spawner and handed to every shim.
 *
 * Why: against CVE-2019-5736 every `runc init` first makes a read-only copy of the runc
 * binary it runs from (runc 1.1: a bind mount, remount and unmount of /proc/self/exe, else
 * a memfd copy) and executes itself again from it: per container one more exec of runc and
 * three mount calls, which take the machine-wide mount lock. A runc that already runs from a
 * memfd with exactly these seals skips all of it (runc's is_self_cloned; upstream's
 * contrib/cmd/memfd-bind relies on the same). The sealed copy cannot be written, by a
 * container or anyone, any more than the copies runc makes itself.
 */
#include "shim.h"
#include <sys/mman.h>
#include <sys/sendfile.h>

/* A sealed memfd holding `path`'s bytes (close-on-exec), or -errno. */
int sealed_copy(const char *path) {
  int in = open(path, O_RDONLY | O_CLOEXEC);
  if (in < 0) return -errno;
  struct stat st;
  int fd = -1, err = 0;
  if (fstat(in, &st) < 0) { err = errno; goto out; }
  fd = memfd_create("runc", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) { err = errno; goto out; }
  for (off_t off = 0; off < st.st_size;) {
    ssize_t n = sendfile(fd, in, &off, (size_t)(st.st_size - off));
    if (n <= 0) { err = n < 0 ? errno : EIO; goto out; }
  }
  /* Exactly runc's RUNC_MEMFD_SEALS: what it checks for. */
  if (fchmod(fd, 0755) < 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) err = errno;
out:
  close(in);
  if (err) {
    if (fd >= 0) close(fd);
    return -err;
  }
  return fd;
}
