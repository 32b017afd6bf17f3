/*
 * main.c: och-cloudsim, a local stand-in for Hetzner Cloud, Cloudflare
 * DNS, Resend and the WHMCS API with simulated servers (see
 * sim/README.md).  It parses the command line, wires the services into
 * one event loop and shuts down cleanly on SIGTERM/SIGINT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "och.h"
#include "log.h"
#include "sim_agent.h"
#include "callback.h"
#include "sim_cloudflare.h"
#include "control.h"
#include "sim_hetzner.h"
#include "http.h"
#include "loop.h"
#include "sim_resend.h"
#include "util.h"
#include "vm.h"
#include "sim_whmcs.h"

static int	 sigfd = -1;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: och-cloudsim [--listen HOST:PORT] [--seed N] [--boot-delay S]\n"
"           [--action-delay S] [--create-delay S] [--latency-profile P]\n"
"           [--hetzner-token T]\n"
"           [--hetzner-readonly-token T] [--cloudflare-token T]\n"
"           [--cloudflare-zone ID] [--domain D] [--resend-key K]\n"
"           [--resend-rate R] [--whmcs-identifier I] [--whmcs-secret S]\n"
"           [--whmcs-strict] [--rate-limit N] [--cloudflare-limit N]\n"
"           [--cloudflare-window S] [--server-limit N] [--state-dir DIR]\n"
"           [--agent PATH] [--ca-file FILE] [--exporter-port P]\n"
"           [--ip-base A.B.C.D] [--hang-seconds S]\n"
"Defaults and the /_sim control API: sim/README.md\n");
}

static void
on_signal(void *arg, uint32_t ev)
{
	struct signalfd_siginfo	 si;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			ag_reap();
		else {
			log_info("signal %u: stopping", si.ssi_signo);
			loop_stop();
		}
	}
}

/* Parse seconds or exit. */
static double
secs(const char *opt, const char *v)
{
	double	 d;

	if (su_parse_secs(v, &d) == -1) {
		fprintf(stderr, "och-cloudsim: %s: bad number '%s'\n", opt, v);
		exit(2);
	}
	return d;
}

