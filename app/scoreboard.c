/*
 * scoreboard.c -- see scoreboard.h.
 */
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "log.h"
#include "scoreboard.h"
#include "str.h"

struct scoreboard *
scoreboard_create(void)
{
	struct scoreboard	*sb;

	sb = mmap(NULL, sizeof(*sb), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sb == MAP_FAILED)
		fatal("mmap scoreboard");
	memset(sb, 0, sizeof(*sb));
	sb->started_ms = now_wall_ms();
	return sb;
}

int64_t
now_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
now_wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copies at most n-1 bytes, replacing control bytes, always terminated. */
static void
slot_copy(char *dst, size_t n, const char *src)
{
	size_t	i;

	for (i = 0; src != NULL && src[i] != '\0' && i < n - 1; i++)
		dst[i] = ((unsigned char)src[i] < 0x20 || src[i] == 0x7f) ?
		    '?' : src[i];
	dst[i] = '\0';
}

void
scoreboard_request_start(struct scoreboard *sb, struct sb_slot *s,
    const char *method, const char *uri, const char *request_id)
{
	uint32_t	active, max;

	slot_copy(s->method, sizeof(s->method), method);
	slot_copy(s->uri, sizeof(s->uri), uri);
	slot_copy(s->request_id, sizeof(s->request_id), request_id);
	s->req_start_ms = now_mono_ms();
	s->req_start_wall = now_wall_ms();
	__atomic_store_n(&s->state, SB_BUSY, __ATOMIC_RELEASE);
	__atomic_fetch_add(&sb->accepted, 1, __ATOMIC_RELAXED);
	active = __atomic_add_fetch(&sb->active, 1, __ATOMIC_RELAXED);
	if (active >= __atomic_load_n(&sb->workers, __ATOMIC_RELAXED))
		__atomic_fetch_add(&sb->all_busy, 1, __ATOMIC_RELAXED);
	max = __atomic_load_n(&sb->max_active, __ATOMIC_RELAXED);
	while (active > max && !__atomic_compare_exchange_n(&sb->max_active,
	    &max, active, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void
scoreboard_request_end(struct scoreboard *sb, struct sb_slot *s,
    uint32_t duration_us, int slow)
{
	s->requests++;
	s->last_duration_us = duration_us;
	__atomic_sub_fetch(&sb->active, 1, __ATOMIC_RELAXED);
	if (slow)
		__atomic_fetch_add(&sb->slow, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->state, SB_IDLE, __ATOMIC_RELEASE);
}

void
scoreboard_reading(struct sb_slot *s)
{
	slot_copy(s->method, sizeof(s->method), "-");
	slot_copy(s->uri, sizeof(s->uri), "(reading request)");
	s->request_id[0] = '\0';
	s->req_start_ms = now_mono_ms();
	s->req_start_wall = now_wall_ms();
	__atomic_store_n(&s->state, SB_READING, __ATOMIC_RELEASE);
}

const char *
scoreboard_state_name(int st)
{
	static const char *const names[] = { "free", "starting", "idle",
	    "busy", "exiting", "reading" };

	if (st < 0 || st > SB_READING)
		return "unknown";
	return names[st];
}
