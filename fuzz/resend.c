/*
 * resend: answers from the Resend email API as the client reads them
 * (rs_classify on the status and body).  Input: two bytes of status,
 * then the body.
 */
#include "prov.h"
#include "resend.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct prov_err	 e;

	if (n < 2)
		return 0;
	hcl_perr_init(&e, "resend");
	rs_classify(fz_status(d), (const char *)d + 2, n - 2, &e);
	fz_perr_check(&e);
	return 0;
}
