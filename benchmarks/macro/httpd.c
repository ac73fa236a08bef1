/*
 * HTTP macro benchmark: a thread-per-connection HTTP/1.1 server, the way
 * many simple servers are written: blocking sockets, one thread per
 * accepted connection, keep-alive, one read and one write per request.
 * benchmarks/run.sh drives it with wrk on loopback.
 *
 *   httpd [--port N]            serve on 127.0.0.1:N (default 0: a free
 *                               port); prints "port=N" once listening
 *   httpd --get PATH --port N   a minimal client: GET PATH once, print the
 *                               body, exit 0 on status 200
 *
 * Paths: / (a 13-byte body), /4k (4096 bytes) and /quit: the server
 * answers, stops accepting, prints "served requests=N connections=M" and
 * exits 0.  Anything else is 404.  SIGTERM and SIGINT keep their default
 * action: the server keeps no state worth saving.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX       8192	    /* the longest request head accepted */
#define STACK_SIZE     (128 * 1024) /* per connection thread, the same in every libc */
#define BODY_4K	       4096
#define CLIENT_TIMEOUT 10 /* seconds the --get client waits for the server */

enum reply_kind {
	R_SMALL,
	R_4K,
	R_QUIT,
	R_NOT_FOUND,
	R_BAD_REQUEST,
	R_BAD_METHOD,
	R_TOO_LARGE,
	R_COUNT
};

/*
 * Every response is built once at start-up, in two variants: for a
 * connection that stays open and for one that closes after it.  A request
 * is then answered with a single write.
 */
struct reply {
	char *msg[2]; /* [0] keep-alive, [1] "Connection: close" */
	size_t len[2];
	size_t head_len[2]; /* what HEAD sends */
};

static struct reply replies[R_COUNT];
static int listen_fd = -1;
static int quitting;
static unsigned long nrequests, nconnections;

static char *build_reply(const char *status, const char *body, size_t body_len, int close,
			 size_t *len, size_t *head_len)
{
	char head[256];
	int n;
	char *msg;

	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %s\r\nServer: elh-bench\r\nContent-Type: text/plain\r\n"
		     "Content-Length: %zu\r\n%s\r\n",
		     status, body_len, close ? "Connection: close\r\n" : "");
	msg = malloc((size_t)n + body_len);
	if (!msg) {
		perror("httpd: malloc");
		exit(1);
	}
	memcpy(msg, head, (size_t)n);
	memcpy(msg + n, body, body_len);
	*head_len = (size_t)n;
	*len = (size_t)n + body_len;
	return msg;
}

static void build_replies(void)
{
	static const struct {
		enum reply_kind kind;
		const char *status;
		const char *body;
	} tab[] = {
		{ R_SMALL, "200 OK", "Hello, world\n" },
		{ R_4K, "200 OK", NULL },
		{ R_QUIT, "200 OK", "bye\n" },
		{ R_NOT_FOUND, "404 Not Found", "not found\n" },
		{ R_BAD_REQUEST, "400 Bad Request", "bad request\n" },
		{ R_BAD_METHOD, "405 Method Not Allowed", "only GET and HEAD\n" },
		{ R_TOO_LARGE, "431 Request Header Fields Too Large", "request head too large\n" },
	};
	static char body4k[BODY_4K];

	/* Printable, and not all alike, so that a client can check it. */
	for (int i = 0; i < BODY_4K; i++)
		body4k[i] = (i % 64 == 63) ? '\n' : (char)('a' + i % 26);
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		struct reply *r = &replies[tab[i].kind];
		const char *body = tab[i].body ? tab[i].body : body4k;
		size_t blen = tab[i].body ? strlen(body) : BODY_4K;

		for (int c = 0; c < 2; c++)
			r->msg[c] =
			    build_reply(tab[i].status, body, blen, c, &r->len[c], &r->head_len[c]);
	}
}

/* Does the header value v (n bytes) contain the token tok, case-insensitively? */
static int has_token(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);

	for (size_t i = 0; i + tl <= n; i++)
		if (!strncasecmp(v + i, tok, tl) &&
		    (i == 0 || v[i - 1] == ' ' || v[i - 1] == ',') &&
		    (i + tl == n || v[i + tl] == ' ' || v[i + tl] == ',' || v[i + tl] == '\r'))
			return 1;
	return 0;
}

