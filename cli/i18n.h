/*
 * cli's gettext set-up. _() and N_() come from the shared header
 * (text/wpi18n.h) that the modules use too: the messages they build for
 * people arrive translated. JSON, reason codes and CSV stay English and
 * stable for programs.
 */
#ifndef WP_I18N_H
#define WP_I18N_H

#include "wpi18n.h"

/* LC_MESSAGES and LC_CTYPE from the environment (never LC_NUMERIC: reports
 * and progress keep '.' as the decimal point), and the catalogue: the
 * installed one, else the one in the build tree (tests). */
void wp_i18n_init(void);

/* --json: the output is for programs, and a module's message can be both
 * a line on stderr and a JSON member (custody verify's "error", a skipped
 * disk's "reason"), built once where it arises. So a command asked for
 * JSON speaks English everywhere (LC_MESSAGES=C; gettext then ignores
 * LANGUAGE too). */
void wp_i18n_for_programs(void);

/* A protected disk's reason code (udev.h WP_REASON_*) as a headline in the
 * reader's language, msgctxt "reason" in po/: "マウント中 (mounted)" in
 * Japanese, the code itself in English. The reason's sentence follows as
 * the guard wrote it, translated there (udev/guard.c); under --json, where
 * it is also the JSON "text", it stays English (wp_i18n_for_programs). */
const char *wp_reason_label(const char *code);

#endif
