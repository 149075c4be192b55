/*
 * The usage texts, beside the option table (options.c) whose rows print
 * them: marked N_() for xgettext and translated where printed, so
 * po/ja.po has every page. (freespace, resume and watch keep theirs next
 * to their options until station/ has taken their bodies.)
 */
#include "cli.h"
#include "custody_cli.h"
#include "i18n.h"

#include <string.h>

/* ---- list, plan, wipe, verify, demo, and the main page ----------------- */

/* marked for xgettext; translated where printed */
static const char *const usage_main = N_(
	"Usage: wipeproof COMMAND [OPTIONS]\n"
	"\n"
	"Erase disks unrecoverably, verify the erasure, and report it.\n"
	"\n"
	"Commands:\n"
	"  list [--json]              show disks, their identity, and why a disk is protected\n"
	"  plan DEV [--level L]       the method wipe would use, and the NIST level it reaches\n"
	"  wipe DEV... [OPTIONS]      erase whole disks and verify them (root)\n"
	"  verify DEV --report FILE   re-check that a wiped disk still holds the wipe pattern\n"
	"  demo                       the whole job on a throw-away file-backed disk (root)\n"
	"  keys init-ca|issue|list    the organisation's CA and people's signing keys\n"
	"  custody SUB-COMMAND        the signed custody ledger: intake, request, approve,\n"
	"                             destroy, transfer, release, note, log, show, export,\n"
	"                             verify, head (see 'wipeproof help custody')\n"
	"  cert SUB-COMMAND           certificates of sanitization: issue, show, render,\n"
	"                             verify (see 'wipeproof help cert')\n"
	"  watch [OPTIONS]            station mode: report hot-plugged disks, take them in,\n"
	"                             wipe them as the station policy allows (root)\n"
	"  freespace MOUNTPOINT       wipe and verify the free space of a mounted\n"
	"                             filesystem (root)\n"
	"  resume [JOB] [--list]      continue a wipe cut off by a crash, power loss or\n"
	"                             signal from its last checkpoint (root)\n"
	"  config show [--json]       the station settings in effect and where each\n"
	"                             comes from (/etc/wipeproof/config)\n"
	"  help [COMMAND]             this text, or a command's options\n"
	"  version [--json]           the version, the git commit it was built from and the\n"
	"                             SHA-256 of this executable\n");

static const char *const usage_exit = N_(
	"\n"
	"Exit status:\n"
	"  0  success (wipe: sanitized, or unverified when --verify off was asked)\n"
	"  1  failed: an I/O error or another run-time failure; the report says where\n"
	"  2  usage: bad option, unknown method, or a path that is not a whole disk\n"
	"  3  refused: protected disk, serial not confirmed, or a method or --level\n"
	"     the disk cannot do\n"
	"  4  verification mismatch: the disk does not hold the wipe pattern\n"
	"  5  interrupted by SIGINT/SIGTERM; the report says where it stopped\n");

static const char *const usage_list = N_(
	"Usage: wipeproof list [--json]\n"
	"\n"
	"Lists whole disks (including attached loop devices) with kind, transport,\n"
	"model, serial, size, partitions and filesystems. Disks wipeproof will not\n"
	"touch are marked PROTECTED with the reason (mounted, swap, holds the\n"
	"running system, holders, read-only, write-once optical).\n"
	"\n"
	"  --json    print {\"devices\":[...]} instead of a table\n");

