/*
 * cfg: the configuration file (KEY=VALUE lines, comments, quotes) as
 * every binary loads it at start-up, through cfg_load() with OCH_CONFIG
 * naming a file that holds the input (mode 0600, as a secrets file must
 * be), then every key read back.
 */
#include <fcntl.h>
#include <unistd.h>

#include "cfg.h"
#include "fuzz.h"

static char	path[64];

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct cfg	 c;
	int		 fd, k;

	if (*path == '\0') {
		snprintf(path, sizeof(path), "/tmp/och-fuzz-cfg.%ld",
		    (long)getpid());
		if (setenv("OCH_CONFIG", path, 1) != 0)
			abort();
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		abort();
	if (n > 0 && write(fd, d, n) != (ssize_t)n)
		abort();
	close(fd);
	if (cfg_load(&c, NULL) == 0) {
		for (k = 0; k < CFG__MAX; k++) {
			(void)cfg_str(&c, (enum cfg_key)k, "");
			(void)cfg_int(&c, (enum cfg_key)k, 0);
		}
		cfg_free(&c);
	}
	unlink(path);
	return 0;
}
