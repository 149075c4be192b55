/*
 * custody/ — the append-only custody ledger.
 *
 * Every event (intake, request, approve, wipe, destruction, transfer,
 * release, note, policy) is one row of an SQLite table, chained by hash and
 * signed by the person who recorded it (and, for a destruction, by the
 * witness too). custody/README.md defines the schema, the canonical form,
 * the hash and the rules precisely enough to re-implement verification.
 *
 * Rules are checked inside the same BEGIN IMMEDIATE transaction as the
 * append, so two processes (or threads, each with its own handle) cannot
 * both pass a rule that only one of them may pass. Verification replays the
 * same rules, so a ledger that verifies never contains an event that could
 * not have been appended.
 *
 * Errors: 0 on success; WP_CUSTODY_ERROR (-1) when the operation could not
 * be done (I/O, bad input), WP_CUSTODY_REFUSED (-2) when a rule refuses the
 * event, WP_CUSTODY_BROKEN (-3) when the ledger does not verify; always with
 * a one-line message in the caller's buffer saying what to do.
 */
#ifndef WP_CUSTODY_H
#define WP_CUSTODY_H

#include "certs.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define WP_LEDGER_DEFAULT "/var/lib/wipeproof/ledger.db"
#define WP_HASH_HEX 65          /* SHA-256 as 64 lowercase hex digits + NUL */
#define WP_ASSET_MAX 128
#define WP_TIME_MAX 24          /* "2026-11-22T09:00:00Z" */
#define WP_LEDGER_ID_HEX 33     /* 16 random bytes as 32 lowercase hex digits + NUL */
/* How far an event may lie ahead of the verifier's clock: offline
 * stations drift, and one set to local time instead of UTC runs up to 14
 * hours ahead; a day covers both and still refuses a year-2099 event. */
#define WP_CLOCK_AHEAD_MAX (24 * 3600)

enum {
	WP_CUSTODY_ERROR = -1,
	WP_CUSTODY_REFUSED = -2,
	WP_CUSTODY_BROKEN = -3,
};

/* Event kinds (the `kind` column). */
#define WP_EV_POLICY "policy"
#define WP_EV_INTAKE "intake"
#define WP_EV_REQUEST "request"
#define WP_EV_APPROVE "approve"
#define WP_EV_WIPE_START "wipe-start"
#define WP_EV_WIPE_END "wipe-end"
#define WP_EV_WIPE_RESUME "wipe-resume"
#define WP_EV_VERIFIED "verified"
#define WP_EV_CERTIFICATE "certificate"
#define WP_EV_DESTROYED "destroyed"
#define WP_EV_TRANSFER "transfer"
#define WP_EV_RELEASE "release"
#define WP_EV_NOTE "note"
#define WP_EV_FREESPACE "freespace"
/* ---- the asset's life, issue 17 items 5-9 (rules.c, "asset life" block) */
#define WP_EV_TAKE_OUT "take-out"      /* 持出: signed by the taker and the permitting head */
#define WP_EV_RETURN "return"          /* 返却 */
#define WP_EV_BLANKED "blanked"        /* a rewritable disc blanked for reuse (R12) */
#define WP_EV_STOCKTAKE "stocktake"    /* 棚卸: assets on record against disks attached (R15) */
/* issue 17 (classes.c): the vendor's destruction of an asset
 * handed to it, and an erasure the device or its maker did */
#define WP_EV_VENDOR_DESTROYED "vendor-destroyed"
#define WP_EV_ERASURE_ATTESTED "erasure-attested"

/* ---- the ledger file --------------------------------------------------- */

struct wp_ledger;

/* Which ledger a command uses is the front end's to resolve (--ledger,
 * WIPEPROOF_LEDGER, the config file, WP_LEDGER_DEFAULT: cli/config.c);
 * this module reads no environment. */
/* 0 when the ledger exists (a database always counts: the server
 * decides), else the errno that says why the file does not. */
int wp_ledger_missing(const char *spec);
/* A --ledger value naming a PostgreSQL database: postgresql://, postgres://,
 * or a libpq key=value string (service=NAME, host=..., dbname=...). */