static void
set(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static void
defaults(void)
{
	uint64_t	 r;

	su_cfg.listen_host = xstrdup("127.0.0.1");
	su_cfg.listen_port = 8090;
	su_cfg.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	(void)sctl_latency_profile("default");
	su_cfg.hetzner_token = xstrdup("sim-hetzner-token");
	su_cfg.cloudflare_token = xstrdup("sim-cloudflare-token");
	su_cfg.cloudflare_zone = xstrdup("sim-zone-0001");
	su_cfg.domain = xstrdup("och.test");
	su_cfg.resend_key = xstrdup("re_sim_key");
	su_cfg.resend_rate = 2;
	su_cfg.whmcs_id = xstrdup("sim-whmcs-id");
	su_cfg.whmcs_secret = xstrdup("sim-whmcs-secret");
	su_cfg.rate_limit = 3600;
	su_cfg.scf_limit = 1200;
	su_cfg.scf_window = 300;
	su_cfg.server_limit = 100000;
	su_cfg.exporter_port = 9100;
	su_cfg.hang_seconds = 60;
	/* a random start in 127.64.0.0/10 keeps parallel simulators apart */
	r = ((uint64_t)time(NULL) * 2654435761u) ^ ((uint64_t)getpid() << 7);
	su_cfg.ip_base = 0x7f400000u + (uint32_t)(r % (0x400000u - 0x20000u));
}

static void
free_cfg(void)
{
	free(su_cfg.listen_host);
	free(su_cfg.hetzner_token);
	free(su_cfg.hetzner_ro_token);
	free(su_cfg.cloudflare_token);
	free(su_cfg.cloudflare_zone);
	free(su_cfg.domain);
	free(su_cfg.resend_key);
	free(su_cfg.whmcs_id);
	free(su_cfg.whmcs_secret);
	free(su_cfg.state_dir);
	free(su_cfg.agent);
	free(su_cfg.ca_file);
}

static void
parse(int argc, char *argv[])
{
	enum { O_LISTEN = 256, O_SEED, O_BOOT, O_ACTION, O_CREATE, O_HTOK,
	    O_HROTOK, O_CFTOK, O_CFZONE, O_DOMAIN, O_RSKEY, O_RSRATE, O_WHID,
	    O_WHSEC, O_WHSTRICT, O_RL, O_CFLIM, O_CFWIN, O_SRVLIM, O_STATE,
	    O_AGENT, O_CA, O_EXPORT, O_IPBASE, O_HANG, O_PROFILE, O_HELP, O_VERSION };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "seed", required_argument, NULL, O_SEED },
		{ "boot-delay", required_argument, NULL, O_BOOT },
		{ "action-delay", required_argument, NULL, O_ACTION },
		{ "create-delay", required_argument, NULL, O_CREATE },
		{ "hetzner-token", required_argument, NULL, O_HTOK },
		{ "hetzner-readonly-token", required_argument, NULL, O_HROTOK },
		{ "cloudflare-token", required_argument, NULL, O_CFTOK },
		{ "cloudflare-zone", required_argument, NULL, O_CFZONE },
		{ "domain", required_argument, NULL, O_DOMAIN },
		{ "resend-key", required_argument, NULL, O_RSKEY },
		{ "resend-rate", required_argument, NULL, O_RSRATE },
		{ "whmcs-identifier", required_argument, NULL, O_WHID },
		{ "whmcs-secret", required_argument, NULL, O_WHSEC },
		{ "whmcs-strict", no_argument, NULL, O_WHSTRICT },
		{ "rate-limit", required_argument, NULL, O_RL },
		{ "cloudflare-limit", required_argument, NULL, O_CFLIM },
		{ "cloudflare-window", required_argument, NULL, O_CFWIN },
		{ "server-limit", required_argument, NULL, O_SRVLIM },
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "agent", required_argument, NULL, O_AGENT },
		{ "ca-file", required_argument, NULL, O_CA },
		{ "exporter-port", required_argument, NULL, O_EXPORT },
		{ "ip-base", required_argument, NULL, O_IPBASE },
		{ "hang-seconds", required_argument, NULL, O_HANG },
		{ "latency-profile", required_argument, NULL, O_PROFILE },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct in_addr	 a;
	char		*colon, *end;
	long		 n;
	int		 c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_LISTEN:
			if ((colon = strrchr(optarg, ':')) == NULL ||
			    (n = strtol(colon + 1, &end, 10)) < 0 ||
			    n > 65535 || *end != '\0') {
				fprintf(stderr, "och-cloudsim: --listen wants "
				    "HOST:PORT\n");
				exit(2);
			}
			free(su_cfg.listen_host);
			su_cfg.listen_host = xstrndup(optarg, colon - optarg);
			su_cfg.listen_port = (int)n;
			break;
		case O_SEED:
			su_cfg.seed = strtoull(optarg, &end, 10);
			if (*end != '\0') {
				fprintf(stderr, "och-cloudsim: bad --seed\n");
				exit(2);
			}
			break;
		case O_BOOT:
			su_cfg.boot_delay = secs("--boot-delay", optarg);
			su_cfg.profile = NULL;
			break;
		case O_ACTION:
			su_cfg.action_delay = secs("--action-delay", optarg);
			su_cfg.profile = NULL;
			break;
		case O_CREATE:
			su_cfg.create_delay = secs("--create-delay", optarg);
			su_cfg.profile = NULL;
			break;
		case O_PROFILE:
			if (sctl_latency_profile(optarg) == -1) {
				fprintf(stderr, "och-cloudsim: --latency-profile "
				    "is default or hetzner\n");
				exit(2);
			}
			break;
		case O_HTOK:
			set(&su_cfg.hetzner_token, optarg);
			break;
		case O_HROTOK:
			set(&su_cfg.hetzner_ro_token, optarg);
			break;
		case O_CFTOK:
			set(&su_cfg.cloudflare_token, optarg);
			break;
		case O_CFZONE:
			set(&su_cfg.cloudflare_zone, optarg);
			break;
		case O_DOMAIN:
			set(&su_cfg.domain, optarg);
			break;
		case O_RSKEY:
			set(&su_cfg.resend_key, optarg);
			break;
		case O_RSRATE:
			su_cfg.resend_rate = secs("--resend-rate", optarg);
			break;
		case O_WHID:
			set(&su_cfg.whmcs_id, optarg);
			break;
		case O_WHSEC:
			set(&su_cfg.whmcs_secret, optarg);
			break;
		case O_WHSTRICT:
			su_cfg.whmcs_strict = 1;
			break;
		case O_RL:
			su_cfg.rate_limit = secs("--rate-limit", optarg);
			break;
		case O_CFLIM:
			su_cfg.scf_limit = secs("--cloudflare-limit", optarg);
			break;
		case O_CFWIN:
			su_cfg.scf_window = secs("--cloudflare-window", optarg);
			break;
		case O_SRVLIM:
			su_cfg.server_limit = (int)secs("--server-limit",
			    optarg);
			break;
		case O_STATE:
			set(&su_cfg.state_dir, optarg);
			break;
		case O_AGENT:
			set(&su_cfg.agent, optarg);
			break;
		case O_CA:
			set(&su_cfg.ca_file, optarg);
			break;
		case O_EXPORT:
			su_cfg.exporter_port = (int)secs("--exporter-port",
			    optarg);
			break;
		case O_IPBASE:
			if (inet_pton(AF_INET, optarg, &a) != 1 ||
			    ntohl(a.s_addr) < 0x7f400000u ||
			    ntohl(a.s_addr) > 0x7f7fffffu) {
				fprintf(stderr, "och-cloudsim: --ip-base must "
				    "be in 127.64.0.0/10\n");
				exit(2);
			}
			su_cfg.ip_base = ntohl(a.s_addr);
			break;
		case O_HANG:
			su_cfg.hang_seconds = secs("--hang-seconds", optarg);
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		case O_VERSION:
			printf("och-cloudsim %s\n", OCH_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		usage(stderr);
		exit(2);
	}
	if (su_cfg.rate_limit < 1 || su_cfg.scf_limit < 1 ||
	    su_cfg.scf_window < 1 || su_cfg.resend_rate <= 0 ||
	    su_cfg.server_limit < 1 || su_cfg.exporter_port < 1 ||
	    su_cfg.exporter_port > 65535) {
		fprintf(stderr, "och-cloudsim: limits must be positive\n");
		exit(2);
	}
	if (strlen(su_cfg.domain) == 0 || strlen(su_cfg.domain) > 200) {
		fprintf(stderr, "och-cloudsim: bad --domain\n");
		exit(2);
	}
}

