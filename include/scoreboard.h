/*
 * scoreboard.h -- shared-memory worker slots (Apache's scoreboard,
 * php-fpm's status).  The master maps it before forking; each worker
 * writes only its own slot; the master and /status read all of them.
 * Pool totals are updated with atomic adds.  Reads of a slot that is being
 * written may see a torn URI; that is acceptable for a status display.
 */
#ifndef SCOREBOARD_H
#define SCOREBOARD_H

#include <stdint.h>
#include <sys/types.h>

#include "bounds.h"
#include "metrics.h"

/* SB_READING: a connection was accepted and libfcgi is reading its params;
 * the watchdog times it like a request, so a stalled peer cannot wedge a
 * worker. */
enum sb_state { SB_FREE = 0, SB_STARTING, SB_IDLE, SB_BUSY, SB_EXITING,
	SB_READING };

struct sb_slot {
	volatile pid_t	 pid;
	volatile int	 state;
	int		 generation;
	uint64_t	 requests;
	int64_t		 started_ms;	/* worker start, realtime */
	int64_t		 req_start_ms;	/* current request, monotonic */
	int64_t		 req_start_wall; /* same, realtime for display */
	uint32_t	 last_duration_us;
	char		 method[12];
	char		 uri[200];
	char		 request_id[40];
};

struct scoreboard {
	uint64_t	 accepted;
	uint64_t	 all_busy;	/* requests that found no idle worker */
	uint64_t	 slow;
	uint32_t	 active;
	uint32_t	 max_active;
	uint32_t	 workers;	/* configured, current generation */
	int64_t		 started_ms;
	struct sb_slot	 slots[BR_SCOREBOARD_SLOTS];
	struct metrics	 metrics;	/* /metrics; see metrics.h */
};

/* Maps a zeroed shared scoreboard; fatal on failure. */
struct scoreboard *scoreboard_create(void);
/* Marks the start and end of a request in slot s (a worker's own). */
void	scoreboard_request_start(struct scoreboard *, struct sb_slot *,
	    const char *method, const char *uri, const char *request_id);
void	scoreboard_request_end(struct scoreboard *, struct sb_slot *,
	    uint32_t duration_us, int slow);
/* Marks slot s as reading a new connection's params. */
void	scoreboard_reading(struct sb_slot *);
/* Milliseconds from CLOCK_MONOTONIC / CLOCK_REALTIME. */
int64_t	 now_mono_ms(void);
int64_t	 now_wall_ms(void);
const char *scoreboard_state_name(int);

#endif /* SCOREBOARD_H */
