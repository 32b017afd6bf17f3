/*
 * exporter.c: simulated node_exporter (see exporter.h).
 */
#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "och.h"
#include "log.h"
#include "exporter.h"
#include "exptls.h"
#include "loop.h"
#include "sim_userdata.h"
#include "util.h"
#include "vm.h"

#define EXP_MAX_HEAD	8192
#define EXP_IDLE	60.0

struct exp_conn {
	int			 fd;
	struct xt_conn		*tls;		/* NULL: plain HTTP */
	struct exp_srv		*srv;
	char			 in[EXP_MAX_HEAD];
	size_t			 inlen;
	struct buf		 out;
	size_t			 off;
	int			 close_after;
	double			 last;
	struct exp_conn		*next, *prev;	/* all connections */
};

struct exp_srv {
	int			 lfd;
	struct vm		*vm;
	int			 nconns;
	unsigned char		 ok[SHA256_DIGEST_LENGTH];
	int			 ok_valid;
	/* agent mode: the web config the agent may (re)write on disk */
	struct sud_user		*fusers;
	size_t			 nfusers;
	int			 ftls;
	struct timespec		 fmtime;
	off_t			 fsize;
	int			 fpresent;
};

static struct exp_conn	*conns;
static size_t		 nconns;
static struct loop_timer idle_timer;
static struct crypt_data *cdata;

static void	conn_ready(void *, uint32_t);

size_t
exp_nconns(void)
{
	return nconns;
}

