/* gettext set-up (i18n.h). */
#include "i18n.h"

#include <locale.h>
#include <unistd.h>

void wp_i18n_init(void)
{
	setlocale(LC_MESSAGES, "");
	setlocale(LC_CTYPE, "");
	const char *dir = WP_LOCALEDIR;
	if (access(WP_LOCALEDIR "/ja/LC_MESSAGES/wipeproof.mo", R_OK) != 0)
		dir = WP_BUILD_LOCALEDIR;
	bindtextdomain("wipeproof", dir);
	bind_textdomain_codeset("wipeproof", "UTF-8");
	textdomain("wipeproof");
}