/*
 * Parse one request head (len bytes, ending with the blank line): which
 * reply it gets, whether the connection closes after it, whether it is
 * HEAD.  Requests with a body are refused: nothing served here takes one.
 */
static enum reply_kind parse(const char *buf, size_t len, int *close, int *head_only)
{
	const char *end = buf + len, *line, *eol, *sp1, *sp2;
	size_t tlen;
	int http10;

	*close = 1;
	*head_only = 0;
	eol = memchr(buf, '\r', len);
	if (!eol || eol + 1 >= end || eol[1] != '\n')
		return R_BAD_REQUEST;
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (!sp1)
		return R_BAD_REQUEST;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || eol - sp2 - 1 != 8)
		return R_BAD_REQUEST;
	if (!memcmp(sp2 + 1, "HTTP/1.1", 8))
		http10 = 0;
	else if (!memcmp(sp2 + 1, "HTTP/1.0", 8))
		http10 = 1;
	else
		return R_BAD_REQUEST;
	/* HTTP/1.0 closes after each response: keep-alive is for 1.1 only here. */
	*close = http10;
	for (line = eol + 2; line < end && *line != '\r'; line = eol + 2) {
		const char *colon;
		size_t nlen;

		eol = memchr(line, '\r', (size_t)(end - line));
		if (!eol)
			return R_BAD_REQUEST;
		colon = memchr(line, ':', (size_t)(eol - line));
		if (!colon)
			return R_BAD_REQUEST;
		nlen = (size_t)(colon - line);
		if (nlen == 10 && !strncasecmp(line, "connection", 10)) {
			if (has_token(colon + 1, (size_t)(eol - colon - 1), "close"))
				*close = 1;
		} else if ((nlen == 14 && !strncasecmp(line, "content-length", 14)) ||
			   (nlen == 17 && !strncasecmp(line, "transfer-encoding", 17))) {
			const char *v = colon + 1;

			while (v < eol && *v == ' ')
				v++;
			if (nlen == 17 || v == eol || *v != '0' || v + 1 != eol) {
				*close = 1;
				return R_BAD_REQUEST;
			}
		}
	}
	if ((size_t)(sp1 - buf) == 4 && !memcmp(buf, "HEAD", 4))
		*head_only = 1;
	else if ((size_t)(sp1 - buf) != 3 || memcmp(buf, "GET", 3))
		return R_BAD_METHOD;
	tlen = (size_t)(sp2 - sp1 - 1);
	if (tlen == 1 && sp1[1] == '/')
		return R_SMALL;
	if (tlen == 3 && !memcmp(sp1 + 1, "/4k", 3))
		return R_4K;
	if (tlen == 5 && !memcmp(sp1 + 1, "/quit", 5)) {
		*close = 1;
		return R_QUIT;
	}
	return R_NOT_FOUND;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Stop accepting: the main thread's accept() fails, it sees quitting and returns. */
static void quit(void)
{
	__atomic_store_n(&quitting, 1, __ATOMIC_SEQ_CST);
	if (shutdown(listen_fd, SHUT_RDWR))
		perror("httpd: shutdown of the listening socket");
}

/* One connection: requests one after the other (pipelined ones too) until
 * the client closes, asks to close, or sends something refused. */
static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[HEAD_MAX];
	size_t have = 0;

	for (;;) {
		const char *end = have >= 4 ? memmem(buf, have, "\r\n\r\n", 4) : NULL;
		enum reply_kind k;
		int close_after, head_only;
		size_t head;
		ssize_t n;

		if (!end) {
			if (have == sizeof(buf)) {
				write_all(fd, replies[R_TOO_LARGE].msg[1],
					  replies[R_TOO_LARGE].len[1]);
				break;
			}
			n = read(fd, buf + have, sizeof(buf) - have);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break; /* the client closed, or reset the connection */
			have += (size_t)n;
			continue;
		}
		head = (size_t)(end - buf) + 4;
		k = parse(buf, head, &close_after, &head_only);
		if (write_all(fd, replies[k].msg[close_after],
			      head_only ? replies[k].head_len[close_after]
					: replies[k].len[close_after]))
			break;
		__atomic_add_fetch(&nrequests, 1, __ATOMIC_RELAXED);
		if (k == R_QUIT)
			quit();
		if (close_after)
			break;
		memmove(buf, buf + head, have - head);
		have -= head;
	}
	close(fd);
	return NULL;
}

