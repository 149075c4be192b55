/*
 * The command line of every command in one place (options.c): each long
 * option once, each command and sub-command with the options it allows,
 * its usage text and its entry point. `--as`, `--ledger`, `--keys` and
 * `--passphrase-file` are one option each, whichever command takes them,
 * and a command that does not take an option refuses it by name.
 */
#ifndef WP_CLI_OPTIONS_H
#define WP_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Every long option; getopt_long returns these. */
enum wp_opt {
	WP_O_HELP = 1000, WP_O_JSON,
	/* where, who: every command that records or reads the ledger */
	WP_O_AS, WP_O_LEDGER, WP_O_KEYS, WP_O_PASSPHRASE_FILE, WP_O_CA, WP_O_CRL,
	WP_O_CA_FPR,
	/* list, plan, wipe, verify, demo */
	WP_O_METHOD, WP_O_VERIFY, WP_O_CONFIRM, WP_O_REPORT, WP_O_FORCE_HOLDERS, WP_O_CHUNK,
	WP_O_SIZE, WP_O_DEPTH, WP_O_REPORT_DIR, WP_O_ASSET, WP_O_LEVEL, WP_O_REMOVE_HPA,
	WP_O_NO_REPORT,
	/* watch, resume */
	WP_O_INTAKE, WP_O_PREFIX, WP_O_REASON, WP_O_AUTO, WP_O_POLICY, WP_O_LIST, WP_O_DEVICE,
	/* keys */
	WP_O_ORG, WP_O_NAME, WP_O_TITLE, WP_O_ROLE, WP_O_CA_PASSFILE, WP_O_DAYS, WP_O_NO_PASS,
	WP_O_ID, WP_O_DATE,
	/* custody */
	WP_O_WITNESS, WP_O_WITNESS_PASSFILE, WP_O_WITNESS_TTY, WP_O_SERIAL, WP_O_MODEL,
	WP_O_OWNER, WP_O_LOCATION, WP_O_MANAGER, WP_O_LEASE_CONTRACT, WP_O_LEASE_END,
	WP_O_COMMENT, WP_O_PHOTO, WP_O_VENDOR, WP_O_VENDOR_CERT, WP_O_TO, WP_O_TEXT,
	WP_O_NO_APPROVAL, WP_O_APPROVAL, WP_O_FORMAT, WP_O_SINCE, WP_O_ANCHOR, WP_O_OUTPUT,
	WP_O_HTML, WP_O_SIGN, WP_O_FOR, WP_O_VALID_DAYS,
	/* cert */
	WP_O_SIG, WP_O_QR, WP_O_TRUST, WP_O_CONTACT,
	/* custody intake: the PC the disk was in */
	WP_O_PC_MANUFACTURER, WP_O_PC_MODEL, WP_O_PC_SERIAL,
	/* custody export --segment, import, push: a station's chain */
	WP_O_SEGMENT, WP_O_STATION, WP_O_UNTIL,
	/* issue 17 items 5-9: take-out, repair, Art.5 fields, outstanding, optical */
	WP_O_DESTINATION, WP_O_PURPOSE, WP_O_PERMITTED_BY, WP_O_PERMITTED_ON, WP_O_DUE_BACK,
	WP_O_AGREEMENT, WP_O_REPAIRER, WP_O_INTRODUCED, WP_O_MAKER, WP_O_SELLER, WP_O_USE,
	WP_O_WARRANTY, WP_O_MEDIA, WP_O_TOOL, WP_O_OPEN, WP_O_RECORD,
	/* issue 17: classes, vendor destruction, attested erasure */
	WP_O_CONFIDENTIALITY, WP_O_KIND, WP_O_RECEIVED_BY, WP_O_EVIDENCE, WP_O_BY, WP_O_CATEGORY,
	WP_O_ERASED_BY,
	/* issue 18: custody push --queue FILE, a station's queued events */
	WP_O_QUEUE,
};

/* "as", "ledger", ... for a message; "?" for anything else. */
const char *wp_option_name(int opt);

/* Called for each option in the order given; ARG is NULL for a flag, OPT
 * WP_O_HELP for --help and -h. 0, or -1 with a message in ERR. */
typedef int (*wp_opt_take)(void *ctx, int opt, const char *arg, char *err, size_t errlen);

/* The options of COMMAND ("wipe", "custody intake", "cert verify": its
 * entry in the table, and the topic of 'wipeproof help COMMAND') in ARGV,
 * argv[0] being the command's own word. Returns the index in ARGV of the
 * first operand (getopt moves operands behind the options), or -1 with
 * "unknown option '--x'; see 'wipeproof help COMMAND'", "option --x needs
 * a value", "option --x does not apply to 'COMMAND'; ..." or TAKE's own
 * message. */
int wp_options_parse(const char *command, int argc, char **argv, wp_opt_take take, void *ctx,
		     char *err, size_t errlen);

/* The options every command that records takes the same way: --as,
 * --ledger, --keys, --passphrase-file into the caller's fields. True when
 * OPT was one of them. */
bool wp_take_who(int opt, const char *arg, const char **as, const char **ledger,
		 const char **keys_dir, const char **passphrase_file);

/* 0 when every option a row allows is in the table and no option is in it
 * twice; else -1 naming it (a unit test runs this). */
int wp_options_check(char *err, size_t errlen);

/* ---- dispatch ---------------------------------------------------------- */

/* The command ARGV[1] names (keys, custody and cert with their
 * sub-command), run; its exit code. main() calls only this. */
int wp_dispatch(int argc, char **argv);

/* 'wipeproof help TOPIC...' for the commands of the table that print
 * their own usage: true when TOPIC was one of them (printed to OUT). */
bool wp_help_topic(FILE *out, int argc, char **argv);

/* The names of the sub-commands of GROUP ("keys"), ", "-separated. */
void wp_sub_names(const char *group, char *buf, size_t len);
/* The entry of GROUP's sub-command NAME; NULL when there is none. */
const char *wp_sub_find(const char *group, const char *name);

#endif