/* xgettext:no-c-format */
static const char *const usage_wipe = N_(
	"Usage: wipeproof wipe DEV... [--method M] [--verify full|sample|off]\n"
	"                      [--confirm-serial SERIAL]... [--report FILE]... [--json]\n"
	"\n"
	"Overwrites each whole disk DEV, flushes it, and reads it back. Several\n"
	"disks are wiped at once, each on its own; every disk is checked and\n"
	"confirmed before any is written, and one refusal refuses them all.\n"
	"The operator confirms each disk by typing its serial number at the\n"
	"prompt, or passes them with --confirm-serial (required when not on a\n"
	"terminal).\n"
	"\n"
	"  --method M            zero | ones | random | random-zero | zero-ones | dod3, or a\n"
	"                        firmware method (see 'help plan'); default: what 'plan'\n"
	"                        picks (zero-ones for USB sticks and SD cards)\n"
	"  --level L             clear | purge: refuse (exit 3) when the method cannot\n"
	"                        reach that NIST SP 800-88 level on the disk\n"
	"  --remove-hpa          ATA: restore the native max address (until power-off)\n"
	"                        so the wipe covers a Host Protected Area too\n"
	"  --verify MODE         full (default): read every block back;\n"
	"                        sample: a seeded >=10% sample incl. first/last MiB;\n"
	"                        off: no read-back (result 'unverified')\n"
	"  --confirm-serial S    the disk's serial, as 'wipeproof list' shows it;\n"
	"                        once per DEV, in the same order\n"
	"  --report FILE         write the JSON job report to FILE; once per DEV\n"
	"  --report-dir DIR      write each report to DIR/SERIAL-JOBID.json\n"
	"                        (default: /var/lib/wipeproof/reports, config key\n"
	"                        'reports' or WIPEPROOF_REPORTS; the summary names it)\n"
	"  --no-report           keep no job report (a later 'verify' needs one)\n"
	"  --asset TAG           record the wipe in the custody ledger for asset TAG\n"
	"                        (once per DEV); needs --as PERSON, see 'help custody'\n"
	"  --as PERSON           who records it (name or key fingerprint prefix)\n"
	"  --ledger PATH         custody ledger (default /var/lib/wipeproof/ledger.db)\n"
	"  --keys DIR            key store (default /etc/wipeproof/keys)\n"
	"  --passphrase-file F   passphrase of PERSON's key\n"
	"  --json                progress as JSON lines, then one report per disk, on stdout\n"
	"  --force-holders       allow a disk used by LVM/md/dm-crypt (never the system disk)\n"
	"  --chunk SIZE          I/O size, e.g. 4M (default 4M)\n"
	"  --queue-depth N       buffers per disk, 1-16 (default 4; chunk x N <= 64M)\n"
	"\n"
	"With several disks the exit status is the worst disk's: 4, then 1, then 5.\n");

static const char *const usage_verify = N_(
	"Usage: wipeproof verify DEV --report FILE [--verify full|sample] [--json]\n"
	"\n"
	"Re-reads DEV and checks it still holds exactly the final pass of the wipe\n"
	"described by the job report FILE (random passes are regenerated from the\n"
	"key in the report). The device's serial and size must match the report.\n"
	"\n"
	"  --verify MODE   full (default) or sample (the report's seed, if any)\n"
	"  --chunk SIZE, --queue-depth N   as for wipe\n"
	"  --json          print the result as JSON\n");

static const char *const usage_plan = N_(
	"Usage: wipeproof plan DEV [--level clear|purge] [--method M] [--confidentiality CLASS]\n"
	"                      [--json]\n"
	"\n"
	"Shows the method 'wipe' would use on the whole disk DEV, the NIST SP 800-88\n"
	"category it reaches (Clear, Purge; Destroy is advice) and why, which\n"
	"firmware erase methods the disk supports and why the others are not\n"
	"possible, and hidden areas (ATA HPA/DCO, other NVMe namespaces). Asking\n"
	"the disk sends only read-only identify commands, and none at all to loop,\n"
	"virtual or USB-bridged disks. Without --level the plan is Purge where the\n"
	"disk can do it, else Clear.\n"
	"\n"
	"  --level L   clear: an overwrite (verifiable, Clear); purge: a firmware\n"
	"              Purge method, or exit 3 saying why none is possible\n"
	"  --method M  check M instead of choosing: possible here, and which level\n"
	"  --json      print the plan as JSON\n"
	"  --confidentiality CLASS[,CLASS]   refuse a plan below the class's minimum NIST\n"
	"              level, under the classes of the ledger's policy (--ledger, else the\n"
	"              configured ledger; without one the default classes: 機密性3 and 極秘\n"
	"              need Purge; custody/README.md)\n"
	"\n"
	"Firmware methods: ata-secure-erase, ata-secure-erase-enhanced,\n"
	"ata-sanitize-crypto|block|overwrite, nvme-format-user, nvme-format-crypto,\n"
	"nvme-sanitize-crypto|block|overwrite, scsi-sanitize-crypto|block|overwrite,\n"
	"secure-discard; optical-blank-full|fast, optical-overwrite (a disc: no category,\n"
	"custody blanked --device). Every one is checked on the medium afterwards: a success\n"
	"status alone never makes a wipe 'sanitized'.\n");

