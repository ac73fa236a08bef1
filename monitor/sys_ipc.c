/*
 * System V IPC: message queues, semaphores, and the control call of shared
 * memory (shmat and shmdt change the address space: memory.c).  The IPC
 * namespace is the host's, as for a native process.  Messages and semaphore
 * operations go to the host in place, their range checked; the control
 * calls' structures are copied through the monitor, in the order the kernel
 * copies them (so a bad id is EINVAL before a bad buffer is EFAULT, as on
 * Linux).  Their size depends on the command: a command this file does not
 * know fails with EINVAL rather than reach the host with a guest pointer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <time.h>

#include "guestmem.h"
#include "syscall.h"
#include "vm.h"

#define IPC_64_FLAG  0x100 /* "new layout" bit some libcs add to cmd */
#define MAX_MSG_SIZE (1ull << 31)

static long check(struct elh_vcpu *cpu, uint64_t p, uint64_t len)
{
	return elh_guest_range(&cpu->vm->arena, p, len) ? -EFAULT : 0;
}

/* A message: its type (a long), then msgsz bytes. */
ELH_HANDLER(msgsnd)
{
	if (a[2] > MAX_MSG_SIZE)
		return -EINVAL;
	if (check(cpu, a[1], sizeof(long) + a[2]))
		return -EFAULT;
	return elh_host4(SYS_msgsnd, a[0], a[1], a[2], a[3]);
}

ELH_HANDLER(msgrcv)
{
	if (a[2] > MAX_MSG_SIZE)
		return -EINVAL;
	if (check(cpu, a[1], sizeof(long) + a[2]))
		return -EFAULT;
	return elh_host5(SYS_msgrcv, a[0], a[1], a[2], a[3], a[4]);
}

/* The largest control structure (struct msqid_ds and friends). */
#define CTL_MAX 256

/* A control call whose structure the kernel reads (in) or writes (out),
 * made with a monitor copy.  The structure is the last argument. */
static long ctl(struct elh_vcpu *cpu, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t gptr,
		size_t len, int in, int nargs)
{
	struct elh_arena *ar = &cpu->vm->arena;
	_Alignas(16) unsigned char local[CTL_MAX];

	if (len > sizeof(local))
		return -EINVAL;
	long r;

	if (in && elh_guest_read(ar, local, gptr, len))
		return -EFAULT;
	if (!in)
		memset(local, 0, len);
	r = nargs == 3 ? elh_host3(nr, a0, a1, local) : elh_host4(nr, a0, a1, a2, local);
	if (r >= 0 && !in && elh_guest_write(ar, gptr, local, len))
		return -EFAULT;
	return r;
}

ELH_HANDLER(msgctl)
{
	switch ((int)a[1] & ~IPC_64_FLAG) {
	case IPC_RMID: return elh_host3(SYS_msgctl, a[0], a[1], 0);
	case IPC_SET:
		return ctl(cpu, SYS_msgctl, a[0], a[1], 0, a[2], sizeof(struct msqid_ds), 1, 3);
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		return ctl(cpu, SYS_msgctl, a[0], a[1], 0, a[2], sizeof(struct msqid_ds), 0, 3);
	case IPC_INFO:
	case MSG_INFO:
		return ctl(cpu, SYS_msgctl, a[0], a[1], 0, a[2], sizeof(struct msginfo), 0, 3);
	default: return -EINVAL;
	}
}

/* The kernel refuses more operations per call than this long before. */
#define MAX_SEMOPS 65536

ELH_HANDLER(semop)
{
	if (a[2] > MAX_SEMOPS)
		return -E2BIG;
	if (check(cpu, a[1], a[2] * sizeof(struct sembuf)))
		return -EFAULT;
	return elh_host3(SYS_semop, a[0], a[1], a[2]);
}

ELH_HANDLER(semtimedop)
{
	if (a[2] > MAX_SEMOPS)
		return -E2BIG;
	if (check(cpu, a[1], a[2] * sizeof(struct sembuf)) ||
	    (a[3] && check(cpu, a[3], sizeof(struct timespec))))
		return -EFAULT;
	return elh_host4(SYS_semtimedop, a[0], a[1], a[2], a[3]);
}

/* The fourth argument is a union: an int for some commands, a pointer
 * whose size depends on the command (and for GETALL and SETALL on the
 * set's size) for others. */
ELH_HANDLER(semctl)
{
	struct elh_arena *ar = &cpu->vm->arena;
	unsigned short *vals;
	struct semid_ds ds;
	size_t len;
	long r;

	switch ((int)a[2] & ~IPC_64_FLAG) {
	case IPC_RMID:
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETVAL: return elh_host4(SYS_semctl, a[0], a[1], a[2], a[3]);
	case IPC_SET:
		return ctl(cpu, SYS_semctl, a[0], a[1], a[2], a[3], sizeof(struct semid_ds), 1, 4);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return ctl(cpu, SYS_semctl, a[0], a[1], a[2], a[3], sizeof(struct semid_ds), 0, 4);
	case IPC_INFO:
	case SEM_INFO:
		return ctl(cpu, SYS_semctl, a[0], a[1], a[2], a[3], sizeof(struct seminfo), 0, 4);
	case GETALL:
	case SETALL: break;
	default: return -EINVAL;
	}
	r = elh_host4(SYS_semctl, a[0], 0, IPC_STAT, &ds);
	if (r < 0)
		return r;
	len = ds.sem_nsems * sizeof(*vals);
	vals = malloc(len ? len : 1);
	if (!vals)
		return -ENOMEM;
	if (((int)a[2] & ~IPC_64_FLAG) == SETALL) {
		r = elh_guest_read(ar, vals, a[3], len)
			? -EFAULT
			: elh_host4(SYS_semctl, a[0], a[1], a[2], vals);
	} else {
		r = elh_host4(SYS_semctl, a[0], a[1], a[2], vals);
		if (r >= 0 && elh_guest_write(ar, a[3], vals, len))
			r = -EFAULT;
	}
	free(vals);
	return r;
}

ELH_HANDLER(shmctl)
{
	switch ((int)a[1] & ~IPC_64_FLAG) {
	case IPC_RMID:
	case SHM_LOCK:
	case SHM_UNLOCK: return elh_host3(SYS_shmctl, a[0], a[1], 0);
	case IPC_SET:
		return ctl(cpu, SYS_shmctl, a[0], a[1], 0, a[2], sizeof(struct shmid_ds), 1, 3);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
		return ctl(cpu, SYS_shmctl, a[0], a[1], 0, a[2], sizeof(struct shmid_ds), 0, 3);
	case IPC_INFO:
		return ctl(cpu, SYS_shmctl, a[0], a[1], 0, a[2], sizeof(struct shminfo), 0, 3);
	case SHM_INFO:
		return ctl(cpu, SYS_shmctl, a[0], a[1], 0, a[2], sizeof(struct shm_info), 0, 3);
	default: return -EINVAL;
	}
}
