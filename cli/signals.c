/*
 * SIGINT and SIGTERM only set a flag: the engine checks it between chunks
 * and stops with an "interrupted" report, so a wipe is never cut off in the
 * middle of bookkeeping. A second signal falls back to the default action,
 * after undoing what must not outlive the process (a lowered pool).
 */
#include "cli.h"

#include <string.h>

volatile sig_atomic_t wp_stop_flag;

static void on_stop(int sig)
{
	if (wp_stop_flag) {
		/* the second signal ends the process here: a filesystem pool
		 * lowered by freespace is set back first (the guard file
		 * covers SIGKILL) */
		wp_fs_reserve_restore_signal();
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	wp_stop_flag = 1;
}

void wp_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
