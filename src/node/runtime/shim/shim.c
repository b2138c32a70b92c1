/*
 * kubeling-shim: one tiny process per container, so that containers (and their logs and
 * exit codes) outlive the node agent. Built statically by scripts/build-images.sh or on
 * first use by the runtime (shim-build.ts).
 *
 * kubeling-shim run --runc R --root D --id ID --bundle B --pid-file F --runc-log F
 *                   --exit F [--log F] [--oom F] [--stdin FIFO] [--overlay OPTS --rootfs DIR --layers DIR]
 *                   [--runc-fd N] [--private-mount MOUNTPOINT]
 *   Mounts the overlay rootfs (relative lowerdirs, resolved from --layers), runs
 *   `runc run -d` with stdout/stderr on pipes, becomes the container's parent (child
 *   subreaper; runc -d leaves its init to us), writes the output as CRI log lines
 *   (`<RFC3339Nano> stdout F <line>`, P for a partial 16 KiB chunk), reopens the log on
 *   SIGUSR1 (rotation), and when the container ends: drains the pipes, unmounts the
 *   rootfs, reads oom_kill from memory.oom_control and writes exit.json atomically.
 *   Reports "ok <pid>\n" or "err <runc exit code>\n" on fd 3, then closes it.
 *   With --private-mount, the overlay is mounted in a mount namespace of the shim's own and
 *   never shows in the host's (private_rootfs_ns).
 *   With --runc-fd, runc is executed from that fd (the spawner's sealed copy, sealed.c),
 *   and from the --runc path when that fails.
 *   With --stdin (a container with `stdin: true`), the container's stdin is a FIFO at that
 *   path, opened read-write so it never reads EOF between two `kubectl attach -i`.
 *   With --tty RESIZE_FIFO (a container with `tty: true`, config.json terminal: true), runc
 *   gets a console socket; the shim holds the pty master, logs its output as stdout, writes
 *   the stdin FIFO's bytes to it, and resizes it on "<rows> <cols>\n" lines from RESIZE_FIFO.
 *
 * kubeling-shim tty-exec SOCKET PIDFILE -- RUNC ARGS (exec -d -t --console-socket SOCKET --pid-file PIDFILE …)
 *   For `kubectl exec -t`: runc only hands out a pty when it detaches, so this listens on
 *   SOCKET, receives the pty master, becomes the exec'd process's parent (subreaper), copies
 *   stdin → pty → stdout, resizes on "<rows> <cols>\n" lines from fd 3, and exits with the
 *   process's status (or runc's, when runc fails).
 *
 * kubeling-shim spawner
 *   Starts processes for the agent on request (spawner.c), so the agent never forks itself.
 *
 * kubeling-shim whiteout < records
 *   For the image store: NUL-terminated records "w<path>" make an overlayfs whiteout
 *   (char device 0:0) and "o<path>" marks an opaque dir (trusted.overlay.opaque=y).
 */
#include "shim.h"

#define LINE_MAX_BYTES 16384

extern char **environ;
#define DRAIN_MS 2000

struct opts {
  const char *runc, *root, *id, *bundle, *pid_file, *runc_log, *exit_file;
  const char *log, *oom, *overlay, *rootfs, *layers, *stdin_fifo, *resize_fifo, *runc_fd, *private_mount;
};

struct stream {
  int fd;
  const char *name;
  char buf[LINE_MAX_BYTES];
  size_t len;
};

static int log_fd = -1;
static const char *log_path;

static void die(const char *what) {
  dprintf(3, "err shim %s: %s\n", what, strerror(errno));
  _exit(111);
}

static void timestamp(char *out, size_t n) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + k, n - k, ".%09ldZ", ts.tv_nsec);
}

static void open_log(void) {
  if (!log_path) return;
  int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return; /* keep the old fd (or none): never kill the container over logs */
  if (log_fd >= 0) close(log_fd);
  log_fd = fd;
}

/* One writev per line: O_APPEND makes each line land whole even with two streams. */
static void emit(struct stream *s, const char *line, size_t n, char tag) {
  if (log_fd < 0) return;
  char prefix[80];
  char ts[48];
  timestamp(ts, sizeof ts);
  int k = snprintf(prefix, sizeof prefix, "%s %s %c ", ts, s->name, tag);
  struct iovec iov[3] = {{prefix, (size_t)k}, {(void *)line, n}, {"\n", 1}};
  if (writev(log_fd, iov, 3) < 0) { /* disk full etc.: drop the line */ }
}

