/*
 * catalog.c: the fixed Hetzner catalogue (see catalog.h).  Types and
 * locations follow what the real API listed in 2026: cost-optimised cx*
 * and Arm cax* only in the EU, cpx* everywhere.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "och.h"
#include "catalog.h"
#include "util.h"

#define EU	0x07u	/* fsn1 nbg1 hel1 */
#define ALL	0x3fu

static const struct cat_loc locs[] = {
	{ 1, "fsn1", "Falkenstein DC Park 1", "DE", "Falkenstein",
	    50.47612, 12.370071, "eu-central", "fsn1-dc14", 20 },
	{ 2, "nbg1", "Nuremberg DC Park 1", "DE", "Nuremberg",
	    49.452102, 11.076665, "eu-central", "nbg1-dc3", 20 },
	{ 3, "hel1", "Helsinki DC Park 1", "FI", "Helsinki",
	    60.169855, 24.938379, "eu-central", "hel1-dc2", 20 },
	{ 4, "ash", "Ashburn, VA", "US", "Ashburn, VA",
	    39.045821, -77.487073, "us-east", "ash-dc1", 1 },
	{ 5, "hil", "Hillsboro, OR", "US", "Hillsboro, OR",
	    45.54222, -122.951924, "us-west", "hil-dc1", 1 },
	{ 6, "sin", "Singapore", "SG", "Singapore",
	    1.283333, 103.833333, "ap-southeast", "sin-dc1", 0.5 },
};

static const struct cat_type types[] = {
	{ 45, "cax11", "CAX11", "Cost-Optimized", 2, 4, 40, "shared",
	    "arm", 3.79, EU },
	{ 114, "cx23", "CX23", "Cost-Optimized", 2, 4, 40, "shared",
	    "x86", 3.49, EU },
	{ 115, "cx33", "CX33", "Cost-Optimized", 4, 8, 80, "shared",
	    "x86", 5.49, EU },
	{ 116, "cx43", "CX43", "Cost-Optimized", 8, 16, 160, "shared",
	    "x86", 9.49, EU },
	{ 117, "cx53", "CX53", "Cost-Optimized", 16, 32, 320, "shared",
	    "x86", 17.49, EU },
	{ 118, "cpx22", "CPX22", "Regular Purpose", 2, 4, 80, "shared",
	    "x86", 7.99, ALL },
	{ 119, "cpx32", "CPX32", "Regular Purpose", 4, 8, 160, "shared",
	    "x86", 13.99, ALL },
	{ 120, "cpx42", "CPX42", "Regular Purpose", 8, 16, 320, "shared",
	    "x86", 25.99, ALL },
};

static const struct cat_image images[] = {
	{ 161547269, "ubuntu-24.04", "Ubuntu 24.04", "ubuntu", "24.04",
	    "x86", "2024-04-25T09:00:00Z" },
	{ 161547270, "ubuntu-24.04", "Ubuntu 24.04", "ubuntu", "24.04",
	    "arm", "2024-04-25T09:00:00Z" },
	{ 67794396, "ubuntu-22.04", "Ubuntu 22.04", "ubuntu", "22.04",
	    "x86", "2022-04-21T13:32:38Z" },
	{ 103908070, "ubuntu-22.04", "Ubuntu 22.04", "ubuntu", "22.04",
	    "arm", "2023-02-28T13:00:00Z" },
	{ 114690387, "debian-12", "Debian 12", "debian", "12",
	    "x86", "2023-06-13T06:00:00Z" },
	{ 114690389, "debian-12", "Debian 12", "debian", "12",
	    "arm", "2023-06-13T06:00:00Z" },
};

const struct cat_loc *
cat_loc_at(size_t i)
{
	return i < OCH_NELEM(locs) ? &locs[i] : NULL;
}

const struct cat_type *
cat_type_at(size_t i)
{
	return i < OCH_NELEM(types) ? &types[i] : NULL;
}

const struct cat_image *
cat_image_at(size_t i)
{
	return i < OCH_NELEM(images) ? &images[i] : NULL;
}

/*
 * The entry of the n at a (each size bytes, an int64_t id at id_off and
 * a name at name_off) that s names by its name or decimal id; NULL when
 * none does.
 */
static const void *
find_named(const void *a, size_t n, size_t size, size_t id_off,
    size_t name_off, const char *s)
{
	const char	*e;
	int64_t		 id = -1;
	size_t		 i;

	if (s == NULL)
		return NULL;
	su_parse_id(s, &id);
	for (i = 0; i < n; i++) {
		e = (const char *)a + i * size;
		if (strcmp(*(const char *const *)(e + name_off), s) == 0 ||
		    *(const int64_t *)(e + id_off) == id)
			return e;
	}
	return NULL;
}

const struct cat_loc *
cat_loc_find(const char *s)
{
	return find_named(locs, OCH_NELEM(locs), sizeof(locs[0]),
	    offsetof(struct cat_loc, id), offsetof(struct cat_loc, name), s);
}

