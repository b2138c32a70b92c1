/* kubeling-shim tty-exec: see shim.c. Relays a pty that runc hands to a console socket. */
#include "shim.h"

int recv_fd(int sock) {
  char data[1];
  char ctl[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {data, sizeof data};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
  if (recvmsg(sock, &msg, 0) < 0) return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

int write_all(int fd, const char *b, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    b += w;
    n -= (size_t)w;
  }
  return 0;
}

int cmd_tty_exec(int argc, char **argv) {
  if (argc < 6 || strcmp(argv[4], "--") != 0) { fprintf(stderr, "usage: tty-exec SOCKET PIDFILE -- RUNC ARGS\n"); return 2; }
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(argv[2]) >= sizeof addr.sun_path) { fprintf(stderr, "socket path too long\n"); return 2; }
  strcpy(addr.sun_path, argv[2]);
  int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(argv[2]);
  if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 1) < 0) { perror("console socket"); return 126; }
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  pid_t runc = fork();
  if (runc == 0) {
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
    int nul = open("/dev/null", O_RDWR);
    dup2(nul, 0);
    dup2(nul, 1);
    close(3);
    execv(argv[5], argv + 5);
    _exit(127);
  }
  long target = -1;
  int master = -1, status = -1, in_open = 1, ctl_open = fcntl(3, F_GETFD) >= 0;
  struct winsize pending = {0};
  char ctl[128];
  size_t ctl_len = 0;
  long drain_until = -1;
  for (;;) {
    if (drain_until >= 0 && (master < 0 || ms_now() >= drain_until)) break;
    struct pollfd p[5] = {{sfd, POLLIN, 0}, {master < 0 ? ls : -1, POLLIN, 0}, {master, POLLIN, 0},
                          {in_open && master >= 0 ? 0 : -1, POLLIN, 0}, {ctl_open ? 3 : -1, POLLIN, 0}};
    int timeout = drain_until >= 0 ? (int)(drain_until - ms_now()) : -1;
    if (poll(p, 5, timeout < 0 && drain_until >= 0 ? 0 : timeout) < 0 && errno != EINTR) break;
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {}
      int st;
      pid_t w;
      while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
        int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (w == runc) {
          runc = -1;
          if (code != 0) { status = code; drain_until = ms_now(); }
          else target = read_pid_file(argv[3]);
        } else if (w == target || target < 0) { /* the exec'd process (possibly reaped before runc) */
          status = code;
          drain_until = ms_now() + 500;
        }
      }
    }
    if (p[1].revents & POLLIN) {
      int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
      if (c >= 0) { master = recv_fd(c); close(c); }
      if (master >= 0 && pending.ws_row) ioctl(master, TIOCSWINSZ, &pending);
    }
    char buf[32768];
    if (p[2].revents) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) write_all(1, buf, (size_t)n);
      else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) { close(master); master = -1; if (drain_until < 0) drain_until = ms_now() + 5000; }
    }
    if (p[3].revents) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n > 0) write_all(master, buf, (size_t)n);
      else in_open = 0;
    }
    if (p[4].revents) {
      ssize_t n = read(3, ctl + ctl_len, sizeof ctl - 1 - ctl_len);
      if (n <= 0) ctl_open = 0;
      else {
        ctl_len += (size_t)n;
        ctl[ctl_len] = 0;
        char *nl;
        while ((nl = strchr(ctl, '\n'))) {
          struct winsize ws = {0};
          unsigned rows = 0, cols = 0;
          if (sscanf(ctl, "%u %u", &rows, &cols) == 2) {
            ws.ws_row = (unsigned short)rows;
            ws.ws_col = (unsigned short)cols;
            pending = ws; /* applied when the pty arrives, if it has not yet */
            if (master >= 0) ioctl(master, TIOCSWINSZ, &ws);
          }
          memmove(ctl, nl + 1, strlen(nl + 1) + 1);
          ctl_len = strlen(ctl);
        }
        if (ctl_len >= sizeof ctl - 1) ctl_len = 0;
      }
    }
  }
  unlink(argv[2]);
  unlink(argv[3]);
  while (status < 0) { /* the pty closed first: wait for the process's status */
    int st;
    pid_t w = waitpid(-1, &st, 0);
    if (w < 0) { status = 255; break; }
    if (w == target || (target < 0 && w != runc)) status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    else if (w == runc && WIFEXITED(st) && WEXITSTATUS(st) == 0) { runc = -1; target = read_pid_file(argv[3]); }
    else if (w == runc) status = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
  }
  return status;
}