void
exp_gofloat(char *out, size_t sz, double v)
{
	char	 tmp[40];
	double	 back;
	int	 prec, exp, nd, dp;
	char	*e;

	if (isnan(v)) {
		snprintf(out, sz, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, sz, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (v == 0) {
		snprintf(out, sz, "0");
		return;
	}
	/* shortest digits that read back to the same double */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		back = strtod(tmp, NULL);
		if (back == v)
			break;
	}
	nd = prec;
	e = strchr(tmp, 'e');
	exp = e ? atoi(e + 1) : 0;
	dp = exp + 1;
	if (exp < -4 || exp >= 6) {
		snprintf(out, sz, "%.*e", nd - 1, v);
		return;
	}
	snprintf(out, sz, "%.*f", nd - dp > 0 ? nd - dp : 0, v);
}

static void
conn_close(struct exp_conn *c)
{
	loop_del(c->fd);
	xt_conn_free(c->tls);
	close(c->fd);
	buf_free(&c->out);
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->srv->nconns--;
	nconns--;
	free(c);
}

static void
idle_sweep(void *arg)
{
	struct exp_conn	*c, *n;
	double		 now;

	now = su_mono();
	for (c = conns; c != NULL; c = n) {
		n = c->next;
		if (now - c->last > EXP_IDLE)
			conn_close(c);
	}
	if (conns != NULL)
		loop_timer_at(&idle_timer, now + 5, idle_sweep, NULL);
}

/* Metric family header. */
static void
fam(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
val(struct buf *b, const char *name, const char *labels, double v)
{
	char	 num[48];

	exp_gofloat(num, sizeof(num), v);
	if (labels != NULL && *labels != '\0')
		buf_printf(b, "%s{%s} %s\n", name, labels, num);
	else
		buf_printf(b, "%s %s\n", name, num);
}

/*
 * A counter from 0 at boot that never decreases: rate*t plus a wobble
 * whose slope never exceeds a quarter of the rate.
 */
static double
grow(double rate, double t, double period, double phase)
{
	return rate * t + rate * period * 0.25 *
	    (cos(phase) - cos(t / period + phase));
}

/* Round down to a multiple of step (decimal steps stay exact). */
static double
round_to(double v, double step)
{
	double	 inv = 1 / step;

	if (step < 1 && inv == floor(inv))
		return floor(v * inv) / inv;
	return floor(v / step) * step;
}

static void
render(struct exp_srv *s, struct buf *b)
{
	static const char *const modes[] = {
		"idle", "iowait", "irq", "nice", "softirq", "steal", "system",
		"user"
	};
	static const double rates[] = {
		0, 0.002, 0, 0.0001, 0.001, 0.0005, 0.015, 0.04
	};
	const struct vm	*vm = s->vm;
	char		 lab[256];
	double		 now, up, total, avail, size, phase;
	int		 c, i, arm;

	now = su_wall();
	up = now - vm->booted_at;
	if (up < 0)
		up = 0;
	phase = (double)(vm->id % 97);
	arm = strcmp(vm->type->arch, "arm") == 0;

	fam(b, "go_gc_duration_seconds", "summary", "A summary of the "
	    "wall-time pause (stop-the-world) duration in garbage collection "
	    "cycles.");
	val(b, "go_gc_duration_seconds", "quantile=\"0\"", NAN);
	val(b, "go_gc_duration_seconds", "quantile=\"0.5\"", 2.4531e-05);
	val(b, "go_gc_duration_seconds", "quantile=\"1\"", 0.000213981);
	val(b, "go_gc_duration_seconds_sum", NULL, 0.001 * floor(up / 120));
	val(b, "go_gc_duration_seconds_count", NULL, floor(up / 120));
	fam(b, "go_goroutines", "gauge", "Number of goroutines that "
	    "currently exist.");
	val(b, "go_goroutines", NULL, 8);

	fam(b, "node_boot_time_seconds", "gauge", "Node boot time, in "
	    "unixtime.");
	val(b, "node_boot_time_seconds", NULL, floor(vm->booted_at));

	fam(b, "node_cpu_seconds_total", "counter", "Seconds the CPUs spent "
	    "in each mode.");
	for (c = 0; c < vm->type->cores; c++) {
		total = 0;
		for (i = 1; i < 8; i++)
			total += grow(rates[i] * (1 + 0.1 * c), up, 90,
			    phase + c);
		for (i = 0; i < 8; i++) {
			snprintf(lab, sizeof(lab), "cpu=\"%d\",mode=\"%s\"", c,
			    modes[i]);
			val(b, "node_cpu_seconds_total", lab, round_to(i == 0 ?
			    up - total : grow(rates[i] * (1 + 0.1 * c), up, 90,
			    phase + c), 0.01));
		}
	}

	fam(b, "node_disk_io_time_seconds_total", "counter", "Total seconds "
	    "spent doing I/Os.");
	val(b, "node_disk_io_time_seconds_total", "device=\"sda\"",
	    round_to(grow(0.004, up, 120, phase), 0.001));
	fam(b, "node_disk_read_bytes_total", "counter", "The total number of "
	    "bytes read successfully.");
	val(b, "node_disk_read_bytes_total", "device=\"sda\"",
	    round_to(2.5e8 + grow(4096.0 * 3, up, 300, phase), 512));
	fam(b, "node_disk_written_bytes_total", "counter", "The total number "
	    "of bytes written successfully.");
	val(b, "node_disk_written_bytes_total", "device=\"sda\"",
	    round_to(1.2e8 + grow(4096.0 * 25, up, 200, phase), 512));

	fam(b, "node_exporter_build_info", "gauge", "A metric with a constant "
	    "'1' value labeled by version, revision, branch, goversion from "
	    "which node_exporter was built, and the goos and goarch for the "
	    "build.");
	snprintf(lab, sizeof(lab), "branch=\"HEAD\",goarch=\"%s\",goos="
	    "\"linux\",goversion=\"go1.22.5\",revision=\"f1e0e8360aa60b6cb5e5"
	    "cc1560bed348fc2c1895\",tags=\"unknown\",version=\"1.8.2\"",
	    arm ? "arm64" : "amd64");
	val(b, "node_exporter_build_info", lab, 1);

	size = vm->disk * 1073741824.0 * 0.96;
	size = round_to(size, 4096);
	avail = round_to(size * vm_disk_avail(vm, up), 4096);
	if (vm->disk_size_set)
		size = vm->disk_size;
	if (vm->disk_avail_set)
		avail = vm->disk_avail;
	fam(b, "node_filesystem_avail_bytes", "gauge", "Filesystem space "
	    "available to non-root users in bytes.");
	val(b, "node_filesystem_avail_bytes", "device=\"/dev/sda1\","
	    "device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"", avail);
	val(b, "node_filesystem_avail_bytes", "device=\"/dev/sda15\","
	    "device_error=\"\",fstype=\"vfat\",mountpoint=\"/boot/efi\"",
	    9.9717888e+07);
	val(b, "node_filesystem_avail_bytes", "device=\"tmpfs\","
	    "device_error=\"\",fstype=\"tmpfs\",mountpoint=\"/run\"",
	    round_to(vm->type->memory * 1073741824.0 * 0.099, 4096));
	fam(b, "node_filesystem_device_error", "gauge", "Whether an error "
	    "occurred while getting statistics for the given device.");
	val(b, "node_filesystem_device_error", "device=\"/dev/sda1\","
	    "device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"", 0);
	val(b, "node_filesystem_device_error", "device=\"/dev/sda15\","
	    "device_error=\"\",fstype=\"vfat\",mountpoint=\"/boot/efi\"", 0);
	val(b, "node_filesystem_device_error", "device=\"tmpfs\","
	    "device_error=\"\",fstype=\"tmpfs\",mountpoint=\"/run\"", 0);
	fam(b, "node_filesystem_free_bytes", "gauge", "Filesystem free space "
	    "in bytes.");
	val(b, "node_filesystem_free_bytes", "device=\"/dev/sda1\","
	    "device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"",
	    avail + round_to(size * 0.05, 4096));
	fam(b, "node_filesystem_readonly", "gauge", "Filesystem read-only "
	    "status.");
	val(b, "node_filesystem_readonly", "device=\"/dev/sda1\","
	    "device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"", 0);
	fam(b, "node_filesystem_size_bytes", "gauge", "Filesystem size in "
	    "bytes.");
	val(b, "node_filesystem_size_bytes", "device=\"/dev/sda1\","
	    "device_error=\"\",fstype=\"ext4\",mountpoint=\"/\"", size);
	val(b, "node_filesystem_size_bytes", "device=\"/dev/sda15\","
	    "device_error=\"\",fstype=\"vfat\",mountpoint=\"/boot/efi\"",
	    1.09422592e+08);
	val(b, "node_filesystem_size_bytes", "device=\"tmpfs\","
	    "device_error=\"\",fstype=\"tmpfs\",mountpoint=\"/run\"",
	    round_to(vm->type->memory * 1073741824.0 * 0.1, 4096));

	fam(b, "node_load1", "gauge", "1m load average.");
	val(b, "node_load1", NULL, vm->load1_set ? vm->load1 :
	    round_to(0.05 * vm->type->cores * (1.2 + sin(up / 100 + phase)),
	    0.01));
	fam(b, "node_load15", "gauge", "15m load average.");
	val(b, "node_load15", NULL, round_to(0.05 * vm->type->cores *
	    (1.1 + 0.3 * sin(up / 900 + phase)), 0.01));
	fam(b, "node_load5", "gauge", "5m load average.");
	val(b, "node_load5", NULL, round_to(0.05 * vm->type->cores *
	    (1.1 + 0.6 * sin(up / 300 + phase)), 0.01));

	total = round_to(vm->type->memory * 1073741824.0 * 0.955, 4096);
	avail = round_to(total * vm_mem_avail(vm, up, phase), 4096);
	fam(b, "node_memory_Buffers_bytes", "gauge", "Memory information "
	    "field Buffers_bytes.");
	val(b, "node_memory_Buffers_bytes", NULL, round_to(total * 0.02,
	    4096));
	fam(b, "node_memory_Cached_bytes", "gauge", "Memory information "
	    "field Cached_bytes.");
	val(b, "node_memory_Cached_bytes", NULL, round_to(avail * 0.5, 4096));
	fam(b, "node_memory_MemAvailable_bytes", "gauge", "Memory information "
	    "field MemAvailable_bytes.");
	val(b, "node_memory_MemAvailable_bytes", NULL, avail);
	fam(b, "node_memory_MemFree_bytes", "gauge", "Memory information "
	    "field MemFree_bytes.");
	val(b, "node_memory_MemFree_bytes", NULL, round_to(avail * 0.4,
	    4096));
	fam(b, "node_memory_MemTotal_bytes", "gauge", "Memory information "
	    "field MemTotal_bytes.");
	val(b, "node_memory_MemTotal_bytes", NULL, total);
	fam(b, "node_memory_SwapFree_bytes", "gauge", "Memory information "
	    "field SwapFree_bytes.");
	val(b, "node_memory_SwapFree_bytes", NULL, 0);
	fam(b, "node_memory_SwapTotal_bytes", "gauge", "Memory information "
	    "field SwapTotal_bytes.");
	val(b, "node_memory_SwapTotal_bytes", NULL, 0);

	fam(b, "node_network_receive_bytes_total", "counter", "Network device "
	    "statistic receive_bytes.");
	val(b, "node_network_receive_bytes_total", "device=\"eth0\"",
	    round_to(1.5e6 + grow(18000, up, 240, phase), 1));
	val(b, "node_network_receive_bytes_total", "device=\"lo\"",
	    round_to(grow(900, up, 60, phase), 1));
	fam(b, "node_network_receive_drop_total", "counter", "Network device "
	    "statistic receive_drop.");
	val(b, "node_network_receive_drop_total", "device=\"eth0\"", 0);
	val(b, "node_network_receive_drop_total", "device=\"lo\"", 0);
	fam(b, "node_network_receive_errs_total", "counter", "Network device "
	    "statistic receive_errs.");
	val(b, "node_network_receive_errs_total", "device=\"eth0\"", 0);
	val(b, "node_network_receive_errs_total", "device=\"lo\"", 0);
	fam(b, "node_network_receive_packets_total", "counter", "Network "
	    "device statistic receive_packets.");
	val(b, "node_network_receive_packets_total", "device=\"eth0\"",
	    round_to((1.5e6 + grow(18000, up, 240, phase)) / 700, 1));
	val(b, "node_network_receive_packets_total", "device=\"lo\"",
	    round_to(grow(900, up, 60, phase) / 300, 1));
	fam(b, "node_network_transmit_bytes_total", "counter", "Network "
	    "device statistic transmit_bytes.");
	val(b, "node_network_transmit_bytes_total", "device=\"eth0\"",
	    round_to(4.0e5 + grow(6500, up, 180, phase), 1));
	val(b, "node_network_transmit_bytes_total", "device=\"lo\"",
	    round_to(grow(900, up, 60, phase), 1));
	fam(b, "node_network_transmit_packets_total", "counter", "Network "
	    "device statistic transmit_packets.");
	val(b, "node_network_transmit_packets_total", "device=\"eth0\"",
	    round_to((4.0e5 + grow(6500, up, 180, phase)) / 500, 1));
	val(b, "node_network_transmit_packets_total", "device=\"lo\"",
	    round_to(grow(900, up, 60, phase) / 300, 1));

	fam(b, "node_os_info", "gauge", "A metric with a constant '1' value "
	    "labeled by build_id, id, id_like, image_id, image_version, name, "
	    "pretty_name, variant, variant_id, version, version_codename, "
	    "version_id.");
	val(b, "node_os_info", "build_id=\"\",id=\"ubuntu\",id_like=\"debian\""
	    ",image_id=\"\",image_version=\"\",name=\"Ubuntu\",pretty_name="
	    "\"Ubuntu 24.04.1 LTS\",variant=\"\",variant_id=\"\",version="
	    "\"24.04.1 LTS (Noble Numbat)\",version_codename=\"noble\","
	    "version_id=\"24.04\"", 1);

	fam(b, "node_scrape_collector_success", "gauge", "node_exporter: "
	    "Whether a collector succeeded.");
	val(b, "node_scrape_collector_success", "collector=\"cpu\"", 1);
	val(b, "node_scrape_collector_success", "collector=\"filesystem\"", 1);
	val(b, "node_scrape_collector_success", "collector=\"meminfo\"", 1);
	val(b, "node_scrape_collector_success", "collector=\"netdev\"", 1);
	val(b, "node_scrape_collector_success", "collector=\"textfile\"", 1);

	fam(b, "node_textfile_mtime_seconds", "gauge", "Unixtime mtime of "
	    "textfiles successfully read.");
	val(b, "node_textfile_mtime_seconds", "file=\"/var/lib/"
	    "node_exporter/och \\\"sim\\\" \\\\ info.prom\"",
	    floor(vm->booted_at));

	fam(b, "node_time_seconds", "gauge", "System time in seconds since "
	    "epoch (1970).");
	val(b, "node_time_seconds", NULL, round_to(now, 0.001));

	fam(b, "node_uname_info", "gauge", "Labeled system information as "
	    "provided by the uname system call.");
	buf_printf(b, "node_uname_info{domainname=\"(none)\",machine=\"%s\","
	    "nodename=\"", arm ? "aarch64" : "x86_64");
	/* the server name is a hostname: nothing to escape, but be sure */
	for (i = 0; vm->name[i] != '\0' && i < 253; i++)
		if (vm->name[i] != '"' && vm->name[i] != '\\' &&
		    vm->name[i] != '\n')
			buf_putc(b, vm->name[i]);
	buf_puts(b, "\",release=\"6.8.0-49-generic\",sysname=\"Linux\","
	    "version=\"#49-Ubuntu SMP PREEMPT_DYNAMIC Mon Nov  4 02:06:24 UTC "
	    "2024\"} 1\n");

	fam(b, "process_cpu_seconds_total", "counter", "Total user and "
	    "system CPU time spent in seconds.");
	val(b, "process_cpu_seconds_total", NULL, round_to(0.002 * up +
	    0.001 * vm->scrapes, 0.01));
	fam(b, "process_start_time_seconds", "gauge", "Start time of the "
	    "process since unix epoch in seconds.");
	val(b, "process_start_time_seconds", NULL, round_to(vm->booted_at +
	    4.27, 0.01));
	fam(b, "promhttp_metric_handler_requests_total", "counter", "Total "
	    "number of scrapes by HTTP status code.");
	val(b, "promhttp_metric_handler_requests_total", "code=\"200\"",
	    vm->scrapes);
	val(b, "promhttp_metric_handler_requests_total", "code=\"500\"", 0);
	val(b, "promhttp_metric_handler_requests_total", "code=\"503\"", 0);
}

/*
 * Users of the web config: the agent's file on disk (agent mode), else
 * none when ready gave a password (checked by the caller), else the
 * user-data's web config.
 */
static void
users(struct exp_srv *s, const struct sud_user **u, size_t *n)
{
	struct stat	 st;
	char		*path, *data = NULL, *why = NULL;
	FILE		*f;
	size_t		 len;

	*u = NULL;
	*n = 0;
	if (s->vm->dir != NULL) {
		path = xasprintf("%s/root%s", s->vm->dir, UD_WEBYML_PATH);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size < 65536) {
			if (!s->fpresent || st.st_size != s->fsize ||
			    st.st_mtim.tv_sec != s->fmtime.tv_sec ||
			    st.st_mtim.tv_nsec != s->fmtime.tv_nsec) {
				if ((f = fopen(path, "re")) != NULL) {
					data = xcalloc(1, st.st_size + 1);
					len = fread(data, 1, st.st_size, f);
					fclose(f);
					if (sud_webyml(data, len,
					    &s->fusers, &s->nfusers,
					    &s->ftls, &why) == -1) {
						log_warn("server %lld: web "
						    "config: %s", (long long)
						    s->vm->id, why);
						free(why);
					}
					free(data);
				}
				s->fpresent = 1;
				s->fsize = st.st_size;
				s->fmtime = st.st_mtim;
				s->ok_valid = 0;
			}
			free(path);
			*u = s->fusers;
			*n = s->nfusers;
			return;
		}
		free(path);
	}
	if (s->vm->ne_pw_set)
		return;		/* the password from ready wins */
	if (s->vm->ud != NULL) {
		*u = s->vm->ud->users;
		*n = s->vm->ud->nusers;
	}
}

/* Strict base64 decode into out (NUL-terminated); -1 on bad input. */
static int
b64(const char *s, char *out, size_t max)
{
	size_t	 len = strlen(s);
	int	 n;

	if (len % 4 != 0 || len / 4 * 3 >= max ||
	    (n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s,
	    (int)len)) < 0)
		return -1;
	n -= (len > 0 && s[len - 1] == '=') + (len > 1 && s[len - 2] == '=');
	out[n] = '\0';
	return memchr(out, '\0', (size_t)n) ? -1 : 0;
}

/* 1 when the request may see the metrics. */
static int
authorised(struct exp_srv *s, const char *hdr)
{
	const struct sud_user	*u;
	unsigned char		 dg[SHA256_DIGEST_LENGTH];
	char			 cred[512], *colon, *out;
	struct buf		 m = { 0 };
	size_t			 n, i;

	users(s, &u, &n);
	if (n == 0 && !s->vm->ne_pw_set)
		return 1;
	if (hdr == NULL || strncasecmp(hdr, "Basic ", 6) != 0 ||
	    b64(hdr + 6 + strspn(hdr + 6, " "), cred, sizeof(cred)) == -1 ||
	    (colon = strchr(cred, ':')) == NULL)
		return 0;
	*colon = '\0';
	if (n == 0) {
		/* the password ready handed out, as the agent sets it */
		SHA256((unsigned char *)colon + 1, strlen(colon + 1), dg);
		i = strcmp(cred, "och") == 0 &&
		    CRYPTO_memcmp(dg, s->vm->ne_pw, sizeof(dg)) == 0;
		explicit_bzero(cred, sizeof(cred));
		return (int)i;
	}
	for (i = 0; i < n; i++)
		if (strcmp(u[i].name, cred) == 0)
			break;
	if (i == n) {
		explicit_bzero(cred, sizeof(cred));
		return 0;
	}
	buf_add(&m, cred, strlen(cred) + 1);
	buf_add(&m, colon + 1, strlen(colon + 1) + 1);
	buf_puts(&m, u[i].hash);
	SHA256((unsigned char *)m.data, m.len, dg);
	explicit_bzero(m.data, m.len);
	buf_free(&m);
	if (s->ok_valid && CRYPTO_memcmp(dg, s->ok, sizeof(dg)) == 0) {
		explicit_bzero(cred, sizeof(cred));
		return 1;
	}
	if (strncmp(u[i].hash, "$2", 2) != 0) {
		explicit_bzero(cred, sizeof(cred));
		return 0;
	}
	if (cdata == NULL)
		cdata = xcalloc(1, sizeof(*cdata));
	out = crypt_r(colon + 1, u[i].hash, cdata);
	explicit_bzero(cred, sizeof(cred));
	if (out == NULL || out[0] == '*' || !su_streq_ct(out, u[i].hash))
		return 0;
	memcpy(s->ok, dg, sizeof(dg));
	s->ok_valid = 1;
	return 1;
}

/* Handle one complete request head in c->in (len bytes). */
static void
serve(struct exp_conn *c, size_t len)
{
	char		*line, *save = NULL, *meth, *target, *ver, *h;
	const char	*auth = NULL, *conn = NULL;
	struct buf	 body = { 0 };
	int		 status, head, v11, keep, has_body = 0;
	const char	*ctype = "text/plain; charset=utf-8";

	c->in[len - 2] = '\0';	/* the blank line's \r\n */
	line = strtok_r(c->in, "\r\n", &save);
	meth = line ? strtok(line, " ") : NULL;
	target = meth ? strtok(NULL, " ") : NULL;
	ver = target ? strtok(NULL, " ") : NULL;
	if (ver == NULL || strncmp(ver, "HTTP/1.", 7) != 0) {
		buf_puts(&c->out, "HTTP/1.1 400 Bad Request\r\nContent-Type: "
		    "text/plain; charset=utf-8\r\nConnection: close\r\n"
		    "Content-Length: 16\r\n\r\n400 Bad Request\n");
		c->close_after = 1;
		return;
	}
	v11 = strcmp(ver, "HTTP/1.1") == 0;
	while ((h = strtok_r(NULL, "\r\n", &save)) != NULL) {
		if (strncasecmp(h, "Authorization:", 14) == 0)
			auth = h + 14 + strspn(h + 14, " \t");
		else if (strncasecmp(h, "Connection:", 11) == 0)
			conn = h + 11 + strspn(h + 11, " \t");
		else if ((strncasecmp(h, "Content-Length:", 15) == 0 &&
		    atol(h + 15) > 0) ||
		    strncasecmp(h, "Transfer-Encoding:", 18) == 0)
			has_body = 1;
	}
	keep = conn ? strcasecmp(conn, "close") != 0 &&
	    (v11 || strcasecmp(conn, "keep-alive") == 0) : v11;
	if (has_body)
		keep = 0;
	head = strcmp(meth, "HEAD") == 0;
	c->srv->vm->exp_requests++;
	c->srv->vm->exp_auth += auth != NULL;
	if (!authorised(c->srv, auth)) {
		status = 401;
		buf_puts(&body, "Unauthorized\n");
	} else if (strcmp(target, "/metrics") == 0 ||
	    strncmp(target, "/metrics?", 9) == 0) {
		status = 200;
		c->srv->vm->scrapes++;
		render(c->srv, &body);
		ctype = "text/plain; version=0.0.4; charset=utf-8";
	} else if (strcmp(target, "/") == 0) {
		status = 200;
		ctype = "text/html; charset=UTF-8";
		buf_puts(&body, "<html>\n<head><title>Node Exporter</title>"
		    "</head>\n<body>\n<h1>Node Exporter</h1>\n<p><a href=\""
		    "/metrics\">Metrics</a></p>\n</body>\n</html>\n");
	} else {
		status = 404;
		buf_puts(&body, "404 page not found\n");
	}
	buf_printf(&c->out, "HTTP/1.1 %d %s\r\n", status, status == 200 ?
	    "OK" : status == 401 ? "Unauthorized" : "Not Found");
	if (status == 401)
		buf_puts(&c->out, "Www-Authenticate: Basic\r\n");
	buf_printf(&c->out, "Content-Type: %s\r\nContent-Length: %zu\r\n",
	    ctype, body.len);
	if (!keep)
		buf_puts(&c->out, "Connection: close\r\n");
	buf_puts(&c->out, "\r\n");
	if (!head)
		buf_add(&c->out, body.data ? body.data : "", body.len);
	buf_free(&body);
	c->close_after = !keep;
}

/* Write what is pending; 0 when all is out, 1 to wait, -1 to close. */
static int
flush(struct exp_conn *c)
{
	ssize_t	 n;

	while (c->off < c->out.len) {
		n = xt_send(c->tls, c->fd, c->out.data + c->off,
		    c->out.len - c->off);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			if (errno == EINTR)
				continue;
			return -1;
		}
		c->off += (size_t)n;
	}
	buf_reset(&c->out);
	c->off = 0;
	return 0;
}

/* Serve every complete request in the input (pipelining). */
static void
process(struct exp_conn *c)
{
	char	*end;
	size_t	 len, rest;
	int	 r;

	while (c->out.len == 0 && !c->close_after &&
	    (end = memmem(c->in, c->inlen, "\r\n\r\n", 4)) != NULL) {
		len = (size_t)(end - c->in) + 4;
		rest = c->inlen - len;
		serve(c, len);
		memmove(c->in, c->in + len, rest);
		c->inlen = rest;
		if ((r = flush(c)) == -1) {
			conn_close(c);
			return;
		}
		if (r == 1) {
			loop_mod(c->fd, EPOLLOUT);
			return;
		}
	}
	if (c->close_after && c->out.len == 0) {
		conn_close(c);
		return;
	}
	if (c->inlen == sizeof(c->in)) {
		buf_puts(&c->out, "HTTP/1.1 431 Request Header Fields Too "
		    "Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
		c->close_after = 1;
		if (flush(c) != 1)
			conn_close(c);
		else
			loop_mod(c->fd, EPOLLOUT);
	}
}

static void
conn_ready(void *arg, uint32_t ev)
{
	struct exp_conn	*c = arg;
	ssize_t		 n;
	int		 r;

	c->last = su_mono();
	if (ev & EPOLLOUT) {
		if ((r = flush(c)) == -1 || (r == 0 && c->close_after)) {
			conn_close(c);
			return;
		}
		if (r == 1)
			return;
		loop_mod(c->fd, EPOLLIN);
		process(c);
		return;
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		n = xt_recv(c->tls, c->fd, c->in + c->inlen,
		    sizeof(c->in) - c->inlen);
		if (n == 0 || (n == -1 && errno != EAGAIN &&
		    errno != EWOULDBLOCK && errno != EINTR)) {
			conn_close(c);
			return;
		}
		if (n > 0)
			c->inlen += (size_t)n;
		process(c);
	}
}

static void
accept_ready(void *arg, uint32_t ev)
{
	struct exp_srv	*s = arg;
	struct exp_conn	*c;
	int		 fd;

	for (;;) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("exporter accept: %s",
				    strerror(errno));
			return;
		}
		c = xcalloc(1, sizeof(*c));
		c->fd = fd;
		c->srv = s;
		c->last = su_mono();
		s->vm->exp_conns++;
		if ((s->vm->tls != NULL && (c->tls = xt_conn_new(s->vm->tls,
		    fd)) == NULL) || loop_add(fd, EPOLLIN, conn_ready, c) == -1) {
			xt_conn_free(c->tls);
			close(fd);
			free(c);
			continue;
		}
		c->next = conns;
		if (conns)
			conns->prev = c;
		conns = c;
		s->nconns++;
		nconns++;
		if (idle_timer.idx == 0)
			loop_timer_at(&idle_timer, su_mono() + 5, idle_sweep,
			    NULL);
	}
}

struct exp_srv *
exp_start(struct vm *vm, char **err)
{
	struct sockaddr_in	 sin;
	struct exp_srv		*s;
	int			 fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		*err = xasprintf("socket: %s", strerror(errno));
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(su_cfg.exporter_port);
	sin.sin_addr.s_addr = htonl(vm->ip4);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 256) == -1) {
		*err = xasprintf("listen %s:%d: %s", vm->ip4s,
		    su_cfg.exporter_port, strerror(errno));
		close(fd);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->lfd = fd;
	s->vm = vm;
	if (loop_add(fd, EPOLLIN, accept_ready, s) == -1) {
		*err = xasprintf("watch: %s", strerror(errno));
		close(fd);
		free(s);
		return NULL;
	}
	return s;
}

void
exp_stop(struct exp_srv *s)
{
	struct exp_conn	*c, *n;

	if (s == NULL)
		return;
	for (c = conns; c != NULL && s->nconns > 0; c = n) {
		n = c->next;
		if (c->srv == s)
			conn_close(c);
	}
	loop_del(s->lfd);
	close(s->lfd);
	sud_users_free(s->fusers, s->nfusers);
	free(s);
	if (conns == NULL)
		loop_timer_cancel(&idle_timer);
}
