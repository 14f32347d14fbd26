/*
 * echod: TCP echo service (RFC 862) for the Tandem test guest.
 *
 * Usage: echod [PORT]   (default 7).  One forked child per connection
 * copies everything it reads back to the peer until EOF.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void serve(int fd)
{
    char buf[16384];
    ssize_t n, off, w;

    for (;;) {
        n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        for (off = 0; off < n; off += w) {
            w = write(fd, buf + off, n - off);
            if (w < 0 && errno == EINTR) {
                w = 0;
                continue;
            }
            if (w <= 0) {
                return;
            }
        }
    }
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 7;
    struct sockaddr_in sa;
    int one = 1;
    int s, c;

    signal(SIGCHLD, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) {
        perror("echod: socket");
        return 1;
    }
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 64) < 0) {
        perror("echod: bind/listen");
        return 1;
    }
    for (;;) {
        c = accept(s, NULL, NULL);
        if (c < 0) {
            continue;
        }
        if (fork() == 0) {
            close(s);
            serve(c);
            _exit(0);
        }
        close(c);
    }
}