bool wp_ledger_is_pg(const char *spec);

/* Open for appending; creates the file and schema when missing (the parent
 * directory must exist, except /var/lib/wipeproof for the default path,
 * which is created). WAL, synchronous=FULL, a busy timeout: several handles
 * (one per thread or process) may append at once. A handle is for one
 * thread at a time. */
int wp_ledger_open(const char *path, struct wp_ledger **out, char *err, size_t errlen);
/* Open an existing ledger for reading only; works without root and without
 * write access to the ledger's directory. */
int wp_ledger_open_readonly(const char *path, struct wp_ledger **out,
			    char *err, size_t errlen);
void wp_ledger_close(struct wp_ledger *ledger);
const char *wp_ledger_path(const struct wp_ledger *ledger);
/* The chain a reader's callback (wp_custody_each, wp_custody_replay) is
 * called for: "" for the ledger's own chain (SQLite's only one, the
 * PostgreSQL ledger's online chain), else the ledger id of a pushed
 * station's chain (custody/README.md, Stations). */
const char *wp_ledger_chain(const struct wp_ledger *ledger);
/* The CA every event must chain to. Reading events through this handle
 * (wp_custody_each, wp_custody_state, wp_custody_check_wipe) is one
 * verified pass over the whole chain against it; without a CA they refuse.
 * Takes its own reference. */
int wp_ledger_set_ca(struct wp_ledger *ledger, X509 *ca, char *err, size_t errlen);
X509 *wp_ledger_ca(const struct wp_ledger *ledger);  /* borrowed; NULL when none set */
/* The CA's revocation list (certs.h): verification then refuses an event
 * signed by someone at or after their revocation date. NULL: none. Takes
 * its own reference. */
int wp_ledger_set_crl(struct wp_ledger *ledger, X509_CRL *crl);

/* ---- events ------------------------------------------------------------ */

struct wp_actor {
	/* the person id from the signer's certificate (certs.h wp_person.id):
	 * not a column and not hashed — filled from the certificate by append
	 * and verify, so separation of duties compares people, not spellings */
	char id[WP_ID_MAX];
	char name[WP_NAME_MAX];
	char title[WP_NAME_MAX];
	char role[16];
	char fingerprint[WP_FPR_HEX];
};

struct wp_event {
	uint64_t seq;
	char time[WP_TIME_MAX];
	char kind[32];
	char asset[WP_ASSET_MAX];   /* "" for policy events */
	struct wp_actor actor;
	bool witnessed;
	struct wp_actor witness;
	json_t *body;               /* owned by whoever filled the event */
	char prev_hash[WP_HASH_HEX];
	char hash[WP_HASH_HEX];
};

/*
 * Check the rules and append one event, signed by actor, in one
 * BEGIN IMMEDIATE transaction. body is borrowed (a JSON object; strings,
 * integers, booleans, null, arrays and objects — no reals, see README).
 * On success *seq_out (may be NULL) and hash_out (may be NULL) hold the new
 * event's seq and hash. Returns WP_CUSTODY_REFUSED when a rule forbids it.
 *
 * Bodies the rules read (other members are recorded as given):
 *   wipe-start  {"job_id": S, "serial": disk serial (must equal intake's),
 *                "method": S, "device": path}
 *   wipe-end    {"job_id": S (of the open wipe-start), "result":
 *                "sanitized"|"failed"|"interrupted"|"unverified",
 *                "report_sha256": 64 hex (optional)}
 *   wipe-resume {"job_id": S (of the last wipe-start, whose wipe-end said
 *                "interrupted"), "serial": disk serial (must equal intake's),
 *                "pass": N, "offset": N, "device": path}
 *   verified    {"job_id": S (of the sanitized wipe), "mode": "full"|"sample",
 *                "bytes_checked": N, "coverage_percent": "100.0" (a string)}
 *   certificate {"certificate_id": S, "certificate_sha256": 64 hex, "job_id": S
 *                (of the sanitized wipe; absent for a destroyed asset),
 *                "scope": "free-space" for the free-space wipe job_id}
 *   freespace   {"job_id": S, "result": "wiped"|"mismatch"|"failed"|
 *                "interrupted", "mountpoint": S, "device": S,
 *                "report_sha256": 64 hex (optional)}
 */
