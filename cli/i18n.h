/*
 * Messages for people through gettext (domain "wipeproof"): _() marks and
 * translates, N_() only marks (tables translated where they are printed).
 * Only cli/ prints, so only cli/ translates; JSON and reason codes stay
 * English and stable for programs.
 */
#ifndef WP_I18N_H
#define WP_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* LC_MESSAGES and LC_CTYPE from the environment (never LC_NUMERIC: reports
 * and progress keep '.' as the decimal point), and the catalogue: the
 * installed one, else the one in the build tree (tests). */
void wp_i18n_init(void);

/* A protected disk's reason code (udev.h WP_REASON_*) as a headline in the
 * reader's language, msgctxt "reason" in po/: "マウント中 (mounted)" in
 * Japanese, the code itself in English. The reason's sentence stays as
 * the guard wrote it (it is also the JSON "text"). */
const char *wp_reason_label(const char *code);

#endif