/* Agent mode needs a state folder: make a private one if none given. */
static int
state_dir(void)
{
	char	*p, tmpl[] = "/tmp/och-cloudsim.XXXXXX";
	const char *tmp;

	if (su_cfg.agent == NULL && su_cfg.state_dir == NULL)
		return 0;
	if (su_cfg.state_dir == NULL) {
		tmp = getenv("TMPDIR");
		p = tmp && *tmp ? xasprintf("%s/och-cloudsim.XXXXXX", tmp) :
		    xstrdup(tmpl);
		if (mkdtemp(p) == NULL) {
			log_error("mkdtemp: %s", strerror(errno));
			free(p);
			return -1;
		}
		su_cfg.state_dir = p;
		su_cfg.state_dir_tmp = 1;
	} else if (mkdir(su_cfg.state_dir, 0700) == -1 && errno != EEXIST) {
		log_error("mkdir '%s': %s", su_cfg.state_dir, strerror(errno));
		return -1;
	}
	p = xasprintf("%s/servers", su_cfg.state_dir);
	if (mkdir(p, 0700) == -1 && errno != EEXIST) {
		log_error("mkdir '%s': %s", p, strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int
main(int argc, char *argv[])
{
	cJSON_Hooks	 hooks = { xmalloc, free };
	struct rlimit	 rl;
	sigset_t	 mask;
	int		 rc = 1;

	log_init("och-cloudsim");
	cJSON_InitHooks(&hooks);
	defaults();
	parse(argc, argv);
	su_seed_faults(su_cfg.seed);
	su_seed_ids(su_cfg.seed);
	/* every simulated server costs a few descriptors */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if (state_dir() == -1)
		goto out;
	if (loop_init() == -1 || (sigfd = signalfd(-1, &mask, SFD_NONBLOCK |
	    SFD_CLOEXEC)) == -1 || loop_add(sigfd, EPOLLIN, on_signal,
	    NULL) == -1) {
		log_error("event loop: %s", strerror(errno));
		goto out;
	}
	if (cb_init() == -1) {
		log_error("libcurl initialisation failed");
		goto out;
	}
	http_register(&shz_svc);
	http_register(&scf_svc);
	http_register(&srs_svc);
	http_register(&swh_svc);
	http_register(&sctl_svc);
	if (http_start(su_cfg.listen_host, su_cfg.listen_port) == -1)
		goto out;
	log_info("listening on http://%s:%d (seed %llu, boot %.3gs, create "
	    "%.3gs, action %.3gs%s%s)", su_cfg.listen_host, su_cfg.listen_port,
	    (unsigned long long)su_cfg.seed, su_cfg.boot_delay,
	    su_cfg.create_delay, su_cfg.action_delay,
	    su_cfg.agent ? ", agent " : "", su_cfg.agent ? su_cfg.agent : "");
	rc = loop_run() == 0 ? 0 : 1;
out:
	http_stop();
	sctl_reset_all();
	ag_shutdown();
	cb_shutdown();
	if (sigfd != -1) {
		loop_del(sigfd);
		close(sigfd);
	}
	loop_free();
	if (su_cfg.state_dir_tmp)
		su_rm_rf(su_cfg.state_dir);
	free_cfg();
	log_info("stopped");
	return rc;
}