int wp_custody_append(struct wp_ledger *ledger, const struct wp_identity *actor,
		      const char *kind, const char *asset, json_t *body,
		      uint64_t *seq_out, char *hash_out, char *err, size_t errlen);
/* The same with a second signer (destroyed needs one). */
int wp_custody_append_witnessed(struct wp_ledger *ledger, const struct wp_identity *actor,
				const struct wp_identity *witness, const char *kind,
				const char *asset, json_t *body, uint64_t *seq_out,
				char *hash_out, char *err, size_t errlen);

/* Would ACTOR's event KIND on ASSET with BODY (borrowed) be accepted now?
 * The rules of the append, from one verified pass, without appending: for
 * work that must be refused before it is done (the station's blank of a
 * disc, custody blanked --device). WP_CUSTODY_REFUSED with the rule. */
int wp_custody_check_event(struct wp_ledger *ledger, const struct wp_identity *actor,
			   const char *kind, const char *asset, json_t *body, char *err,
			   size_t errlen);

/* May this disk be wiped as ASSET now? 0 when the asset exists, its intake
 * serial equals disk_serial, it is not released, destroyed or handed to a
 * vendor, and it is approved (or the ledger's policy does not require
 * approval). Else WP_CUSTODY_REFUSED with what to do, or WP_CUSTODY_ERROR
 * (WP_CUSTODY_BROKEN when the ledger does not verify: the state comes from
 * one verified pass against the handle's CA, wp_ledger_set_ca). Advisory: wp_custody_append(wipe-start) checks the same again under the
 * write lock. */
int wp_custody_check_wipe(struct wp_ledger *ledger, const char *asset,
			  const char *disk_serial, char *err, size_t errlen);
/* The same for a method reaching CATEGORY (Clear, Purge, none; NULL: not
 * checked): refused too when it is below the asset's class minimum
 * (issue 17, classes.c). */
int wp_custody_check_wipe_level(struct wp_ledger *ledger, const char *asset,
				const char *disk_serial, const char *category, char *err,
				size_t errlen);

/* The last event's seq and hash; seq 0 and 64 zeros for an empty ledger. */
int wp_custody_head(struct wp_ledger *ledger, uint64_t *seq, char hash_hex[WP_HASH_HEX],
		    char *err, size_t errlen);

/* The ledger id from the first event's body ("" for a ledger from before
 * ledger ids, or an empty one). Read as stored: for display next to what
 * was verified, not as evidence on its own. */
int wp_custody_ledger_id(struct wp_ledger *ledger, char id[WP_LEDGER_ID_HEX],
			 char *err, size_t errlen);

/* Call fn for every event (of one asset, or all when asset is NULL) in seq
 * order, from one verified pass over the whole chain against the handle's
 * CA (wp_ledger_set_ca): fn sees an event once it and every event before
 * it were checked, but for signatures, which worker threads may still be
 * checking (wp_custody_replay). When any of them, or a later event, does
 * not verify, the walk returns WP_CUSTODY_BROKEN and whatever fn collected
 * must be thrown away — print nothing before the return. fn returning non-zero stops the walk and
 * becomes the return value. ev->body is freed after fn returns. */
typedef int (*wp_event_fn)(const struct wp_event *ev, void *ctx);
int wp_custody_each(struct wp_ledger *ledger, const char *asset, wp_event_fn fn,
		    void *ctx, char *err, size_t errlen);

/* ---- the state of an asset, and the rules ------------------------------- */

/* What an approval allows (its body's "for" list): each action needs an
 * approval that names it and has not expired ("expires", UTC). */
#define WP_APPROVE_WIPE 1u        /* "wipe": wipe-start */
#define WP_APPROVE_DESTROY 2u     /* "destroy": destroyed */
#define WP_APPROVE_TRANSFER 4u    /* "transfer": transfer */
#define WP_APPROVE_RELEASE 8u     /* "release": release */
/* "wipe,release" as flags; -1 for an unknown word (named in err). */
int wp_approve_actions_parse(const char *list, unsigned *out, char *err, size_t errlen);

