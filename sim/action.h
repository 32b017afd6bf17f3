/*
 * action.h: Hetzner actions.  An action runs for a set duration on the
 * loop's clock (progress grows with time), then ends in success or, when
 * failed by a fault, in error; its completion function applies the effect
 * (server power, image status).  GET /actions/{id} and friends live here.
 */
#ifndef SIM_ACTION_H
#define SIM_ACTION_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "loop.h"

enum act_status {
	ACT_RUNNING,
	ACT_SUCCESS,
	ACT_ERROR,
	ACT__MAX
};

struct act;
typedef void	(*act_fn)(struct act *, int64_t server_id, int64_t other);

struct act_res {
	int64_t		 id;
	const char	*type;		/* "server", "image" */
};

struct act {
	int64_t			 id;
	char			*command;
	enum act_status		 status;
	double			 started;	/* wall */
	double			 finished;	/* wall, 0 while running */
	double			 t0, dur;	/* monotonic */
	struct act_res		 res[2];
	int			 nres;
	int			 fail;		/* end in error */
	act_fn			 done;
	int64_t			 server_id, other;
	struct loop_timer	 timer;
	struct act		*next;
};

/*
 * Start an action on a server (server_id 0: none) lasting dur seconds; at
 * its end done(act, server_id, other) runs (done may be NULL).  Never NULL.
 */
struct act	*act_start(const char *command, double dur, int64_t server_id,
		    act_fn done, int64_t other);
void		 act_add_resource(struct act *, int64_t, const char *type);
/* Make the action end in error (action_failed). */
void		 act_set_fail(struct act *);
/* 1 when a running action holds the server (it is locked). */
int		 act_server_busy(int64_t server_id);
/* Finish the server's running actions now, without their effects. */
void		 act_server_gone(int64_t server_id);
struct act	*act_find(int64_t);
cJSON		*act_json(const struct act *);
/* Forget every action. */
void		 act_clear(void);

/* Route handlers (sim_hetzner.c lists them in its table). */
void		 act_get(struct http_req *);		/* /actions/{id} */
void		 act_list(struct http_req *);		/* /actions?id= */
/* /servers/{id}/actions/{action_id} */
void		 act_server_get(struct http_req *);
/* /servers/{id}/actions */
void		 act_server_list(struct http_req *);

#endif
