/* gettext set-up (i18n.h). */
#include "i18n.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void wp_i18n_init(void)
{
	setlocale(LC_MESSAGES, "");
	setlocale(LC_CTYPE, "");
	const char *dir = WP_LOCALEDIR;
#ifdef WP_BUILD_LOCALEDIR
	if (access(WP_LOCALEDIR "/ja/LC_MESSAGES/wipeproof.mo", R_OK) != 0)
		dir = WP_BUILD_LOCALEDIR;
#endif
	bindtextdomain("wipeproof", dir);
	bind_textdomain_codeset("wipeproof", "UTF-8");
	textdomain("wipeproof");
}

/* gettext's context convention (msgctxt "reason"): the key is
 * "reason" EOT code; gettext returns the key itself when untranslated. */
const char *wp_reason_label(const char *code)
{
	static __thread char key[64];
	snprintf(key, sizeof(key), "reason\004%s", code);
	const char *t = gettext(key);
	return t == key || strcmp(t, key) == 0 ? code : t;
}