static int server(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	struct sigaction ign = { .sa_handler = SIG_IGN };
	pthread_attr_t attr;
	int one = 1, err;

	/* A client that goes away mid-response is its own business. */
	sigaction(SIGPIPE, &ign, NULL);
	build_replies();
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0) {
		perror("httpd: socket");
		return 1;
	}
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "httpd: bind to 127.0.0.1:%d: %s\n", port, strerror(errno));
		return 1;
	}
	if (listen(listen_fd, SOMAXCONN) ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &salen)) {
		perror("httpd: listen");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	printf("port=%d\n", ntohs(sa.sin_port));
	fflush(stdout);

	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		pthread_t t;

		if (__atomic_load_n(&quitting, __ATOMIC_SEQ_CST)) {
			if (fd >= 0)
				close(fd);
			break;
		}
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* Out of something for now: let connections finish. */
				struct timespec ts = { 0, 10000000 };

				perror("httpd: accept");
				nanosleep(&ts, NULL);
				continue;
			}
			perror("httpd: accept");
			return 1;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		err = pthread_create(&t, &attr, serve, (void *)(intptr_t)fd);
		if (err) {
			fprintf(stderr, "httpd: pthread_create: %s\n", strerror(err));
			close(fd);
			continue;
		}
		nconnections++;
	}
	/* Connections still open die with the process. */
	printf("served requests=%lu connections=%lu\n",
	       __atomic_load_n(&nrequests, __ATOMIC_RELAXED), nconnections);
	fflush(stdout);
	return 0;
}

/* The client: one request, Connection: close, read to end-of-file. */
static int client(int port, const char *path)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { CLIENT_TIMEOUT, 0 };
	char req[512], *resp = NULL, *body;
	size_t have = 0, cap = 0;
	int fd, n, ret = 1;
	ssize_t r;

	if (path[0] != '/' || strpbrk(path, " \r\n")) {
		fprintf(stderr, "httpd: --get wants a path such as /quit, not '%s'\n", path);
		return 2;
	}
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n", path,
		     port);
	if (n < 0 || (size_t)n >= sizeof(req)) {
		fprintf(stderr, "httpd: --get: path too long\n");
		return 2;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("httpd: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "httpd: connect to 127.0.0.1:%d: %s\n", port, strerror(errno));
		goto out;
	}
	if (write_all(fd, req, (size_t)n)) {
		perror("httpd: sending the request");
		goto out;
	}
	for (;;) {
		if (cap - have < 4096) {
			char *p = realloc(resp, cap + 65536);

			if (!p) {
				perror("httpd: realloc");
				goto out;
			}
			resp = p;
			cap += 65536;
		}
		r = read(fd, resp + have, cap - have - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("httpd: reading the response");
			goto out;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	resp[have] = '\0';
	body = strstr(resp, "\r\n\r\n");
	if (!body || strncmp(resp, "HTTP/1.1 ", 9)) {
		fprintf(stderr, "httpd: GET %s: malformed response (%zu bytes)\n", path, have);
		goto out;
	}
	body += 4;
	fwrite(body, 1, have - (size_t)(body - resp), stdout);
	if (strncmp(resp + 9, "200 ", 4)) {
		fprintf(stderr, "httpd: GET %s: %.*s\n", path, (int)strcspn(resp, "\r"), resp);
		goto out;
	}
	ret = 0;
out:
	free(resp);
	close(fd);
	return ret;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [--port N]             serve on 127.0.0.1:N (0, the default: any\n"
		"                                  free port); prints port=N once listening\n"
		"       %s --get PATH --port N    GET http://127.0.0.1:N/PATH, print the body\n"
		"Paths served: / (13 bytes), /4k (4096 bytes), /quit (stop the server).\n",
		prog, prog);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "get", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *get = NULL;
	long port = 0;
	int c;
	char *end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || port < 0 || port > 65535) {
				fprintf(stderr, "%s: bad port '%s'\n", argv[0], optarg);
				return 2;
			}
			break;
		case 'g': get = optarg; break;
		case 'h': usage(stdout, argv[0]); return 0;
		default: usage(stderr, argv[0]); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr, argv[0]);
		return 2;
	}
	if (get) {
		if (!port) {
			fprintf(stderr, "%s: --get needs --port\n", argv[0]);
			return 2;
		}
		return client((int)port, get);
	}
	return server((int)port);
}
