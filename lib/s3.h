/*
 * s3.h: a minimal S3 client for the backup objects: PUT (streamed from
 * a read callback), GET (streamed to a write callback) and DELETE of one
 * key, path-style (<S3_ENDPOINT>/<S3_BUCKET>/<key>), signed with
 * libcurl's own AWS Signature V4 (CURLOPT_AWS_SIGV4 "aws:amz:<region>:s3",
 * payload UNSIGNED-PAYLOAD as S3 allows for streamed bodies): no
 * hand-written signer.  Works with any S3-compatible store (Hetzner
 * Object Storage, AWS, MinIO, Ceph).
 *
 * A transfer that moves fewer than 1 byte/s for S3_STALL_SECONDS
 * (default 30) is aborted, so a stalled store cannot hold a worker.
 * Nothing here logs a credential or a body.
 */
#ifndef OCH_S3_H
#define OCH_S3_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

struct s3;

/*
 * Produce up to n bytes into buf.  Returns the count (0 at the end), or
 * -1 to abort the transfer (e.g. the source ended early).
 */
typedef long	 s3_read_fn(void *arg, char *buf, size_t n);
/* Take n bytes.  Returns 0, or -1 to abort the transfer. */
typedef int	 s3_write_fn(void *arg, const char *buf, size_t n);

/*
 * A client for the configured store, or NULL when S3_ENDPOINT,
 * S3_BUCKET, S3_ACCESS_KEY or S3_SECRET_KEY is unset.  cfg is borrowed.
 */
struct s3	*s3_from_cfg(const struct cfg *);
void		 s3_free(struct s3 *);
/* S3_PREFIX (default "backups"), the first part of every key. */
const char	*s3_prefix(const struct s3 *);

/*
 * Store size bytes read from rd under key (replacing an object of that
 * key only when the whole body arrived: S3 PUT is atomic).  Returns
 * OCH_OK, or OCH_EUPSTREAM (store down, slow, refused, or rd aborted),
 * OCH_EAUTH (credentials refused); why (may be NULL) says which.
 */
enum och_err	 s3_put(struct s3 *, const char *key, uint64_t size,
		    s3_read_fn *rd, void *arg, char *why, size_t whysz);
/*
 * Fetch key into wr.  Returns OCH_OK, OCH_ENOTFOUND (no such object),
 * or as s3_put(); wr may have received part of the object before an
 * error.
 */
enum och_err	 s3_get(struct s3 *, const char *key, s3_write_fn *wr,
		    void *arg, char *why, size_t whysz);
/* Delete key (a missing key is fine).  Returns as s3_put(). */
enum och_err	 s3_delete(struct s3 *, const char *key, char *why,
		    size_t whysz);

#endif
