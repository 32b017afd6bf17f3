/*
 * admin.h: what the files of admin.fcgi share (admin.c: instance
 * actions, queue, WHMCS drift; admin_util.c: the helpers below;
 * admin_fleet.c: the instance list, the audit log and the fleet
 * statistics; admin_skills.c: the skills catalogue; admin_plans.c: plans
 * and users; admin_view.c: open as customer).  The routes:
 * OCH_ROUTES_admin in lib/routes.def.
 */
#ifndef OCH_ADMIN_H
#define OCH_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ent_catalog.h"
#include "js.h"
#include "srv.h"

/* Answer an error, roll back, and audit it with the error's status. */
void	 adm_fail(struct req *, const char *action, const char *kind,
	    const char *id, enum och_err, const char *msg);
/*
 * Query parameter `name` as an integer in [min, max] into *out (def if
 * absent).  Returns 0, or -1 when it is malformed or out of range.
 */
int	 adm_q_int(const struct req *, const char *name, int64_t min,
	    int64_t max, int64_t def, int64_t *out);
/*
 * Query parameter `name` as free text of 1..maxlen printable ASCII bytes
 * into *out (NULL when absent or empty; caller frees).  Returns 0 or -1.
 */
int	 adm_q_text(const struct req *, const char *name, size_t maxlen,
	    char **out);

/*
 * A catalogue record an admin creates or changes with PUT …/{name}
 * (plans, skills): the body's fields are the catalogue's insert and
 * update statements' $2.. in order ($1 the name); absent fields keep
 * their values on update.
 */
struct adm_upsert {
	const char		*action;	/* audit action: admin.plan.put */
	const char		*kind;		/* "plan": audit object, messages */
	int			(*valid_name)(const char *);
	const char		*name_hint;	/* the 400 for a bad name */
	const struct js_field	*fields;
	size_t			 nfields;	/* at most ADM_UPSERT_MAX */
	const struct ent_catalog *cat;		/* its statements (lib/ent_catalog.h) */
	enum och_err		 check_err;	/* a CHECK constraint refused it */
	const char		*conflict;	/* a unique column's 409, or NULL */
};
#define ADM_UPSERT_MAX 20
/*
 * PUT …/{name}: check the name and the body (400 naming the field),
 * then in one transaction lock the row, insert it (201; every
 * JS_REQUIRED field needed, else 400) or update the fields given (200),
 * answer the row as the catalogue's one view reads it and audit it.  Every failure is
 * answered and audited (adm_fail).
 */
void	 adm_upsert(struct req *, const struct adm_upsert *);

/* admin_fleet.c */
void	 adm_h_list(struct req *);
void	 adm_h_audit(struct req *);
void	 adm_h_stats(struct req *);
/* admin_view.c */
void	 adm_h_view(struct req *);
/* admin_skills.c */
void	 adm_h_skills(struct req *);
void	 adm_h_skill_put(struct req *);
/* admin_plans.c */
void	 adm_h_plans(struct req *);
void	 adm_h_plan_put(struct req *);
void	 adm_h_users(struct req *);
void	 adm_h_user_role(struct req *);
/* admin_pool.c */
void	 adm_h_pool(struct req *);
void	 adm_h_pool_put(struct req *);

#endif