struct wp_asset_state {
	char asset[WP_ASSET_MAX];
	bool exists;
	uint64_t events, intake_seq, last_seq;
	char intake_time[WP_TIME_MAX], last_time[WP_TIME_MAX];
	char serial[128], model[128];
	char owner[WP_NAME_MAX], location[WP_NAME_MAX], manager[WP_NAME_MAX];
	char lease_contract[WP_NAME_MAX], lease_end[16], reason[32];
	/* the PC the disk was taken out of, or booted from a stick (DMI) */
	char pc_manufacturer[128], pc_model[128], pc_serial[128];
	bool requested, approved;
	struct wp_actor requester, approver;
	unsigned approved_for;      /* WP_APPROVE_* of the last approval */
	char approved_until[WP_TIME_MAX]; /* its "expires" */
	bool wipe_open;             /* a wipe-start without its wipe-end */
	char job_id[64];            /* of the last wipe-start */
	char wipe_result[16];       /* of the last wipe-end, "" if none */
	bool sanitized, verified;   /* the last wipe ended sanitized / was verified */
	bool destroyed;
	char destroy_method[64];
	struct wp_actor witness;
	bool transferred;
	char vendor[WP_NAME_MAX];
	bool released;
	char released_to[16];
	char freespace_job[64];     /* the last free-space wipe, if it ended "wiped" or "partial" */
	/* ---- the asset's life, issue 17 items 5-9 (rules.c, "asset life" block) */
	char introduced[16];        /* 導入年月日 YYYY-MM-DD (Co-Std Art.5) */
	char maker[WP_NAME_MAX];    /* 製造元, from the disk or its label; "" unknown */
	char maker_source[32];      /* where maker came from: scsi-inquiry, wwn-oui, pci-vendor, label */
	char seller[WP_NAME_MAX];   /* 販売店 */
	char use[WP_NAME_MAX];      /* 用途 */
	char warranty[WP_NAME_MAX]; /* 保証書 */
	char kind[16];              /* intake --device: wp_kind_name ("" by label) */
	char media[16];             /* optical medium: CD-R, CD-RW, DVD-R, ... ("" not optical) */
	bool taken_out;             /* a take-out without its return */
	struct wp_actor taken_by, permitted_by;
	char out_time[WP_TIME_MAX], due_back[16], destination[WP_NAME_MAX];
	char returned_time[WP_TIME_MAX];
	char repairer[WP_NAME_MAX]; /* release --to repair */
	char agreement_sha256[65];  /* its confidentiality agreement (R20), "" none */
	unsigned repairs;           /* returns from repair (intake again under the tag) */
	bool blanked;               /* rewritable disc blanked since intake (R12) */
	/* ---- issue 17: class, kind, vendor, attestation (classes.c) */
	char confidentiality[64];   /* the intake's class (the highest given), "" if none */
	char asset_kind[32];        /* the intake's kind (usb, hdd, pc, mfp, ...), "" if none */
	char approved_time[WP_TIME_MAX]; /* when the last approval was recorded */
	bool vendor_destroyed;      /* destroyed by the vendor it was handed to */
	char vendor_cert_sha256[WP_HASH_HEX];
	bool attested;              /* erased by itself or its maker, with evidence */
	char attested_category[16]; /* "clear" or "unknown" */
};

/* ---- issue 17 items 5-9: the asset's life (rules.c) */
/* Optical media names recorded at intake (`media`): write-once (CD-R,
 * DVD-R, DVD+R, DVD+R DL, BD-R), rewritable (CD-RW, DVD-RW, DVD+RW,
 * DVD-RAM, BD-RE) and pressed (CD-ROM, DVD-ROM, BD-ROM). */
bool wp_optical_media_known(const char *media);
bool wp_optical_write_once(const char *media);   /* CD-R, DVD-R, ...: never reused */
bool wp_optical_rewritable(const char *media);   /* CD-RW, ...: blank, then reuse */
/* Not yet released (R14, R16): still the organisation's to account for,
 * wherever it is (on premises, taken out, at a vendor). */
