/*
 * image.h: Hetzner images: the catalogue's system images plus snapshots
 * and backups made by create_image, and the /images routes.
 */
#ifndef SIM_IMAGE_H
#define SIM_IMAGE_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "http.h"

struct vm;
struct img;

/*
 * Resolve what a create/rebuild request names (system image name for the
 * architecture, or an id of a system image or an available snapshot or
 * backup).  Returns 0 with *id set; -1 when unknown; -2 when it exists but
 * does not fit the architecture; -3 when it is not available yet.
 */
int	 img_resolve(const char *, const char *arch, int64_t *id);
/* The image object of an id, or NULL when there is none (any more). */
cJSON	*img_json_id(int64_t);
/* A new image of the server in status creating; returns its id. */
int64_t	 img_create(const struct vm *, const char *type,
	    const char *description, const cJSON *labels);
/* The image finished (action done): available, with a size. */
void	 img_ready(int64_t id, int ok);
/* Delete the backups bound to a server. */
void	 img_drop_backups(int64_t server_id);
void	 img_clear(void);

void	 img_list(struct http_req *);		/* GET /images */
void	 img_get(struct http_req *);		/* GET /images/{id} */
void	 img_update(struct http_req *);		/* PUT /images/{id} */
void	 img_delete(struct http_req *);		/* DELETE /images/{id} */

#endif
