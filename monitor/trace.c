/* --trace: one line per guest system call, strace's way, from its table
 * entry; and the errno names it prints. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "executor.h"
#include "guestmem.h"
#include "syscall.h"

/* ---- errno names ---- */

/* The names are the macros themselves: no spelling can drift. */
#define E(x) [x] = #x

/* clang-format off */
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC), E(EBADF),
	E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST),
	E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM),
	E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP),
	E(ENOMSG), E(EIDRM), E(ECHRNG), E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH),
	E(ENOCSI), E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC), E(EBADSLT),
	E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR), E(ENONET), E(ENOPKG), E(EREMOTE),
	E(ENOLINK), E(EADV), E(ESRMNT), E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT), E(EBADMSG),
	E(EOVERFLOW), E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC), E(ELIBBAD), E(ELIBSCN),
	E(ELIBMAX), E(ELIBEXEC), E(EILSEQ), E(ERESTART), E(ESTRPIPE), E(EUSERS), E(ENOTSOCK),
	E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT), E(EADDRINUSE),
	E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ENETRESET), E(ECONNABORTED),
	E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS),
	E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS),
	E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL), E(EISNAM), E(EREMOTEIO), E(EDQUOT),
	E(ENOMEDIUM), E(EMEDIUMTYPE), E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED),
	E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL), E(EHWPOISON),
};
/* clang-format on */

#undef E

const char *elh_errno_name(int err)
{
	if (err <= 0 || (size_t)err >= sizeof(errno_names) / sizeof(errno_names[0]))
		return NULL;
	return errno_names[err];
}

/* ---- the trace ---- */

struct tbuf {
	char buf[2048];
	size_t len;
};

static void tb_add(struct tbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tb_add(struct tbuf *t, const char *fmt, ...)
{
	size_t room = sizeof(t->buf) - t->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	t->len += (size_t)n < room ? (size_t)n : room - 1;
}

/* Quoted and escaped, at most max bytes of s (n long), "..." if cut. */
static void tb_quote(struct tbuf *t, const unsigned char *s, size_t n, size_t max, bool cut)
{
	size_t i;

	tb_add(t, "\"");
	for (i = 0; i < n && i < max; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '\n': tb_add(t, "\\n"); break;
		case '\t': tb_add(t, "\\t"); break;
		case '\r': tb_add(t, "\\r"); break;
		case '"': tb_add(t, "\\\""); break;
		case '\\': tb_add(t, "\\\\"); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				tb_add(t, "%c", c);
			else
				tb_add(t, "\\x%02x", c);
		}
	}
	tb_add(t, "\"%s", cut || n > max ? "..." : "");
}

static void tb_ptr(struct tbuf *t, uint64_t p)
{
	if (p)
		tb_add(t, "0x%" PRIx64, p);
	else
		tb_add(t, "NULL");
}

static void tb_hex(struct tbuf *t, uint64_t v)
{
	if (v)
		tb_add(t, "0x%" PRIx64, v);
	else
		tb_add(t, "0");
}

static void tb_guest_bytes(struct tbuf *t, struct elh_vm *vm, uint64_t gva, uint64_t len)
{
	unsigned char data[32];
	size_t n = len < sizeof(data) ? len : sizeof(data);

	if (elh_guest_read(&vm->arena, data, gva, n))
		tb_ptr(t, gva);
	else
		tb_quote(t, data, n, n, len > n);
}

static void tb_errno(struct tbuf *t, long ret)
{
	char desc[128];
	const char *name = elh_errno_name(-ret);
	const char *text = strerror_r(-ret, desc, sizeof(desc));

	if (name)
		tb_add(t, "-1 %s (%s)", name, text);
	else
		tb_add(t, "-1 errno %ld (%s)", -ret, text);
}

static void tb_result(struct tbuf *t, const struct elh_sysdesc *d, long ret)
{
	if (d && d->result == ELH_RES_RAW) {
		tb_add(t, "0x%lx", (unsigned long)ret);
		return;
	}
	if (elh_sys_is_error(ret)) {
		tb_errno(t, ret);
		return;
	}
	switch (d ? d->result : ELH_RES_INT) {
	case ELH_RES_HEX: tb_add(t, "0x%lx", (unsigned long)ret); break;
	case ELH_RES_OCT: tb_add(t, "0%lo", (unsigned long)ret); break;
	default: tb_add(t, "%ld", ret);
	}
}