bool wp_asset_outstanding(const struct wp_asset_state *st);
/* Where it is now: on-premises, taken-out, at-vendor, destroyed, released,
 * unknown. */
const char *wp_asset_whereabouts(const struct wp_asset_state *st);

/* Replay the events of ASSET from one verified pass (as wp_custody_each).
 * An unknown asset gives exists == false. */
int wp_custody_state(struct wp_ledger *ledger, const char *asset,
		     struct wp_asset_state *out, char *err, size_t errlen);
/* One word for people: registered, requested, approved, wiping,
 * wipe-interrupted (resumable), wipe-failed, sanitized, verified, destroyed, transferred, released. */
const char *wp_asset_status(const struct wp_asset_state *st);

/* May someone with ROLE record an event of KIND (as actor / as witness)? */
bool wp_custody_role_may(enum wp_role role, const char *kind);
bool wp_custody_role_may_witness(enum wp_role role);

/* SHA-256 of a file's bytes as lowercase hex: evidence kept outside the
 * ledger (a photo, a vendor's certificate, a job report) is recorded by it. */
int wp_file_sha256(const char *path, char out[WP_HASH_HEX], char *err, size_t errlen);

/* ---- the policy table: classes, minimum levels, approvals (classes.c) --- */

/* The class NAME of POLICY (a policy event's body; NULL or one without
 * "classes": the default set, MIC 機密性1–3 and 極秘/社外秘/社内限り): its
 * rank (higher is more confidential) and minimum NIST level ("clear",
 * "purge", ...). -1 when the policy does not define it. */
int wp_policy_class(const json_t *policy, const char *name, int *rank, const char **min_level);
/* The policy's class names, comma separated, for messages. */
void wp_policy_class_names(const json_t *policy, char *out, size_t len);
/* The highest class of a comma-separated LIST (mixed media take the
 * highest; the first of equal rank); -1 naming an unknown class. */
int wp_policy_highest_class(const json_t *policy, const char *list, char *out, size_t len,
			    char *err, size_t errlen);
/* none 0, clear 1, purge 2, destroy 3 (any case); -1 otherwise. */
int wp_policy_level_rank(const char *level);
/* A policy event's body is well formed (approval_required, classes, the
 * approval table). */
int wp_policy_body_check(const json_t *body, char *err, size_t errlen);
/* The first approval row matching ACTION (wipe, destroy, transfer,
 * release), the asset's kind and class; NULL when none (index: 1-based). */
const json_t *wp_policy_row(const json_t *policy, const struct wp_asset_state *st,
			    const char *action, size_t *index);
/* Does ACTION on this asset need an approval under POLICY? The matching
 * row decides, else "approval_required" (no policy: yes). */
bool wp_policy_needs_approval(const json_t *policy, const struct wp_asset_state *st,
			      const char *action);
/* 0 when CATEGORY (the NIST level a method reaches: none, clear, purge,
 * destroy) is at least the minimum of the asset's class; -1 naming the
 * class and the rule. */
int wp_policy_level_check(const json_t *policy, const struct wp_asset_state *st,
			  const char *category, char *err, size_t errlen);
/* The default table as a policy body (custody init --policy default). */
json_t *wp_policy_default_table(void);
/* The policy in force (the last policy event's body; NULL when none),
 * from one verified pass against the handle's CA. *out is a new reference. */
int wp_custody_policy(struct wp_ledger *ledger, json_t **out, char *err, size_t errlen);

/* ---- canonical form and hash ------------------------------------------- */

/* Sorted keys, no whitespace, UTF-8 (not \u-escaped). Refuses reals and
 * control characters other than \t \n \r (their escapes are not the same in
 * every JSON library). malloc'd. */
char *wp_canonical_json(const json_t *value, char *err, size_t errlen);
/* The object that is hashed: {"actor", "asset", "body", "kind", "seq",
 * "time", "v": 1, and "witness" when witnessed}. New reference. */