static const char *const usage_demo = N_(
	"Usage: wipeproof demo [--size-mib N]\n"
	"\n"
	"Runs the whole job on a throw-away virtual disk: creates a file, attaches\n"
	"it to a loop device, fills it with sample confidential data, lists disks,\n"
	"wipes it with 'random' and full verification, shows that no sample data\n"
	"remains, prints the job report, re-verifies, then detaches and removes\n"
	"everything (also on failure). Needs root for the loop device.\n"
	"\n"
	"  --size-mib N   size of the virtual disk in MiB (default 64)\n");

void wp_usage(FILE *out, const char *topic)
{
	const char *text = _(usage_main);
	if (topic && strcmp(topic, "list") == 0)
		text = _(usage_list);
	else if (topic && strcmp(topic, "wipe") == 0)
		text = _(usage_wipe);
	else if (topic && strcmp(topic, "verify") == 0)
		text = _(usage_verify);
	else if (topic && strcmp(topic, "plan") == 0)
		text = _(usage_plan);
	else if (topic && strcmp(topic, "demo") == 0)
		text = _(usage_demo);
	fputs(text, out);
	fputs(_(usage_exit), out);
	fputs(_("\nSee README.md and wipeproof(8) for the whole workflow.\n"), out);
}

/* ---- keys, cert, custody --------------------------------------------------- */

/* marked for xgettext; translated where printed */
static const char *const usage_keys = N_(
	"Usage: wipeproof keys init-ca --org NAME [--days N] [--passphrase-file F | --no-passphrase]\n"
	"       wipeproof keys issue --name NAME --title TITLE --role ROLE [--id ID] [--days N]\n"
	"                            [--passphrase-file F | --no-passphrase] [--ca-passphrase-file F]\n"
	"       wipeproof keys list [--json]\n"
	"       wipeproof keys export-trust [--output FILE] [--html FILE]\n"
	"       wipeproof keys revoke PERSON --reason REASON [--date DATE] [--ca-passphrase-file F]\n"
	"\n"
	"The organisation's CA and the people who sign custody events. ECDSA P-256\n"
	"keys; X.509 certificates whose subject holds the person's name, title and\n"
	"role. Private keys are written 0600 and refused when others can read them.\n"
	"\n"
	"  --keys DIR               key store (default $WIPEPROOF_KEYS, else /etc/wipeproof/keys)\n"
	"  --org NAME               organisation (init-ca)\n"
	"  --name, --title          the person, UTF-8 (e.g. \"山田 太郎\", \"情報システム課長\")\n"
	"  --role ROLE              operator | approver | witness | auditor | station\n"
	"  --id ID                  the person's stable id (employee number), kept in the\n"
	"                           certificate (serialNumber); the same id renews or promotes\n"
	"                           the same person (default: a new random id)\n"
	"  --days N                 validity (CA: 7300, person: 1825)\n"
	"  --passphrase-file F      encrypt the new key with the first line of F;\n"
	"                           without it a terminal asks (an empty answer is refused)\n"
	"  --no-passphrase          store the new key unencrypted (0600) without asking\n"
	"  --ca-passphrase-file F   passphrase of an encrypted CA key (issue, revoke)\n"
	"  --reason REASON          revoke: affiliation-changed (left), key-compromise,\n"
	"                           superseded, cessation-of-operation or unspecified\n"
	"  --date DATE              revoke: signatures from DATE on are refused\n"
	"                           (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC; default now)\n"
	"  --json                   print the result as JSON\n"
	"  --output FILE            export-trust: write the bundle (CA, then every person's\n"
	"                           certificate, PEM) to FILE instead of stdout\n"
	"  --html FILE              export-trust: also write the auditor's verification page,\n"
	"                           one HTML file that checks QR codes and certificate files\n"
	"                           in any browser, offline, against this CA\n");

