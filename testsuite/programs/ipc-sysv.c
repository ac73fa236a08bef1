/* System V IPC: a message queue between threads, a semaphore set, a shared
 * memory segment attached twice; control calls, and the errors for bad
 * addresses and commands. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

struct msg {
	long type;
	char text[32];
};

static int queue;

static void *echo(void *arg)
{
	struct msg m;

	(void)arg;
	for (int i = 0; i < 3; i++) {
		CHECK(msgrcv(queue, &m, sizeof(m.text), 1, 0) == (ssize_t)sizeof(m.text));
		m.type = 2;
		m.text[0] ^= 0x20;
		CHECK(msgsnd(queue, &m, sizeof(m.text), 0) == 0);
	}
	return NULL;
}

static void messages(void)
{
	struct msqid_ds ds;
	struct msg m = { 1, "hello" };
	pthread_t t;
	int bad;

	queue = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	CHECK(queue >= 0);
	CHECK(pthread_create(&t, NULL, echo, NULL) == 0);
	for (int i = 0; i < 3; i++) {
		m.type = 1;
		m.text[0] = (char)('a' + i);
		CHECK(msgsnd(queue, &m, sizeof(m.text), 0) == 0);
		CHECK(msgrcv(queue, &m, sizeof(m.text), 2, 0) == (ssize_t)sizeof(m.text));
		printf("msg: echoed %c%s\n", m.text[0], m.text + 1);
	}
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(msgrcv(queue, &m, sizeof(m.text), 0, IPC_NOWAIT) == -1 && errno == ENOMSG);
	CHECK(msgsnd(queue, &m, sizeof(m.text), 0) == 0);
	CHECK(msgctl(queue, IPC_STAT, &ds) == 0);
	printf("msg: %lu queued, %lu bytes\n", (unsigned long)ds.msg_qnum,
	       (unsigned long)ds.msg_cbytes);
	bad = msgsnd(queue, (void *)16, 8, 0);
	printf("msg: send from a bad address: %s\n", bad ? errno_name(errno) : "ok");
	bad = msgctl(queue, IPC_STAT, (void *)16);
	printf("msg: stat into a bad address: %s\n", bad ? errno_name(errno) : "ok");
	CHECK(msgctl(queue, IPC_RMID, NULL) == 0);
	CHECK(msgsnd(queue, &m, sizeof(m.text), 0) == -1);
	printf("msg: after IPC_RMID: %s\n", errno_name(errno));
}

static void semaphores(void)
{
	unsigned short vals[3] = { 1, 2, 3 }, got[3];
	struct sembuf op[2] = { { 0, -1, 0 }, { 2, 2, 0 } };
	struct timespec short_wait = { 0, 10 * 1000 * 1000 };
	struct semid_ds ds;
	int set = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);

	CHECK(set >= 0);
	CHECK(semctl(set, 0, SETALL, vals) == 0);
	CHECK(semop(set, op, 2) == 0);
	CHECK(semctl(set, 0, GETALL, got) == 0);
	printf("sem: after one op: %u %u %u\n", got[0], got[1], got[2]);
	CHECK(semctl(set, 1, SETVAL, 7) == 0);
	printf("sem: GETVAL 1: %d\n", semctl(set, 1, GETVAL));
	op[0].sem_num = 0;
	op[0].sem_op = -1;
	CHECK(semtimedop(set, op, 1, &short_wait) == -1);
	printf("sem: waiting on zero with a timeout: %s\n", errno_name(errno));
	op[0].sem_flg = IPC_NOWAIT;
	CHECK(semop(set, op, 1) == -1);
	printf("sem: IPC_NOWAIT on zero: %s\n", errno_name(errno));
	CHECK(semctl(set, 0, IPC_STAT, &ds) == 0);
	printf("sem: %lu semaphores\n", (unsigned long)ds.sem_nsems);
	CHECK(semop(set, (void *)16, 1) == -1);
	printf("sem: operations at a bad address: %s\n", errno_name(errno));
	CHECK(semctl(set, 0, GETALL, (void *)16) == -1);
	printf("sem: GETALL into a bad address: %s\n", errno_name(errno));
	CHECK(semctl(set, 0, IPC_RMID) == 0);
}

static void shared_memory(void)
{
	struct shmid_ds ds;
	int seg = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
	char *a, *b, local;

	CHECK(seg >= 0);
	a = shmat(seg, NULL, 0);
	CHECK(a != (void *)-1);
	b = shmat(seg, NULL, SHM_RDONLY);
	CHECK(b != (void *)-1 && b != a);
	strcpy(a + 9000, "shared");
	printf("shm: second attachment reads \"%s\"\n", b + 9000);
	CHECK(shmctl(seg, IPC_STAT, &ds) == 0);
	printf("shm: size %lu, attached %lu times\n", (unsigned long)ds.shm_segsz,
	       (unsigned long)ds.shm_nattch);
	CHECK(shmdt(b) == 0);
	CHECK(shmctl(seg, IPC_STAT, &ds) == 0);
	printf("shm: after one shmdt, attached %lu times\n", (unsigned long)ds.shm_nattch);
	CHECK(shmdt(b) == -1);
	printf("shm: shmdt again: %s\n", errno_name(errno));
	CHECK(shmdt(&local) == -1);
	printf("shm: shmdt of a stack address: %s\n", errno_name(errno));
	CHECK(shmat(seg, a + 1, 0) == (void *)-1);
	printf("shm: shmat at an unaligned address: %s\n", errno_name(errno));
	CHECK(shmat(seg, a, 0) == (void *)-1);
	printf("shm: shmat over an attachment: %s\n", errno_name(errno));
	CHECK(shmctl(seg, IPC_RMID, NULL) == 0);
	printf("shm: still readable after IPC_RMID: \"%s\"\n", a + 9000);
	CHECK(shmdt(a) == 0);
	CHECK(shmctl(seg, IPC_STAT, (void *)16) == -1);
	printf("shm: stat of a removed segment: %s\n", errno_name(errno));
}

int main(void)
{
	alarm(WATCHDOG_SECONDS);
	setvbuf(stdout, NULL, _IONBF, 0);
	messages();
	semaphores();
	shared_memory();
	printf("ok\n");
	return 0;
}