json_t *wp_event_canonical_object(const struct wp_event *ev);
/* SHA-256(prev_hash_hex ‖ canonical), hex. */
void wp_event_hash(const char *prev_hash_hex, const char *canonical, char out[WP_HASH_HEX]);
/* An event for log --json and export: the canonical object plus seq,
 * prev_hash and hash. New reference. */
json_t *wp_event_to_json(const struct wp_event *ev);

/* ---- verification ------------------------------------------------------ */

struct wp_custody_report {
	uint64_t events;            /* events checked */
	uint64_t head_seq;
	char head_hash[WP_HASH_HEX];
	uint64_t bad_seq;           /* first bad event, 0 when it verifies */
	char why[768];              /* why that event is bad */
	char ledger_id[WP_LEDGER_ID_HEX]; /* from the first event; "" before ledger ids */
	bool approval_required;     /* the policy in force at the head */
	/* A PostgreSQL ledger holds several chains (the online one, "", and
	 * each pushed station's, by its ledger id): events counts them all;
	 * head, ledger_id and the policy are of the anchored chain, else the
	 * online one, else the first. */
	unsigned chains;
	char bad_chain[WP_LEDGER_ID_HEX]; /* the chain of bad_seq ("" the online one) */
};

/* "HASH@SEQ" as printed by `custody head`. */
int wp_anchor_parse(const char *text, uint64_t *seq, char hash[WP_HASH_HEX]);

/* Recompute every hash and signature, check each signer's certificate
 * chains to ca and names the role the event needs, seq runs 1..n, and the
 * rules hold. With an anchor ("HASH@SEQ", may be NULL) also check the event
 * at SEQ exists and has HASH (finds a truncated tail). 0 when all hold,
 * WP_CUSTODY_BROKEN (report->bad_seq, report->why, and err say where),
 * WP_CUSTODY_ERROR when the ledger cannot be read. */
int wp_custody_verify(struct wp_ledger *ledger, X509 *ca, const char *anchor,
		      struct wp_custody_report *report, char *err, size_t errlen);

/* The same single pass, calling fn for every event of ASSET (all when
 * NULL) in seq order, with the asset's state after it, once its link,
 * hash, time, certificates and rules are checked — its signatures may
 * still be being checked on another core. Everything a reader shows —
 * history, state, certificate lookups — comes from here, so nothing is
 * shown that verification did not check: a second query could see other
 * rows than the verifier did. fn must only collect: what it collected is
 * good only when the return is 0 (then every signature held); fn may be
 * NULL. */
typedef int (*wp_verified_fn)(const struct wp_event *ev, const struct wp_asset_state *st,
			      void *ctx);
int wp_custody_replay(struct wp_ledger *ledger, X509 *ca, const char *anchor, const char *asset,
		      wp_verified_fn fn, void *ctx, struct wp_custody_report *report,
		      char *err, size_t errlen);

/* ---- signed heads ---------------------------------------------------------- */

/* A checkpoint of the ledger signed by a person (head.c): kept away from
 * the station, it makes a later cut of the ledger's tail detectable. */
struct wp_signed_head {
	uint64_t seq;
	char hash[WP_HASH_HEX];
	time_t signed_at;
	struct wp_person signer;
	char ledger_id[WP_LEDGER_ID_HEX]; /* the signed ledger's id; "" before ledger ids */
};

/* The ledger's head, now, signed by id: one line of canonical JSON
 * (malloc'd). Refuses an empty ledger. */
int wp_head_sign(struct wp_ledger *ledger, const struct wp_identity *id, char **text,
		 char *err, size_t errlen);
/* The checkpoint TEXT is exactly what wp_head_sign wrote, its signer was
 * certified by ca (and not revoked per crl, may be NULL) when it was signed,
 * and the signature holds. 0, or WP_CUSTODY_BROKEN with the reason. The
 * ledger itself is checked by wp_custody_verify with "HASH@SEQ" of out, and
 * out->ledger_id must equal the verified ledger's (report.ledger_id). */
int wp_head_verify(const char *text, size_t len, X509 *ca, X509_CRL *crl,
		   struct wp_signed_head *out, char *err, size_t errlen);
