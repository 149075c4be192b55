/* The one way every unit test runs its suite and reports to CTest. */
#ifndef WP_CHECK_MAIN_H
#define WP_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int wp_run_suite(Suite *suite)
{
	SRunner *sr = srunner_create(suite);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