/* marked for xgettext; translated where printed */
static const char *const usage_cert = N_(
	"Usage: wipeproof cert issue --asset TAG --as PERSON [--output DIR] [--location L] [--contact C]\n"
	"       wipeproof cert show FILE.json [--json]\n"
	"       wipeproof cert render FILE.json [--output FILE.pdf]\n"
	"       wipeproof cert qr FILE.json\n"
	"       wipeproof cert verify FILE.json [--sig FILE.p7s] [--ca ca.pem] [--ca-fingerprint HEX]\n"
	"                             [--ledger DB]\n"
	"                             [--device DEV [--report FILE]] [--json]\n"
	"       wipeproof cert verify --qr \"TEXT\" --trust BUNDLE.pem [--ca-fingerprint HEX] [--json]\n"
	"       wipeproof cert validate FILE.json --as PERSON [--ledger DB]\n"
	"\n"
	"Certificates of sanitization (データ消去証明書). 'wipe DEV --asset TAG' issues one\n"
	"for every sanitized disk, next to its job report: cert-ID.json (canonical JSON),\n"
	"cert-ID.json.p7s (detached CMS signature, PEM), cert-ID.json.qr (the signed QR\n"
	"text) and cert-ID.pdf. 'cert issue' certifies a destruction recorded in the ledger.\n"
	"\n"
	"  issue     certify the asset's recorded destruction (custody destroy); signed by\n"
	"            --as PERSON (operator or approver); files go to --output DIR\n"
	"            (default: the reports folder next to the ledger)\n"
	"  show      print the certificate's fields\n"
	"  render    draw the PDF again (needs FILE.json.qr next to FILE.json)\n"
	"  qr        draw the QR code of FILE.json.qr in the terminal (Unicode half\n"
	"            blocks, light on dark: the boot stick's last screen)\n"
	"  verify    as an auditor: no root, no private key. Checks the signature chains to\n"
	"            the CA, the signer was an operator or approver and valid on the signing\n"
	"            date, the document is canonical and complete; with --ledger that the\n"
	"            ledger verifies, holds its certificate event and the head it names;\n"
	"            with --device that the disk still holds the wipe pattern (the job\n"
	"            report from the certificate, or --report FILE). --qr checks a scanned\n"
	"            QR code against a trust bundle ('keys export-trust'). A two-person\n"
	"            certificate is VALID only with its validator's second signature.\n"
	"  validate  as the validator (an approver or witness, not the issuer): check the\n"
	"            certificate and the ledger as verify does, then add the second\n"
	"            signature, FILE.json.validator.p7s\n"
	"\n"
	"  --sig FILE      signature (default FILE.json.p7s)\n"
	"  --ca FILE       CA certificate (default ca.pem of --keys / $WIPEPROOF_KEYS)\n"
	"  --ca-fingerprint HEX   the SHA-256 of the CA certificate you trust (64 hex\n"
	"                  digits, as every verdict prints it): any other CA is INVALID,\n"
	"                  even one with the same names\n"
	"  --crl FILE      the CA's revocation list (default crl.pem beside the CA)\n"
	"  --location L, --contact C   where the people were and how to reach them\n"
	"                  (default $WIPEPROOF_LOCATION / $WIPEPROOF_CONTACT, else the\n"
	"                  intake location or host, and the organisation)\n"
	"\n"
	"Exit status: 0 done (verify: VALID); 1 failed; 2 usage; 3 refused (nothing to\n"
	"certify); 4 INVALID (verify prints the reason).\n"
	"See certs/README.md for the document, signature and QR formats.\n");