/* LEDGER against a head wp_head_verify accepted: the one verified pass
 * (wp_custody_verify) with the head's HASH@SEQ as anchor, and the head's
 * ledger id must be this ledger's (from its verified first event), so a
 * head of one ledger is no anchor for another. Returns as wp_custody_verify. */
int wp_custody_verify_head(struct wp_ledger *ledger, X509 *ca, const struct wp_signed_head *h,
			   struct wp_custody_report *report, char *err, size_t errlen);

/* ---- stations: segments and pushes (segment.c) ------------------------------ */

/* The station ledger's whole chain, verified against the station's CA,
 * with its head signed by STATION (a key with the station role): one JSON
 * document (malloc'd) for `custody import` or a push. */
int wp_segment_export(struct wp_ledger *ledger, const struct wp_identity *station, char **text,
		      char *err, size_t errlen);

struct wp_import_result {
	char ledger_id[WP_LEDGER_ID_HEX]; /* the station chain's */
	char station[WP_NAME_MAX];        /* who signed its head */
	uint64_t before, head;            /* the central copy's head before, and now */
	bool unchanged;                   /* already there: nothing written */
};
/* Into the organisation's PostgreSQL ledger, in one transaction holding
 * the chain's head lock: the head signed by a station key certified by ca,
 * the events as the verifier checks them, and the station's head only
 * forward (a truncated or rewritten station ledger is WP_CUSTODY_BROKEN,
 * named). The same push again is 0 with unchanged set. */
int wp_segment_import(struct wp_ledger *central, const char *text, size_t len, X509 *ca,
		      struct wp_import_result *out, char *err, size_t errlen);

/* ---- a station's queue: the server gone mid-wipe (segment.c, issue 18) ----
 * A station appending to a PostgreSQL ledger keeps a local SQLite copy of
 * the online chain (its queue): the rows the server holds, copied as they
 * are, so it verifies like any ledger. While the server cannot be reached
 * the station appends to the queue instead, chained on the copy's head;
 * when the server is back the queued rows are pushed to the online chain
 * as they are (custody/README.md, When the server is gone). */
/* The connection to the database server was lost (a PostgreSQL handle
 * whose last statement failed for that reason); false for SQLite. */
bool wp_ledger_offline(const struct wp_ledger *ledger);
/* Connect again after a loss; 0 when the server answers. */
int wp_ledger_reconnect(struct wp_ledger *ledger, char *err, size_t errlen);
/* Bring QUEUE up to CENTRAL's online chain: copy the rows it lacks. When
 * the queue holds events the server does not (queued, not yet pushed),
 * nothing is copied and *pending says how many; a queue whose events
 * are not a continuation of the server's chain is WP_CUSTODY_REFUSED,
 * named. */
int wp_queue_sync(struct wp_ledger *central, struct wp_ledger *queue, uint64_t *pending,
		  char *err, size_t errlen);
/* At the loss of CENTRAL's connection, while appending KIND for ASSET:
 * put into QUEUE, exactly as sealed, the rows CENTRAL appended since the
 * queue last followed it (committed, but the copy could not follow) and
 * the row whose COMMIT the loss cut off (it may be on the server). The
 * queue then continues whatever chain the server holds. *recorded: the
 * failing append's own event is now in the queue (do not append it
 * again). KIND and RECORDED NULL: the cut-off row is not taken (the
 * caller records its event anew). Rows that do not continue the queue are
 * left out (the push will name the fork). */
int wp_queue_take_over(struct wp_ledger *queue, struct wp_ledger *central, const char *kind,
		       const char *asset, bool *recorded, char *err, size_t errlen);
/* Push the queued events: under the online chain's head lock, the server's
 * head must be an event of the queue (else refused: another station
 * appended while this one was cut off), the rows after it are inserted as
 * they are and the online chain verified (against ca, anchored at the
 * queue's head) before COMMIT. Again: 0 with unchanged set. */
int wp_queue_push(struct wp_ledger *queue, struct wp_ledger *central, X509 *ca,
		  struct wp_import_result *out, char *err, size_t errlen);

/* ---- resumable jobs ------------------------------------------------------ */

