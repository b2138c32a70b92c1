/*
 * kubeling-shim spawner: starts processes for the node agent (runc, CNI plugins, shims).
 *
 * Why: Node's child_process.spawn forks the whole agent and then waits until the child has
 * exec'd, on the event loop; under load that is ~10 ms of a stopped agent per process. This
 * tiny process is started once and does the forking instead (fork: see start()).
 *
 * Requests on fd 0, replies on fd 1, both frames of little-endian u32s:
 *   request  len id op ...
 *     op 1 RUN     nargs nenv inlen  file\0 arg\0... env\0... stdin-bytes
 *                  nenv 0xffffffff: our own environment. stdout/stderr are collected;
 *                  the reply comes once the process exited and both pipes are closed.
 *     op 2 LAUNCH  nargs nenv 0      file\0 arg\0... env\0...
 *                  In a new session, stdio on /dev/null, fd 3 a pipe: the reply carries what
 *                  the process wrote on fd 3 until it closed it; the process keeps running
 *                  (a container's shim) and is reaped here when it ends.
 *     op 3 KILL    signal            sends `signal` to the process of request `id` (timeouts).
 *     op 4 SEAL    1 0 0             file\0: keep a sealed in-memory copy of `file` (sealed.c),
 *                  given to every later LAUNCH as its fd 4. The reply's errno tells a failure
 *                  (EEXIST: a copy of another file is kept already). Sealing the same file
 *                  again copies it again only when it changed (size, mtime, inode).
 *     op 5 MOUNT   5 0 0             source\0 target\0 fstype\0 data\0 flags\0: mount(2) here, no
 *                  process (mount(8) reads the whole mount table, dozens of ms under a burst).
 *     op 6 UMOUNT  2 0 0             target\0 flags\0: umount2(2), in a child (umount_child).
 *   reply    len id pid errno status outlen errlen  out err
 *            errno: the spawn failed (pid 0). status: exit code, or 128 + signal.
 * Exits when fd 0 reaches EOF (the agent is gone); running children are left alone.
 */
#include "shim.h"
#include <stdint.h>

extern char **environ;

enum { OP_RUN = 1, OP_LAUNCH = 2, OP_KILL = 3, OP_SEAL = 4, OP_MOUNT = 5, OP_UMOUNT = 6 };

/* The SEAL copy: its fd, and what it was made from. */
static struct { int fd; char *path; struct stat st; } sealed = {.fd = -1};

struct buf { char *p; size_t len, cap; };

struct child {
  uint32_t id;
  pid_t pid;
  int out, err, in;         /* pipes (-1 when closed); LAUNCH uses `out` for fd 3 */
  int ep, exec_errno;       /* the exec-error pipe (EOF: exec'd) and what came on it */
  int syscall, raw;         /* an UMOUNT's child: its exit status is the errno; raw wait status */
  struct buf o, e, input;
  size_t in_off;
  int exited, status, replied;
  struct child *next;
};

static struct child *children;
static int devnull = -1;

static void buf_add(struct buf *b, const char *p, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) cap *= 2;
    char *q = realloc(b->p, cap);
    if (!q) return; /* out of memory: drop output, never the reply */
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
}

