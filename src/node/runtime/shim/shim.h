/* Shared by the kubeling-shim sources: includes and small helpers. */
#ifndef KUBELING_SHIM_H
#define KUBELING_SHIM_H
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>


long ms_now(void);
long read_pid_file(const char *path);
int recv_fd(int sock);
int write_all(int fd, const char *b, size_t n);
int cmd_run(int argc, char **argv);
int cmd_tty_exec(int argc, char **argv);
int cmd_whiteout(void);
int cmd_spawner(void);
int sealed_copy(const char *path);

#endif