const struct cat_type *
cat_type_find(const char *s)
{
	return find_named(types, OCH_NELEM(types), sizeof(types[0]),
	    offsetof(struct cat_type, id), offsetof(struct cat_type, name), s);
}

const struct cat_image *
cat_image_find(const char *s, const char *arch)
{
	int64_t	 id = -1;
	size_t	 i;

	if (s == NULL)
		return NULL;
	if (su_parse_id(s, &id) == 0) {
		for (i = 0; i < OCH_NELEM(images); i++)
			if (images[i].id == id)
				return &images[i];
		return NULL;
	}
	for (i = 0; i < OCH_NELEM(images); i++)
		if (strcmp(images[i].name, s) == 0 &&
		    (arch == NULL || strcmp(images[i].arch, arch) == 0))
			return &images[i];
	return NULL;
}

int
cat_type_in(const struct cat_type *t, const struct cat_loc *l)
{
	return (t->locs & (1u << (l - locs))) != 0;
}

cJSON *
cat_loc_json(const struct cat_loc *l)
{
	cJSON	*o;

	o = su_jobj();
	su_jnum(o, "id", l->id);
	su_jstr(o, "name", l->name);
	su_jstr(o, "description", l->description);
	su_jstr(o, "country", l->country);
	su_jstr(o, "city", l->city);
	su_jnum(o, "latitude", l->latitude);
	su_jnum(o, "longitude", l->longitude);
	su_jstr(o, "network_zone", l->zone);
	return o;
}

static cJSON *
price(double net)
{
	cJSON	*o;
	char	 s[32];

	o = su_jobj();
	snprintf(s, sizeof(s), "%.10f", net);
	su_jstr(o, "net", s);
	snprintf(s, sizeof(s), "%.10f", net * 1.19);
	su_jstr(o, "gross", s);
	return o;
}

cJSON *
cat_type_json(const struct cat_type *t)
{
	cJSON	*o, *arr, *p, *l;
	size_t	 i;
	double	 month;

	o = su_jobj();
	su_jnum(o, "id", t->id);
	su_jstr(o, "name", t->name);
	su_jstr(o, "description", t->description);
	su_jstr(o, "category", t->category);
	su_jnum(o, "cores", t->cores);
	su_jnum(o, "memory", t->memory);
	su_jnum(o, "disk", t->disk);
	su_jbool(o, "deprecated", 0);
	su_jnull(o, "deprecation");
	su_jstr(o, "storage_type", "local");
	su_jstr(o, "cpu_type", t->cpu_type);
	su_jstr(o, "architecture", t->arch);
	arr = su_jarr();
	for (i = 0; i < OCH_NELEM(locs); i++) {
		if (!cat_type_in(t, &locs[i]))
			continue;
		/* the US and Singapore cost a little more */
		month = t->eur_month * (locs[i].traffic_tb < 20 ? 1.2 : 1.0);
		p = su_jobj();
		su_jstr(p, "location", locs[i].name);
		cJSON_AddItemToObject(p, "price_hourly",
		    price(month / 730.0));
		cJSON_AddItemToObject(p, "price_monthly", price(month));
		su_jnum(p, "included_traffic",
		    locs[i].traffic_tb * 1099511627776.0);
		cJSON_AddItemToObject(p, "price_per_tb_traffic", price(1.0));
		cJSON_AddItemToArray(arr, p);
	}
	cJSON_AddItemToObject(o, "prices", arr);
	arr = su_jarr();
	for (i = 0; i < OCH_NELEM(locs); i++) {
		if (!cat_type_in(t, &locs[i]))
			continue;
		l = su_jobj();
		su_jnum(l, "id", locs[i].id);
		su_jstr(l, "name", locs[i].name);
		su_jnull(l, "deprecation");
		su_jbool(l, "available", 1);
		su_jbool(l, "recommended", 1);
		cJSON_AddItemToArray(arr, l);
	}
	cJSON_AddItemToObject(o, "locations", arr);
	return o;
}

cJSON *
cat_image_json(const struct cat_image *im)
{
	cJSON	*o, *p;

	o = su_jobj();
	su_jnum(o, "id", im->id);
	su_jstr(o, "type", "system");
	su_jstr(o, "status", "available");
	su_jstr(o, "name", im->name);
	su_jstr(o, "description", im->description);
	su_jnull(o, "image_size");
	su_jnum(o, "disk_size", 5);
	su_jstr(o, "created", im->created);
	su_jnull(o, "created_from");
	su_jnull(o, "bound_to");
	su_jstr(o, "os_flavor", im->os_flavor);
	su_jstr(o, "os_version", im->os_version);
	su_jbool(o, "rapid_deploy", 1);
	p = su_jobj();
	su_jbool(p, "delete", 0);
	cJSON_AddItemToObject(o, "protection", p);
	su_jnull(o, "deprecated");
	su_jnull(o, "deleted");
	cJSON_AddItemToObject(o, "labels", su_jobj());
	su_jstr(o, "architecture", im->arch);
	return o;
}
