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

void wp_i18n_for_programs(void)
{
	setlocale(LC_MESSAGES, "C");
}

/* The guard's reason codes (udev.h WP_REASON_*), marked for xgettext so
 * their headlines stay in po/ (looked up at run time by wp_reason_label). */
static const char *const reason_codes[] __attribute__((unused)) = {
	NC_("reason", "mounted"), NC_("reason", "swap"), NC_("reason", "system-disk"),
	NC_("reason", "holders"), NC_("reason", "read-only"), NC_("reason", "write-once"),
	NC_("reason", "optical"), NC_("reason", "no-medium"),
};

/* gettext's context convention (msgctxt "reason"): the key is
 * "reason" EOT code; gettext returns the key itself when untranslated. */
const char *wp_reason_label(const char *code)
{
	static __thread char key[64];
	snprintf(key, sizeof(key), "reason\004%s", code);
	const char *t = dgettext(WP_TEXTDOMAIN, key);
	return t == key || strcmp(t, key) == 0 ? code : t;
}