/* marked for xgettext; translated where printed */
static const char *const usage_custody = N_(
	"Usage: wipeproof custody SUB-COMMAND [OPTIONS]\n"
	"\n"
	"Recording (signed with --as PERSON's key; name or fingerprint prefix, or $WIPEPROOF_AS):\n"
	"  init [--no-approval-required|--approval-required|--policy FILE|default]\n"
	"                           ledger policy (approver); --policy: the table of classes,\n"
	"                           minimum NIST levels and approvals (custody/README.md)\n"
	"  intake --asset TAG (--device DEV | --serial S --model M) [--owner O] [--location L]\n"
	"         [--manager M] [--lease-contract C] [--lease-end YYYY-MM-DD]\n"
	"         [--pc-manufacturer M --pc-model M --pc-serial S]  (the PC the disk was in)\n"
	"         [--reason lease-end|leaver-return|reuse|repair|disposal] [--comment C]\n"
	"         [--confidentiality CLASS[,CLASS...]] [--kind usb|sd|hdd|ssd|nvme|pc|mfp|phone|...]\n"
	"                           mixed media: the highest class given is recorded\n"
	"  request --asset TAG [--reason R] [--comment C]\n"
	"  approve --asset TAG [--for wipe,destroy,transfer,release] [--valid-days N]\n"
	"          [--comment C]     (approver, not the requester; default --for wipe,release\n"
	"                            --valid-days 30: what it allows, and until when)\n"
	"  destroy --asset TAG --method shred|crush|degauss|drill|... --witness PERSON\n"
	"          [--witness-passphrase-file F | --witness-tty /dev/pts/N] [--photo FILE]\n"
	"          [--comment C]   --witness-tty: the witness reads what they sign and types\n"
	"                          their passphrase on their own terminal ('tty' there)\n"
	"  transfer --asset TAG --vendor NAME [--vendor-cert FILE] [--comment C]\n"
	"  release --asset TAG --to dispose|lease-return|reuse|repair [--comment C]\n"
	"  note --asset TAG --text TEXT\n"
	"  intake ... [--introduced YYYY-MM-DD] [--maker M] [--seller S] [--use U]\n"
	"         [--warranty W] [--media CD-R|CD-RW|DVD-R|...]   Co-Std Art.5 fields; with\n"
	"                          --device the maker and disc come from the disk itself\n"
	"  release --asset TAG --to repair --agreement FILE --repairer NAME\n"
	"                          not erased before repair: the confidentiality agreement\n"
	"                          (kept beside the ledger); intake TAG again on return\n"
	"  take-out --asset TAG --destination D --purpose P --permitted-by HEAD\n"
	"           [--permitted-on YYYY-MM-DD] [--due-back YYYY-MM-DD]   持出 (R19)\n"
	"  return --asset TAG [--device DEV]     返却: the same disk back\n"
	"  blanked --asset TAG [--method full] [--tool T]   a rewritable disc blanked\n"
	"                          with the drive's tool, for reuse (R12)\n"
	"  blanked --asset TAG --device /dev/srN   wipeproof blanks it (MMC BLANK; DVD+RW,\n"
	"                          BD-RE: every block overwritten and read back) and records\n"
	"  show --open [--owner X] [--json]      assets not yet released, by owner (R14)\n"
	"  stocktake [--json] [--record --as P]  assets on record against the disks\n"
	"                                        attached now, by serial (R15)\n"
	"  vendor-destroyed --asset TAG --vendor-cert FILE --date YYYY-MM-DD --method M\n"
	"          --received-by NAME [--vendor NAME] [--comment C]\n"
	"                           the vendor it was handed to destroyed it; FILE is kept\n"
	"                           next to the ledger (vendor-certs/)\n"
	"  attest-erasure --asset TAG --evidence FILE --method M --by self|maker|lease-company|vendor\n"
	"          --category clear|unknown --witness PERSON [--erased-by NAME] [--date D]\n"
	"                           the device or its maker erased it (MFP, phone, lease)\n"
	"\n"
	"Reading (no private key, no root; log, show and export print only what\n"
	"verifies against the CA, and refuse a ledger that does not):\n"
	"  log [--asset TAG] [--json]            every event, in order\n"
	"  show TAG [--json]                     an asset's state and history\n"
	"  export --format csv|json [--owner X] [--since YYYY-MM-DD] [--output FILE]\n"
	"                                        CSV: UTF-8 with BOM, for Excel\n"
	"  verify [--anchor HASH@SEQ|FILE] [--ca FILE] [--crl FILE] [--ca-fingerprint HEX]\n"
	"         [--json]\n"
	"                                        check every hash, signature, role and rule;\n"
	"                                        FILE: a signed head (a cut tail is found)\n"
	"  head [--json]                         HASH@SEQ of the last event (and the ledger id)\n"
	"  head --sign --as PERSON [--output FILE]\n"
	"                                        the head signed by PERSON: keep it elsewhere\n"
	"\n"
	"  --ledger PATH            ledger (default $WIPEPROOF_LEDGER, else /var/lib/wipeproof/ledger.db)\n"
	"  --keys DIR               key store (default $WIPEPROOF_KEYS, else /etc/wipeproof/keys)\n"
	"  --passphrase-file F      passphrase of --as PERSON's key, if encrypted\n"
	"  --ca FILE                CA certificate for verify, log, show, export\n"
	"                           (default DIR/ca.pem of --keys)\n"
	"  --crl FILE               the CA's revocation list (default crl.pem beside the CA)\n"
	"\n"
	"Exit status: 0 done (verify: the ledger verifies); 1 failed; 2 usage;\n"
	"3 refused by a custody rule or role; 4 the ledger does not verify.\n"
	"See custody/README.md for the rules, roles and the hash definition.\n");

void wp_keys_usage(FILE *out)
{
	fputs(_(usage_keys), out);
	fputs(_("\nExit status: 0 done; 1 failed; 2 usage.\n"), out);
}

void wp_cert_usage(FILE *out)
{
	fputs(_(usage_cert), out);
}

void wp_custody_usage(FILE *out, const char *sub)
{
	(void)sub; /* one page: the sub-commands share most options */
	fputs(_(usage_custody), out);
}