static void feed(struct stream *s, const char *data, size_t n) {
  while (n > 0) {
    size_t room = sizeof s->buf - s->len;
    size_t take = n < room ? n : room;
    memcpy(s->buf + s->len, data, take);
    s->len += take;
    data += take;
    n -= take;
    size_t start = 0;
    for (size_t i = 0; i < s->len; i++) {
      if (s->buf[i] == '\n') {
        emit(s, s->buf + start, i - start, 'F');
        start = i + 1;
      }
    }
    memmove(s->buf, s->buf + start, s->len - start);
    s->len -= start;
    if (s->len == sizeof s->buf) { /* a line longer than the buffer: partial record */
      emit(s, s->buf, s->len, 'P');
      s->len = 0;
    }
  }
}

static void flush_stream(struct stream *s) {
  if (s->len > 0) emit(s, s->buf, s->len, 'F');
  s->len = 0;
}

static int read_stream(struct stream *s) {
  char tmp[65536];
  ssize_t n = read(s->fd, tmp, sizeof tmp);
  if (n > 0) {
    feed(s, tmp, (size_t)n);
    return 1;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  flush_stream(s);
  close(s->fd);
  s->fd = -1;
  return 0;
}

long read_pid_file(const char *path) {
  char b[32] = {0};
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, b, sizeof b - 1);
  close(fd);
  return n > 0 ? strtol(b, NULL, 10) : -1;
}

static int oom_killed(const char *path) {
  char b[512] = {0};
  if (!path) return 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, b, sizeof b - 1);
  close(fd);
  if (n <= 0) return 0;
  char *p = strstr(b, "oom_kill ");
  return p && strtol(p + 9, NULL, 10) > 0;
}

static void write_exit(const struct opts *o, long pid, int status) {
  int code = 0, sig = 0;
  if (WIFEXITED(status)) code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) { sig = WTERMSIG(status); code = 128 + sig; }
  char ts[48], tmp[4096], body[256];
  timestamp(ts, sizeof ts);
  int n = snprintf(body, sizeof body,
                   "{\"pid\":%ld,\"exitCode\":%d,\"signal\":%d,\"oomKilled\":%s,\"finishedAt\":\"%s\"}\n",
                   pid, code, sig, oom_killed(o->oom) ? "true" : "false", ts);
  snprintf(tmp, sizeof tmp, "%s.tmp", o->exit_file);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (write(fd, body, (size_t)n) == n) fsync(fd);
  close(fd);
  rename(tmp, o->exit_file);
}

long ms_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * The overlay rootfs is mounted in a mount namespace of the shim's own (a copy of the
 * host's), where runc starts the container; once runc is done the shim goes back to the
 * host's namespace and the copy dies, the container's namespace keeping its rootfs.
 * Why: with every rootfs mounted in the host's namespace, the host's mount table grew by
 * one long overlay entry per container, and each later container paid for all of them:
 * runc reads /proc/self/mountinfo several times and copies the whole table into the new
 * namespace (quadratic over a burst of pods). `mount_point` is the mount holding the
 * rootfs dir: made a slave in our copy, so the overlay mount cannot propagate to the host
 * even where that mount is shared. Any failure leaves us in the host's namespace, as before.
 */
static void private_rootfs_ns(const char *mount_point, int *host_ns) {
  int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  if (unshare(CLONE_NEWNS) < 0) { close(fd); return; }
  if (mount(NULL, mount_point, NULL, MS_SLAVE, NULL) < 0) {
    if (setns(fd, CLONE_NEWNS) < 0) die("setns back to the host mount namespace");
    close(fd);
    return;
  }
  *host_ns = fd;
}

