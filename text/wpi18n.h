/*
 * Messages for people, for every module (issue 16): a message built for a
 * person — an error or refusal a front end prints — is translated where it
 * is built, with _() in the gettext domain "wipeproof", as util-linux's
 * libraries (libfdisk, libsmartcols) mark their own messages. The module
 * only reads the catalogue in the locale the front end chose (cli/i18n.c:
 * setlocale, bindtextdomain); it never sets a locale itself.
 *
 * What programs read is never marked: a signed ledger body, a job report,
 * a certificate field, JSON output, reason and rule codes stay English and
 * stable (station/README.md lists them). When a string goes to both a
 * person and a record, it stays English.
 */
#ifndef WP_I18N_SHARED_H
#define WP_I18N_SHARED_H

#include <libintl.h>

#define WP_TEXTDOMAIN "wipeproof"

/* dgettext, not gettext: a library names its domain, so a front end with
 * a textdomain of its own still gets these messages in its language. */
#define _(s) dgettext(WP_TEXTDOMAIN, s)
/* marks only: the text is stored (a table) and translated where shown */
#define N_(s) (s)
/* marks with a context (msgctxt), looked up at run time by the key */
#define NC_(ctx, s) (s)

#endif
