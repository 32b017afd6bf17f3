/*
 * catalog.h: Hetzner's fixed catalogue as the simulator offers it: server
 * types, locations and system images, their lookups (by id or name) and
 * their JSON objects in the shapes of hcloud-openapi.json.
 */
#ifndef SIM_CATALOG_H
#define SIM_CATALOG_H

#include <stdint.h>

#include <cjson/cJSON.h>

struct cat_loc {
	int64_t		 id;
	const char	*name;
	const char	*description;
	const char	*country;
	const char	*city;
	double		 latitude;
	double		 longitude;
	const char	*zone;		/* network_zone */
	const char	*dc;		/* availability zone, e.g. fsn1-dc14 */
	double		 traffic_tb;	/* included traffic in TiB */
};

struct cat_type {
	int64_t		 id;
	const char	*name;
	const char	*description;
	const char	*category;
	int		 cores;
	double		 memory;	/* GB */
	int		 disk;		/* GB */
	const char	*cpu_type;
	const char	*arch;		/* "x86" | "arm" */
	double		 eur_month;	/* net, EU locations */
	unsigned	 locs;		/* bit i = catalogue location i */
};

struct cat_image {
	int64_t		 id;
	const char	*name;
	const char	*description;
	const char	*os_flavor;
	const char	*os_version;
	const char	*arch;
	const char	*created;
};

/* Entry i of each list, NULL past its end. */
const struct cat_loc	*cat_loc_at(size_t);
const struct cat_type	*cat_type_at(size_t);
const struct cat_image	*cat_image_at(size_t);

/* Lookups by name or decimal id; NULL when unknown. */
const struct cat_loc	*cat_loc_find(const char *);
const struct cat_type	*cat_type_find(const char *);
/* A system image by id, or by name for an architecture; NULL if none. */
const struct cat_image	*cat_image_find(const char *, const char *arch);
/* 1 when the type can be created in the location. */
int			 cat_type_in(const struct cat_type *,
			    const struct cat_loc *);

cJSON	*cat_loc_json(const struct cat_loc *);
cJSON	*cat_type_json(const struct cat_type *);
cJSON	*cat_image_json(const struct cat_image *);

#endif