static int run_container(struct opts *o) {
  if (!o->runc || !o->root || !o->id || !o->bundle || !o->pid_file || !o->exit_file || !o->runc_log) {
    dprintf(3, "err shim: missing arguments\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  if (o->runc_fd) fcntl(atoi(o->runc_fd), F_SETFD, FD_CLOEXEC); /* runc runs from it, never holds it */
  int host_ns = -1; /* set while the overlay lives in a mount namespace of our own */
  if (o->overlay && o->private_mount) private_rootfs_ns(o->private_mount, &host_ns);
  int in_host_ns = host_ns < 0; /* the overlay is (to be) mounted where everyone sees it */
  if (o->overlay) {
    if (!o->rootfs || !o->layers || chdir(o->layers) < 0) die("overlay dirs");
    if (mount("overlay", o->rootfs, "overlay", 0, o->overlay) < 0) die("mount overlay");
    if (chdir("/") < 0) die("chdir");
  }
  log_path = o->log;
  open_log();

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGUSR1);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) die("signalfd");

  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) die("pipe");
  int in = -1;
  if (o->stdin_fifo) {
    if (mkfifo(o->stdin_fifo, 0600) < 0 && errno != EEXIST) die("mkfifo stdin");
    in = open(o->stdin_fifo, O_RDWR | O_CLOEXEC); /* O_RDWR: never blocks, never EOF */
    if (in < 0) die("open stdin");
  }
  /* tty: an abstract console socket (no path length limit, nothing to clean up). */
  int console = -1, rsz = -1;
  char console_arg[112] = {0};
  if (o->resize_fifo) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int n = snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1, "kubeling-console-%d-%ld", (int)getpid(), ms_now());
    snprintf(console_arg, sizeof console_arg, "@%s", addr.sun_path + 1);
    console = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (console < 0 || bind(console, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0 || listen(console, 1) < 0) die("console socket");
    if (mkfifo(o->resize_fifo, 0600) < 0 && errno != EEXIST) die("mkfifo resize");
    rsz = open(o->resize_fifo, O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (rsz < 0) die("open resize");
  }
  pid_t runc = fork();
  if (runc < 0) die("fork");
  if (runc == 0) {
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
    int nul = open("/dev/null", O_RDWR);
    dup2(in >= 0 ? in : nul, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(3);
    const char *args[20] = {"runc", "--root", o->root, "--log", o->runc_log, "--log-format", "json", "run", "-d"};
    int n = 9;
    if (console >= 0) { args[n++] = "--console-socket"; args[n++] = console_arg; }
    const char *tail[] = {"--pid-file", o->pid_file, "--bundle", o->bundle, o->id, NULL};
    memcpy(args + n, tail, sizeof tail);
    if (o->runc_fd) fexecve(atoi(o->runc_fd), (char **)args, environ);
    args[0] = o->runc;
    execv(o->runc, (char **)args);
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  if (in >= 0 && console < 0) close(in); /* with a tty the shim relays stdin to the pty */

  struct stream so = {.fd = out[0], .name = "stdout"}, se = {.fd = err[0], .name = "stderr"}, sm = {.fd = -1, .name = "stdout"};
  char rbuf[128];
  size_t rlen = 0;
  long ctr = -1, drain_until = -1;
  int ctr_status = 0, runc_failed = 0;
  long early_pid[64];
  int early_status[64], nearly = 0;

  for (;;) {
    int timeout = -1;
    if (drain_until >= 0) {
      if (so.fd < 0 && se.fd < 0 && sm.fd < 0) break;
      long left = drain_until - ms_now();
      if (left <= 0) break;
      timeout = (int)left;
    }
    struct pollfd p[7] = {{sfd, POLLIN, 0}, {so.fd, POLLIN, 0}, {se.fd, POLLIN, 0}, {console, POLLIN, 0},
                          {sm.fd, POLLIN, 0}, {sm.fd >= 0 ? in : -1, POLLIN, 0}, {rsz, POLLIN, 0}};
    if (poll(p, 7, timeout) < 0 && errno != EINTR) die("poll");
    if (p[1].revents) read_stream(&so);
    if (p[2].revents) read_stream(&se);
    if (p[3].revents) { /* runc hands over the pty master */
      int c = accept4(console, NULL, NULL, SOCK_CLOEXEC);
      if (c >= 0) { sm.fd = recv_fd(c); close(c); }
      close(console);
      console = -1;
    }
    if (p[4].revents) read_stream(&sm); /* EIO once the container's side is closed: the end */
    if (p[5].revents) {
      char b[16384];
      ssize_t n = read(in, b, sizeof b);
      if (n > 0 && sm.fd >= 0) write_all(sm.fd, b, (size_t)n);
    }
    if (p[6].revents) {
      ssize_t n = read(rsz, rbuf + rlen, sizeof rbuf - 1 - rlen);
      if (n > 0) {
        rlen += (size_t)n;
        rbuf[rlen] = 0;
        char *nl;
        while ((nl = strchr(rbuf, '\n'))) {
          unsigned rows = 0, cols = 0;
          if (sscanf(rbuf, "%u %u", &rows, &cols) == 2 && sm.fd >= 0) {
            struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
            ioctl(sm.fd, TIOCSWINSZ, &ws);
          }
          memmove(rbuf, nl + 1, strlen(nl + 1) + 1);
          rlen = strlen(rbuf);
        }
        if (rlen >= sizeof rbuf - 1) rlen = 0;
      }
    }
    if (!(p[0].revents & POLLIN)) continue;
    struct signalfd_siginfo si;
    while (read(sfd, &si, sizeof si) == sizeof si) {
      if (si.ssi_signo == SIGUSR1) open_log();
    }
    int st;
    pid_t w;
    while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
      if (w == runc) {
        runc = -1;
        /* The container's own mount namespace holds its rootfs now (or runc failed): ours goes. */
        if (host_ns >= 0) {
          if (setns(host_ns, CLONE_NEWNS) == 0) { close(host_ns); host_ns = -1; }
          if (chdir("/") < 0) { /* nothing relative is used after this */ }
        }
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
          runc_failed = 1;
          dprintf(3, "err %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
          close(3);
          drain_until = ms_now() + 200;
          continue;
        }
        ctr = read_pid_file(o->pid_file);
        dprintf(3, "ok %ld\n", ctr);
        close(3);
        for (int i = 0; i < nearly; i++) {
          if (early_pid[i] == ctr) { /* the container ended before runc did */
            ctr_status = early_status[i];
            drain_until = ms_now() + DRAIN_MS;
          }
        }
      } else if (ctr > 0 && w == ctr) {
        ctr_status = st;
        drain_until = ms_now() + DRAIN_MS;
      } else if (ctr < 0 && nearly < 64) {
        early_pid[nearly] = w;
        early_status[nearly++] = st;
      }
    }
  }
  if (so.fd >= 0) flush_stream(&so);
  if (se.fd >= 0) flush_stream(&se);
  if (sm.fd >= 0) flush_stream(&sm);
  if (o->overlay && (in_host_ns || host_ns >= 0)) umount2(o->rootfs, MNT_DETACH); /* else it went with our namespace */
  if (!runc_failed) write_exit(o, ctr, ctr_status);
  return runc_failed ? 1 : 0;
}


/* kubeling-shim run --flag value ... */
int cmd_run(int argc, char **argv) {
  struct opts o = {0};
  struct { const char *flag; const char **dst; } map[] = {
      {"--runc", &o.runc},       {"--root", &o.root},         {"--id", &o.id},
      {"--bundle", &o.bundle},   {"--pid-file", &o.pid_file}, {"--runc-log", &o.runc_log},
      {"--exit", &o.exit_file},  {"--log", &o.log},           {"--oom", &o.oom},
      {"--overlay", &o.overlay}, {"--rootfs", &o.rootfs},     {"--layers", &o.layers},
      {"--stdin", &o.stdin_fifo},  {"--tty", &o.resize_fifo},   {"--runc-fd", &o.runc_fd},
      {"--private-mount", &o.private_mount},
  };
  for (int i = 2; i + 1 < argc; i += 2) {
    size_t k;
    for (k = 0; k < sizeof map / sizeof map[0]; k++) {
      if (strcmp(argv[i], map[k].flag) == 0) { *map[k].dst = argv[i + 1]; break; }
    }
    if (k == sizeof map / sizeof map[0]) {
      dprintf(3, "err shim: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  return run_container(&o);
}

/* What the binary was built from (native.ts ensureShim reads it from the file to see whether to rebuild). */
#ifndef SHIM_SOURCES
#define SHIM_SOURCES "unknown"
#endif
__attribute__((used)) static const char shim_sources[] = "kubeling-shim-sources:" SHIM_SOURCES;

int main(int argc, char **argv) {
  if (fcntl(3, F_GETFD) < 0) { /* no sync pipe: park fd 3 on /dev/null so no other fd lands there */
    int fd = open("/dev/null", O_WRONLY);
    if (fd >= 0 && fd != 3) { dup2(fd, 3); close(fd); }
  }
  if (argc >= 2 && strcmp(argv[1], "whiteout") == 0) return cmd_whiteout();
  if (argc >= 2 && strcmp(argv[1], "tty-exec") == 0) return cmd_tty_exec(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "spawner") == 0) return cmd_spawner();
  if (argc < 2 || strcmp(argv[1], "run") != 0) {
    fprintf(stderr, "usage: kubeling-shim run --runc R ... | tty-exec SOCKET PIDFILE -- RUNC ARGS | whiteout | spawner\n");
    return 2;
  }
  return cmd_run(argc, argv);
}
