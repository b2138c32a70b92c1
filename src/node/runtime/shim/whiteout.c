/* kubeling-shim whiteout: see shim.c. Makes overlayfs whiteouts Node cannot (mknod, setxattr). */
#include "shim.h"

int cmd_whiteout(void) {
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  ssize_t n;
  while (buf && (n = read(0, buf + len, cap - len)) > 0) {
    len += (size_t)n;
    if (len == cap) buf = realloc(buf, cap *= 2);
  }
  if (!buf) return 3;
  int rc = 0;
  for (size_t i = 0; i < len;) {
    char *rec = buf + i;
    size_t l = strnlen(rec, len - i);
    if (i + l >= len) break; /* unterminated record */
    i += l + 1;
    if (l < 2) continue;
    if (rec[0] == 'w' && mknod(rec + 1, S_IFCHR | 0, makedev(0, 0)) < 0 && errno != EEXIST) {
      fprintf(stderr, "whiteout %s: %s\n", rec + 1, strerror(errno));
      rc = 1;
    } else if (rec[0] == 'o' && setxattr(rec + 1, "trusted.overlay.opaque", "y", 1, 0) < 0) {
      fprintf(stderr, "opaque %s: %s\n", rec + 1, strerror(errno));
      rc = 1;
    }
  }
  free(buf);
  return rc;
}