static void tb_arg(struct tbuf *t, struct elh_vm *vm, const struct elh_sysdesc *d, unsigned i,
		   const uint64_t a[6], const uint64_t v[6], const struct sys_scratch *s, bool done,
		   long ret)
{
	unsigned k = ELH_ARG_KIND(d->arg[i]);
	char tmp[256];
	uint64_t len;

	switch (k) {
	case ELH_ARG_INT: tb_add(t, "%d", (int)a[i]); break;
	case ELH_ARG_LONG: tb_add(t, "%" PRId64, (int64_t)a[i]); break;
	case ELH_ARG_UINT: tb_add(t, "%" PRIu64, a[i]); break;
	case ELH_ARG_HEX: tb_hex(t, a[i]); break;
	case ELH_ARG_OCT:
		if (a[i])
			tb_add(t, "0%" PRIo64, a[i]);
		else
			tb_add(t, "0");
		break;
	case ELH_ARG_FD: tb_add(t, "%d", (int)a[i]); break;
	case ELH_ARG_DIRFD:
		if ((int)a[i] == AT_FDCWD)
			tb_add(t, "AT_FDCWD");
		else
			tb_add(t, "%d", (int)a[i]);
		break;
	case ELH_ARG_PATH:
	case ELH_ARG_STR:
		if (s->copied & (1u << i)) {
			const char *p = ELH_PTR(v[i]);

			tb_quote(t, (const unsigned char *)p, strlen(p), 64, false);
		} else {
			tb_ptr(t, a[i]);
		}
		break;
	case ELH_ARG_BUF_IN:
		len = a[ELH_LEN_INDEX(d->len[i])];
		if (d->len[i] & ELH_LEN_U32)
			len = (uint32_t)len;
		if (len && !elh_guest_range(&vm->arena, a[i], len))
			tb_guest_bytes(t, vm, a[i], len);
		else
			tb_ptr(t, a[i]);
		break;
	case ELH_ARG_BUF_OUT:
		if (done && d->result == ELH_RES_SIZE && ret > 0)
			tb_guest_bytes(t, vm, a[i], ret);
		else
			tb_ptr(t, a[i]);
		break;
	case ELH_ARG_STRUCT_IN:
	case ELH_ARG_STRUCT_INOUT:
		if ((s->copied & (1u << i)) && elh_structs[d->len[i]].show) {
			elh_structs[d->len[i]].show(tmp, sizeof(tmp), ELH_PTR(v[i]));
			tb_add(t, "%s", tmp);
		} else {
			tb_ptr(t, a[i]);
		}
		break;
	case ELH_ARG_STRUCT_OUT:
	case ELH_ARG_PTR: tb_ptr(t, a[i]); break;
	default: tb_hex(t, a[i]);
	}
}

/* One line per call, written with a single fputs so that lines of
 * concurrent threads do not interleave. */
void elh_sys_trace(struct elh_vcpu *cpu, long nr, const struct elh_sysdesc *d, const uint64_t a[6],
		   const uint64_t v[6], const struct sys_scratch *s, bool done, long ret)
{
	struct elh_vm *vm = cpu->vm;
	struct tbuf t;
	unsigned i;

	t.len = 0;
	tb_add(&t, "[%d] ", (int)cpu->tid);
	if (d) {
		tb_add(&t, "%s(", d->name);
		for (i = 0; i < d->nargs; i++) {
			if (i)
				tb_add(&t, ", ");
			tb_arg(&t, vm, d, i, a, v, s, done, ret);
		}
	} else {
		char label[64];

		elh_sys_label(label, sizeof(label), nr);
		tb_add(&t, "%s(", label);
		for (i = 0; i < 6; i++) {
			if (i)
				tb_add(&t, ", ");
			tb_hex(&t, a[i]);
		}
	}
	tb_add(&t, ") = ");
	if (done)
		tb_result(&t, d, ret);
	else
		tb_add(&t, "?");
	/* A line cut to fit the buffer still ends the line. */
	if (t.len >= sizeof(t.buf) - 2)
		t.len = sizeof(t.buf) - 2;
	t.buf[t.len++] = '\n';
	t.buf[t.len] = 0;
	fputs(t.buf, vm->trace_out ? vm->trace_out : stderr);
}