/*
 * The jobs table holds where each overwrite of an asset stands, so that a
 * wipe cut off by a crash or power loss can continue (`wipeproof resume`).
 * It is mutable state, not evidence: it is outside the hash chain, and the
 * chain records only what happened (wipe-start, wipe-end interrupted,
 * wipe-resume). Every write is its own synchronous=FULL transaction, so a
 * checkpoint that returned survives power loss.
 *
 * keys holds the random passes' AES keys as hex, comma separated, one
 * field per pass ("" for a constant pattern): without them the keystream
 * of a half-written pass cannot be regenerated. They are the same keys the
 * job report publishes for verification; they say nothing about the data
 * that was overwritten.
 */
#define WP_JOB_RUNNING "running"
#define WP_JOB_INTERRUPTED "interrupted"
#define WP_JOB_DONE "done"
#define WP_JOB_SUPERSEDED "superseded"

struct wp_ledger_job {
	char job_id[64];
	char asset[WP_ASSET_MAX];
	char device[64];            /* the path it had; may change between boots */
	char serial[128];
	char model[128];
	uint64_t size_bytes;
	unsigned sector_size;
	char method[32];
	char verify_mode[8];        /* off, sample, full */
	unsigned passes;
	unsigned pass;              /* 1-based pass the checkpoint is in */
	uint64_t offset;            /* bytes of that pass written and flushed */
	char keys[400];
	char state[16];             /* WP_JOB_* */
	long owner_pid;             /* the process writing it while running */
	char started[WP_TIME_MAX];
	char updated[WP_TIME_MAX];
	char report[4096];          /* report path of the first run ("" if none) */
	char interruptions[4096];   /* JSON array of {at, pass, offset, cause} */
};

/* Insert a new job as running (updated = now). Any other running or
 * interrupted job of the same asset becomes superseded: a new wipe makes
 * the old one pointless to resume. */
int wp_ledger_job_begin(struct wp_ledger *ledger, const struct wp_ledger_job *job,
			char *err, size_t errlen);
/* Record that PASS has OFFSET bytes written and flushed; keys as above. */
int wp_ledger_job_checkpoint(struct wp_ledger *ledger, const char *job_id, unsigned pass,
			     uint64_t offset, const char *keys, char *err, size_t errlen);
/* Rewrite state, owner_pid and interruptions of a job. */
int wp_ledger_job_set_state(struct wp_ledger *ledger, const char *job_id, const char *state,
			    long owner_pid, const char *interruptions, char *err, size_t errlen);
/* 0 and *out filled; 1 when there is no such job; or an error. */
int wp_ledger_job_get(struct wp_ledger *ledger, const char *job_id, struct wp_ledger_job *out,
		      char *err, size_t errlen);
/* Every job in start order; fn returning non-zero stops and is returned.
 * A ledger from before the jobs table has none. */
typedef int (*wp_ledger_job_fn)(const struct wp_ledger_job *job, void *ctx);
int wp_ledger_job_each(struct wp_ledger *ledger, wp_ledger_job_fn fn, void *ctx,
		       char *err, size_t errlen);

/* ---- export -------------------------------------------------------------- */

struct wp_export_filter {
	const char *owner;          /* NULL: every owner */
	const char *since;          /* "YYYY-MM-DD" (UTC), NULL: from the start */
	const char *until;          /* "YYYY-MM-DD" (UTC), that day included; NULL: to the end */
	/* a pushed station's name (its key's CN), or "online" for the events
	 * appended on the server itself; NULL: every station */
	const char *station;
};

/* CSV for a 台帳: UTF-8 with BOM, CRLF, RFC 4180 quoting, one row per event
 * with date, operator name and title, asset, serial, model, owner, event,
 * result, approver, witness, details, seq, hash. */
int wp_custody_export_csv(struct wp_ledger *ledger, const struct wp_export_filter *filter,
			  FILE *out, char *err, size_t errlen);
/* {"events": [...]} with wp_event_to_json objects plus "serial" and "owner". */
int wp_custody_export_json(struct wp_ledger *ledger, const struct wp_export_filter *filter,
			   json_t **out, char *err, size_t errlen);

#endif