static void put32(char *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t get32(const char *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static void reply(uint32_t id, pid_t pid, int err, int status, const struct buf *o, const struct buf *e) {
  size_t ol = o ? o->len : 0, el = e ? e->len : 0;
  char h[28];
  put32(h, (uint32_t)(24 + ol + el));
  put32(h + 4, id);
  put32(h + 8, (uint32_t)pid);
  put32(h + 12, (uint32_t)err);
  put32(h + 16, (uint32_t)status);
  put32(h + 20, (uint32_t)ol);
  put32(h + 24, (uint32_t)el);
  if (write_all(1, h, sizeof h) < 0 || (ol && write_all(1, o->p, ol) < 0) || (el && write_all(1, e->p, el) < 0)) _exit(0); /* agent gone */
}

static void free_child(struct child *c) {
  for (struct child **pp = &children; *pp; pp = &(*pp)->next) {
    if (*pp == c) { *pp = c->next; break; }
  }
  if (c->out >= 0) close(c->out);
  if (c->err >= 0) close(c->err);
  if (c->in >= 0) close(c->in);
  if (c->ep >= 0) close(c->ep);
  free(c->o.p);
  free(c->e.p);
  free(c->input.p);
  free(c);
}

/* A RUN is done when it exited and its pipes closed; a LAUNCH when it closed fd 3 (reply) and exited (forget). */
static void settle(struct child *c) {
  if (c->syscall) {
    if (!c->exited) return;
    reply(c->id, 0, WIFEXITED(c->raw) ? WEXITSTATUS(c->raw) : EINTR, 0, NULL, NULL);
    free_child(c);
    return;
  }
  if (!c->replied && c->ep < 0 && c->exec_errno) { /* never ran: as a failed start, once reaped */
    if (!c->exited) return;
    reply(c->id, 0, c->exec_errno, 127, NULL, NULL);
    c->replied = 1;
  }
  if (!c->replied && c->ep < 0 && c->out < 0 && c->err < 0 && (c->exited || c->e.cap == (size_t)-1)) {
    reply(c->id, c->pid, 0, c->status, &c->o, c->e.cap == (size_t)-1 ? NULL : &c->e);
    c->replied = 1;
  }
  if (c->replied && c->exited) free_child(c);
}

/* dup2, or (same fd) clearing close-on-exec, which dup2 would leave set. */
static int move_fd(int from, int to) {
  return from == to ? fcntl(to, F_SETFD, 0) : dup2(from, to);
}

/*
 * fork, not posix_spawn (vfork): vfork stops us until the child has exec'd, and in a
 * burst of pods, with the CPUs busy, the child waits its turn to run: ~1.5 ms per runc or
 * plugin and ~5 ms per shim of a stopped spawner, during which no other process started
 * and no reply went out (measured: 1.1 s stopped over 71 pods). Our fork is cheap (a small
 * static process); exec errors come back on a close-on-exec pipe, read in the poll loop.
 */
static void start(uint32_t id, uint32_t op, char **argv, char **envp, const char *input, size_t inlen) {
  int out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1}, ep[2] = {-1, -1};
  int fail = 0;
  if (pipe2(out, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) fail = errno;
  if (!fail && op == OP_RUN && (pipe2(err, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0)) fail = errno;
  pid_t pid = fail ? -1 : fork();
  if (pid < 0 && !fail) fail = errno;
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int ok = 1;
    if (op == OP_RUN) {
      ok = move_fd(in[0], 0) >= 0 && move_fd(out[1], 1) >= 0 && move_fd(err[1], 2) >= 0;
    } else {
      /* In this order: devnull or the pipe may be fd 4 (fds 0-3 are always taken in the spawner). */
      ok = setsid() >= 0;
      for (int fd = 0; ok && fd < 3; fd++) ok = move_fd(devnull, fd) >= 0;
      ok = ok && move_fd(out[1], 3) >= 0 && (sealed.fd < 0 || move_fd(sealed.fd, 4) >= 0);
    }
    if (ok) execvpe(argv[0], argv, envp);
    int e = errno;
    if (write(ep[1], &e, sizeof e) < 0) { /* the spawner is gone */ }
    _exit(127);
  }
  int ends[] = {out[1], err[1], in[0], ep[1]};
  for (int i = 0; i < 4; i++) if (ends[i] >= 0) close(ends[i]);
  if (fail) {
    int keep[] = {out[0], err[0], in[1], ep[0]};
    for (int i = 0; i < 4; i++) if (keep[i] >= 0) close(keep[i]);
    reply(id, 0, fail, 127, NULL, NULL);
    return;
  }
  struct child *c = calloc(1, sizeof *c);
  if (!c) _exit(111);
  *c = (struct child){.id = id, .pid = pid, .out = out[0], .err = err[0], .in = in[1], .ep = ep[0], .next = children};
  if (op == OP_LAUNCH) c->e.cap = (size_t)-1; /* marks a LAUNCH: no stderr, no exit wait before the reply */
  if (c->in >= 0) {
    fcntl(c->in, F_SETFL, O_NONBLOCK);
    if (inlen) buf_add(&c->input, input, inlen);
    if (!c->input.len) { close(c->in); c->in = -1; }
  }
  children = c;
}

/*
 * umount2 in a child of ours: every unmount waits for an RCU grace period before it returns
 * (namespace_unlock), measured 3.8 ms on average and up to 44 ms per unmount while 100 pods
 * were deleted: that long no other process started and no reply went out. The child's exit
 * status carries the errno. (mount(2) returns in ~0.06 ms and stays here.)
 */
static void umount_child(uint32_t id, const char *target, int flags) {
  pid_t pid = fork();
  if (pid < 0) { reply(id, 0, errno, 0, NULL, NULL); return; }
  if (pid == 0) _exit(umount2(target, flags) < 0 ? (errno & 0xff) : 0);
  struct child *c = calloc(1, sizeof *c);
  if (!c) _exit(111);
  *c = (struct child){.id = id, .pid = pid, .out = -1, .err = -1, .in = -1, .ep = -1, .syscall = 1, .next = children};
  children = c;
}

static void seal(uint32_t id, const char *path) {
  struct stat st;
  if (stat(path, &st) < 0) { reply(id, 0, errno, 0, NULL, NULL); return; }
  if (sealed.fd >= 0) {
    if (strcmp(sealed.path, path) != 0) { reply(id, 0, EEXIST, 0, NULL, NULL); return; }
    if (st.st_size == sealed.st.st_size && st.st_ino == sealed.st.st_ino && st.st_mtim.tv_sec == sealed.st.st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == sealed.st.st_mtim.tv_nsec) { reply(id, 0, 0, 0, NULL, NULL); return; }
  }
  int fd = sealed_copy(path);
  if (fd < 0) { reply(id, 0, -fd, 0, NULL, NULL); return; }
  char *copy = strdup(path);
  if (!copy) { close(fd); reply(id, 0, ENOMEM, 0, NULL, NULL); return; }
  if (sealed.fd >= 0) close(sealed.fd); /* shims launched before keep theirs */
  free(sealed.path);
  sealed.fd = fd;
  sealed.path = copy;
  sealed.st = st;
  reply(id, 0, 0, 0, NULL, NULL);
}

static void handle(const char *m, size_t n) {
  if (n < 12) return;
  uint32_t id = get32(m), op = get32(m + 4);
  if (op == OP_KILL) {
    for (struct child *c = children; c; c = c->next)
      if (c->id == id && !c->exited) kill(c->pid, (int)get32(m + 8));
    return;
  }
  if (n < 20) return;
  uint32_t nargs = get32(m + 8), nenv = get32(m + 12), inlen = get32(m + 16);
  int inherit = nenv == 0xffffffffu;
  if (inherit) nenv = 0;
  if (nargs == 0 || nargs > 65536 || nenv > 65536 || inlen > n - 20) return;
  char **v = calloc(nargs + 1 + nenv + 1, sizeof *v);
  if (!v) _exit(111);
  const char *p = m + 20, *end = m + n - inlen;
  for (uint32_t i = 0; i < nargs + nenv; i++) {
    const char *z = memchr(p, 0, (size_t)(end - p));
    if (!z) { free(v); return; }
    v[i < nargs ? i : i + 1] = (char *)p;
    p = z + 1;
  }
  if (op == OP_SEAL) seal(id, v[0]);
  else if (op == OP_MOUNT && nargs == 5)
    reply(id, 0, mount(v[0], v[1], v[2], strtoul(v[4], NULL, 10), v[3][0] ? v[3] : NULL) < 0 ? errno : 0, 0, NULL, NULL);
  else if (op == OP_UMOUNT && nargs == 2) umount_child(id, v[0], (int)strtol(v[1], NULL, 10));
  else if (op == OP_MOUNT || op == OP_UMOUNT) reply(id, 0, EINVAL, 0, NULL, NULL);
  else start(id, op, v, inherit ? environ : v + nargs + 1, end, inlen);
  free(v);
}

static void reap(void) {
  int st;
  pid_t w;
  while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
    for (struct child *c = children; c; c = c->next) {
      if (c->pid != w) continue;
      c->exited = 1;
      c->raw = st;
      c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      settle(c);
      break;
    }
  }
}

/* Reads one pipe of a child into `b`; closes it at EOF. */
static void drain(int *fd, struct buf *b) {
  char tmp[65536];
  ssize_t r = read(*fd, tmp, sizeof tmp);
  if (r > 0) { buf_add(b, tmp, (size_t)r); return; }
  if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
  close(*fd);
  *fd = -1;
}

int cmd_spawner(void) {
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, SIG_IGN); /* a ^C to the agent's group: we end with the agent (EOF), not before */
  fcntl(3, F_SETFD, FD_CLOEXEC);
  devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0 || devnull < 0) { perror("spawner"); return 111; }
  struct buf req = {0};
  int open_in = 1;
  struct pollfd *p = NULL;
  struct child **who = NULL;
  size_t cap = 0;
  while (open_in) {
    size_t n = 0, want = 2;
    for (struct child *c = children; c; c = c->next) want += 4;
    if (want > cap) {
      cap = want * 2;
      p = realloc(p, cap * sizeof *p);
      who = realloc(who, cap * sizeof *who);
      if (!p || !who) _exit(111);
    }
    p[n++] = (struct pollfd){0, POLLIN, 0};
    p[n++] = (struct pollfd){sfd, POLLIN, 0};
    for (struct child *c = children; c; c = c->next) {
      if (c->out >= 0) { who[n] = c; p[n++] = (struct pollfd){c->out, POLLIN, 0}; }
      if (c->err >= 0) { who[n] = c; p[n++] = (struct pollfd){c->err, POLLIN, 0}; }
      if (c->in >= 0) { who[n] = c; p[n++] = (struct pollfd){c->in, POLLOUT, 0}; }
      if (c->ep >= 0) { who[n] = c; p[n++] = (struct pollfd){c->ep, POLLIN, 0}; }
    }
    if (poll(p, n, -1) < 0) {
      if (errno == EINTR) continue;
      perror("spawner poll");
      return 111;
    }
    /* Pipes first (a child's pipes may hold output when it is reaped), then requests, then exits. */
    for (size_t i = 2; i < n; i++) {
      if (!p[i].revents) continue;
      struct child *c = who[i];
      if (p[i].fd == c->out) drain(&c->out, &c->o);
      else if (p[i].fd == c->err) drain(&c->err, &c->e);
      else if (p[i].fd == c->ep) {
        int e = 0;
        if (read(c->ep, &e, sizeof e) == (ssize_t)sizeof e) c->exec_errno = e ? e : EIO;
        close(c->ep); /* EOF (exec'd) or the errno: either way done */
        c->ep = -1;
      }
      else if (p[i].fd == c->in) {
        ssize_t w = write(c->in, c->input.p + c->in_off, c->input.len - c->in_off);
        if (w > 0) c->in_off += (size_t)w;
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || c->in_off == c->input.len) { close(c->in); c->in = -1; }
      }
    }
    for (struct child *c = children, *next; c; c = next) { next = c->next; settle(c); }
    if (p[0].revents) {
      char tmp[65536];
      ssize_t r = read(0, tmp, sizeof tmp);
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) open_in = 0;
      if (r > 0) buf_add(&req, tmp, (size_t)r);
      size_t off = 0;
      while (req.len - off >= 4 && req.len - off >= 4 + (size_t)get32(req.p + off)) {
        uint32_t len = get32(req.p + off);
        handle(req.p + off + 4, len);
        off += 4 + len;
      }
      memmove(req.p, req.p + off, req.len - off);
      req.len -= off;
    }
    if (p[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {}
      reap();
    }
  }
  return 0;
}
