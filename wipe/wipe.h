/*
 * wipe/ — overwrite methods, pattern generation, the overwrite engine and
 * the job report.
 *
 * A pass writes one pattern over the whole device. Random passes use an
 * AES-256-CTR keystream under a fresh key: the stream at any byte offset can
 * be regenerated from (key, offset), which is what makes a random pass
 * verifiable, now and months later from the job report. The key reveals
 * nothing about the data that was overwritten.
 *
 * The job report (struct wp_job) is the seam for later stages: the custody
 * ledger records its digest and the certificate is built from it.
 *
 * Errors: 0 on success, -1 on failure with a one-line message in the
 * caller's buffer. Nothing here prints or exits.
 */
#ifndef WP_WIPE_H
#define WP_WIPE_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define WP_KEY_BYTES 32
#define WP_MAX_PASSES 3
#define WP_MAX_BAD_OFFSETS 8

/* ---- patterns ---------------------------------------------------------- */

enum wp_pattern {
	WP_PATTERN_ZERO,
	WP_PATTERN_ONES,
	WP_PATTERN_RANDOM,
};

struct wp_pass_spec {
	enum wp_pattern pattern;
	uint8_t key[WP_KEY_BYTES]; /* random passes only; zero otherwise */
};

/* The longest repeating byte sequence a fixed pattern may have. */
#define WP_FIXED_MAX 16

/* A generator of one pass's content; one per thread (holds cipher state). */
struct wp_patgen {
	struct wp_pass_spec spec;
	void *cipher; /* EVP_CIPHER_CTX, random passes only */
	/* any other pass: byte i of this sequence at device offsets ≡ i mod fixed_len */
	uint8_t fixed[WP_FIXED_MAX];
	size_t fixed_len;
};

/* What a comparison found: the logical blocks that differ from the pass
 * content, and the device offset of the first differing byte of each of
 * the first WP_MAX_BAD_OFFSETS of them, in device order. */
struct wp_mismatch {
	uint64_t blocks;
	size_t n;
	uint64_t offsets[WP_MAX_BAD_OFFSETS];
};

const char *wp_pattern_name(enum wp_pattern pattern);
int wp_pattern_parse(const char *name, enum wp_pattern *out);

/* A random pass's key from the LEN hex digits at HEX (a report's "key",
 * one entry of the jobs table's keys); -1 unless exactly 2*WP_KEY_BYTES. */
int wp_key_from_hex(const char *hex, size_t len, uint8_t key[WP_KEY_BYTES]);

/* A new pass of the given pattern; random passes get a key from getrandom(). */
int wp_pass_spec_new(struct wp_pass_spec *spec, enum wp_pattern pattern,
		     char *err, size_t errlen);

int wp_patgen_init(struct wp_patgen *gen, const struct wp_pass_spec *spec,
		   char *err, size_t errlen);
/* Fill buf with the pass content for device bytes [offset, offset+len).
 * Any offset and length; the result never depends on how a range is split. */
int wp_patgen_fill(struct wp_patgen *gen, uint64_t offset, void *buf,
		   size_t len, char *err, size_t errlen);
/* XOR buf, device bytes [offset, offset+len), with the pass content: what
 * holds the pattern becomes all zero bytes. */
int wp_patgen_xor(struct wp_patgen *gen, uint64_t offset, void *buf,
		  size_t len, char *err, size_t errlen);
void wp_patgen_free(struct wp_patgen *gen);

/* A generator of a fixed pattern of N (1..WP_FIXED_MAX) repeating bytes,
 * byte i at device offsets ≡ i mod N: what a multi-byte overwrite pattern
 * (0x55 0xAA, 0x92 0x49 0x24, ...) is checked with. */
int wp_patgen_init_bytes(struct wp_patgen *gen, const uint8_t *bytes, size_t n,
			 char *err, size_t errlen);

/*
 * Compare buf, device bytes [offset, offset+len), with the pass content and
 * add what differs to *m, per logical block of BLOCK_SIZE bytes counted from
 * buf. A keystream is XORed into buf in place (buf is clobbered: a matching
 * range becomes zeros, tested a vector at a time); a fixed pattern is
 * compared without being written out. Blocks are located only in a 64 KiB
 * piece that differs somewhere, so a clean device costs one keystream and
 * one read of every byte.
 */
int wp_patgen_compare(struct wp_patgen *gen, uint64_t offset, void *buf, size_t len,
		      unsigned block_size, struct wp_mismatch *m, char *err, size_t errlen);

/* Index of the first non-zero byte of buf, or len when all are zero. */
size_t wp_first_nonzero(const void *buf, size_t len);

/* ---- methods ----------------------------------------------------------- */

/* Firmware methods: the device erases itself (firmware.h runs them). An
 * overwrite method is WP_FW_NONE. */
enum wp_fw_method {
	WP_FW_NONE = 0,
	WP_FW_ATA_SECURE_ERASE,
	WP_FW_ATA_SECURE_ERASE_ENH,
	WP_FW_ATA_SANITIZE_CRYPTO,
	WP_FW_ATA_SANITIZE_BLOCK,
	WP_FW_ATA_SANITIZE_OVERWRITE,
	WP_FW_NVME_FORMAT_USER,
	WP_FW_NVME_FORMAT_CRYPTO,
	WP_FW_NVME_SANITIZE_CRYPTO,
	WP_FW_NVME_SANITIZE_BLOCK,
	WP_FW_NVME_SANITIZE_OVERWRITE,
	WP_FW_SCSI_SANITIZE_CRYPTO,
	WP_FW_SCSI_SANITIZE_BLOCK,
	WP_FW_SCSI_SANITIZE_OVERWRITE,
	WP_FW_SECURE_DISCARD,
	/* a rewritable optical disc (fw_optical.c): MMC BLANK, or the
	 * overwrite of every user block where MMC has no BLANK */
	WP_FW_OPTICAL_BLANK_FULL,
	WP_FW_OPTICAL_BLANK_FAST,
	WP_FW_OPTICAL_OVERWRITE,
	WP_FW_COUNT
};

struct wp_method {
	const char *name;        /* "random" */
	const char *description; /* one line for --help and list */
	size_t npasses;          /* 0 for a firmware method */
	enum wp_pattern passes[WP_MAX_PASSES];
	enum wp_fw_method firmware; /* WP_FW_NONE for an overwrite */
};

/* NULL when unknown; finds overwrite and firmware methods. Formatting is
 * never a method (REQUIREMENTS R1): nvme-format-* are cryptographic or
 * user-data erase commands whose result is verified, not a file system
 * format. */
const struct wp_method *wp_method_find(const char *name);
/* Iterate the overwrite methods: index 0.. until NULL. */
const struct wp_method *wp_method_at(size_t index);
/* Iterate the firmware methods: index 0.. until NULL. */
const struct wp_method *wp_fw_method_at(size_t index);
/* The method of a firmware id; NULL for WP_FW_NONE. */
const struct wp_method *wp_fw_method(enum wp_fw_method id);
/* "zero, ones, random, random-zero, dod3" for error messages. */
void wp_method_names(char *buf, size_t len);
/* "ata-secure-erase, ..., secure-discard". */
void wp_fw_method_names(char *buf, size_t len);

/* ---- job report -------------------------------------------------------- */

/* Logical blocks [first_lba, first_lba + count) of the device. */
struct wp_bad_range {
	uint64_t first_lba;
	uint64_t count;
};

/* Medium errors met while writing (wipe/badblocks.c): the blocks that
 * could not be written even after retries, merged into ranges. A device
 * with any is not sanitized; the recommendation is to destroy it. */
#define WP_MAX_BAD_RANGES 256
struct wp_badblock_record {
	size_t n_ranges;
	struct wp_bad_range ranges[WP_MAX_BAD_RANGES];
	uint64_t bad_blocks;      /* sum of the ranges' counts */
	uint64_t retries;         /* block writes tried again */
	uint64_t recovered_blocks; /* written on a retry */
	bool gave_up;             /* WP_MAX_BAD_RANGES reached: the pass stopped */
};

/* job->cause when the device disappeared under the wipe (unplugged). */
#define WP_CAUSE_DEVICE_REMOVED "device-removed"

enum wp_result {
	WP_RESULT_SANITIZED,   /* every pass written and the final one verified */
	WP_RESULT_FAILED,      /* an I/O error or a verification mismatch */
	WP_RESULT_INTERRUPTED, /* stopped by a signal before the end */
	WP_RESULT_UNVERIFIED,  /* written completely, verification off */
	/* free-space job only: all written read back, but scope.unreached_bytes
	 * of free space the filesystem would not hand out were not reached */
	WP_RESULT_PARTIAL,
};

enum wp_verify_mode {
	WP_VERIFY_OFF,
	WP_VERIFY_SAMPLE,
	WP_VERIFY_FULL,
};

struct wp_job_device {
	char path[64];
	char model[128];
	char serial[128];
	char kind[16];
	char transport[16];
	uint64_t size_bytes;
	unsigned logical_block_size;
};

struct wp_pass_record {
	struct wp_pass_spec spec;
	uint64_t bytes_written;
	double seconds;
	bool complete;
};

struct wp_verify_record {
	enum wp_verify_mode mode;
	uint64_t seed;            /* sample selection seed */
	uint64_t bytes_checked;
	double coverage_percent;  /* of the device, 0..100 */
	uint64_t mismatched_blocks; /* logical blocks that differ */
	size_t n_bad;
	uint64_t bad_offsets[WP_MAX_BAD_OFFSETS]; /* first differing bytes */
	double seconds;
	bool complete;            /* every planned byte was read */
	uint64_t unreadable_blocks; /* read errors that survived the retries */
	size_t n_unreadable;
	struct wp_bad_range unreadable[WP_MAX_BAD_OFFSETS]; /* the first ranges */
	uint64_t retries;         /* block reads tried again (badblocks.c) */
	uint64_t recovered_blocks; /* read on a retry */
	bool device_removed;      /* the device vanished during the read-back */
};

/* Where a job stopped early: the pass (1-based) and the device offset. */
struct wp_stop_point {
	bool set;
	char phase[8];            /* "write" or "verify" */
	size_t pass;
	uint64_t offset;
};

/* What a firmware method did; `used` is false for an overwrite. */
struct wp_firmware_record {
	bool used;
	char command[96];         /* "NVMe Sanitize, crypto erase, no-deallocate" */
	char expected[16];        /* what the medium holds after: "zeros", "unknown" */
	char status[256];         /* the device's answer, decoded */
	double seconds;
};

/* Pre/post fingerprint of a seeded sample of blocks around a firmware
 * erase: a command's success status proves nothing, the medium must have
 * changed. A block counts as changed when its hash differs; a block that
 * already held the expected content ("zeros") before is counted apart,
 * because it had nothing to lose. */
struct wp_fingerprint_record {
	bool done;
	uint64_t seed;
	uint64_t blocks;          /* logical blocks fingerprinted */
	uint64_t changed;
	uint64_t unchanged;       /* neither changed nor already expected */
	uint64_t already_expected;
	size_t n_bad;
	uint64_t bad_offsets[WP_MAX_BAD_OFFSETS]; /* first unchanged blocks */
	bool passed;
};

/* Areas a drive hides from the kernel (ATA HPA/DCO) and other NVMe
 * namespaces of the same controller. */
struct wp_hidden_record {
	bool checked;             /* the drive answered the queries */
	bool hpa;                 /* Host Protected Area present */
	bool dco;                 /* Device Configuration Overlay shrinks it */
	bool hpa_removed;         /* --remove-hpa restored the native max */
	bool native_covered;      /* the wipe reached the whole native capacity */
	uint64_t reported_bytes;  /* what the kernel sees */
	uint64_t native_bytes;    /* the largest of native max and DCO max */
	unsigned other_namespaces;
	char note[256];
};

/* What a job covered when it was not the whole device: the free space of
 * a mounted filesystem (wipeproof freespace). kind is "" for a device. */
#define WP_SCOPE_FREE_SPACE "free-space"
struct wp_scope_record {
	char kind[16];
	char fstype[64];
	char mountpoint[512];
	char source[512];         /* the block device the filesystem is on */
	uint64_t fs_bytes;        /* size of the filesystem */
	uint64_t free_bytes;      /* free when the fill began */
	uint64_t free_left_bytes; /* kept back by the filesystem when full */
	uint64_t unreached_bytes; /* free when full: not overwritten (issue 15) */
	char unreached_source[16]; /* how that was measured: GETFSMAP, statfs */
	bool has_unreached;       /* false in reports made before it was measured */
	char reserve[160];        /* the pool lowered to 0 for the fill, or "" */
	uint64_t reserve_bytes;
	unsigned files;
};

/* A run of the job that stopped before the end and was resumed later. */
#define WP_MAX_INTERRUPTIONS 8
struct wp_interruption {
	char at[24];              /* UTC of the last checkpoint before it stopped */
	size_t pass;              /* 1-based pass that was running */
	uint64_t offset;          /* bytes of that pass written and flushed */
	char cause[16];           /* "signal", "crash" or WP_CAUSE_DEVICE_REMOVED */
};

/* Which build made a record (wipe/build.c): version, git commit, and the
 * SHA-256 of the running executable as `sha256sum` prints it. */
#define WP_SHA256_HEX 65
struct wp_build {
	char version[32];
	char commit[48];
	char exe_sha256[WP_SHA256_HEX];
};
int wp_build_identity(struct wp_build *out, char *err, size_t errlen);

struct wp_job {
	char id[40];              /* UUID v4 */
	char nist_category[16];   /* "Clear", "Purge", "Destroy"; "" if not planned */
	char plan_reason[384];    /* why the method reaches that category */
	char nist_source[224];    /* the document, table and row of that category; "" if none */
	struct wp_firmware_record firmware;
	struct wp_fingerprint_record fingerprint;
	struct wp_hidden_record hidden;
	struct wp_job_device device;
	char method[32];
	size_t npasses;
	struct wp_pass_record passes[WP_MAX_PASSES];
	struct wp_verify_record verify;
	enum wp_result result;
	char error[512];          /* why it failed or stopped; "" when sanitized */
	struct wp_stop_point stopped_at;
	time_t started;
	time_t ended;
	char tool_version[32];
	char tool_commit[48];     /* git commit of the build, "-dirty" if edited; "" in old reports */
	char tool_sha256[WP_SHA256_HEX]; /* SHA-256 of the executable; "" in old reports */
	char host[128];
	struct wp_scope_record scope;
	struct wp_badblock_record bad;
	char cause[32];           /* why it stopped, e.g. WP_CAUSE_DEVICE_REMOVED */
	char recommendation[16];  /* "destroy" when blocks stay bad; "" otherwise */
	/* where earlier runs of this job were cut off (wipeproof resume) */
	size_t n_interruptions;
	struct wp_interruption interruptions[WP_MAX_INTERRUPTIONS];
};

/* How wipeproof writes JSON: sorted keys, reals to 6 significant digits
 * (seconds and percentages; every count and size is an integer). */
#define WP_JSON_DUMP_FLAGS (JSON_SORT_KEYS | JSON_REAL_PRECISION(6))

const char *wp_result_name(enum wp_result result);
const char *wp_verify_mode_name(enum wp_verify_mode mode);
int wp_verify_mode_parse(const char *name, enum wp_verify_mode *out);

/* Fresh job: id, start time, host, tool version; device and method empty. */
int wp_job_init(struct wp_job *job, char *err, size_t errlen);

/* A fresh random (version 4) UUID, 36 characters: job and certificate ids. */
#define WP_UUID_LEN 37
int wp_uuid_new(char *out, size_t len, char *err, size_t errlen);

/* The pass whose content the device must hold at the end; NULL if none. */
const struct wp_pass_spec *wp_job_final_pass(const struct wp_job *job);

json_t *wp_job_to_json(const struct wp_job *job);
/* The "verification" member of a report, on its own. */
json_t *wp_verify_record_to_json(const struct wp_verify_record *rec);
int wp_job_from_json(const json_t *root, struct wp_job *job,
		     char *err, size_t errlen);
/* Written to PATH.tmp, fsynced and renamed: never a half report. */
int wp_job_save(const struct wp_job *job, const char *path,
		char *err, size_t errlen);
int wp_job_load(const char *path, struct wp_job *job, char *err, size_t errlen);

/* ---- engine ------------------------------------------------------------ */

/* The device I/O the engine and the verifier do, replaceable so unit tests
 * inject medium errors and a vanishing device without a device. NULL
 * members (or a NULL ops) mean the real system calls. */
struct wp_io_ops {
	ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t len, uint64_t offset);
	ssize_t (*pread)(void *ctx, int fd, void *buf, size_t len, uint64_t offset);
	bool (*gone)(void *ctx, int fd);         /* the device was removed */
	void (*pause)(void *ctx, unsigned ms);   /* backoff between retries */
	void *ctx;
	int (*flush)(void *ctx, int fd);         /* fdatasync: 0 or -1 with errno */
};

/* An opened device: fd opened O_DIRECT (and O_EXCL for writing). */
struct wp_io_target {
	int fd;
	const char *path;
	uint64_t size;            /* bytes, a multiple of block_size */
	unsigned block_size;      /* logical block size */
	const struct wp_io_ops *ops; /* NULL: pwrite/pread on fd */
};

struct wp_progress {
	const char *phase;        /* "write" or "verify" */
	size_t pass;              /* 1-based; verify reports the final pass */
	size_t npasses;
	uint64_t done;            /* bytes of this phase */
	uint64_t total;
	double elapsed;           /* seconds since the phase started */
	double rate;              /* bytes per second */
	double eta;               /* seconds, < 0 when unknown */
	bool final;               /* the last report of this phase */
};

typedef void (*wp_progress_fn)(const struct wp_progress *progress, void *ctx);

struct wp_job;
/* A checkpoint: PASS (1-based) has every byte below OFFSET written and
 * flushed (fdatasync returned), and job->passes[0..pass-1].spec hold the
 * keys. Called at the start of every pass (offset 0, after its key was
 * drawn) and at most every checkpoint_seconds during it. */
typedef void (*wp_checkpoint_fn)(const struct wp_job *job, size_t pass, uint64_t offset,
				 void *ctx);

struct wp_run_ctl {
	volatile sig_atomic_t *stop; /* set asynchronously to stop cleanly */
	wp_progress_fn progress;     /* may be NULL */
	void *progress_ctx;
	size_t chunk_bytes;          /* 0 = default (WP_DEFAULT_CHUNK) */
	size_t queue_depth;          /* buffers in the ring; 0 = WP_DEFAULT_DEPTH */
	/* resuming (wipeproof resume): start in pass start_pass (1-based; 0 =
	 * a fresh run) at byte start_offset, with job->passes[] of the passes
	 * before it and the spec (key) of this one filled in by the caller */
	size_t start_pass;
	uint64_t start_offset;
	wp_checkpoint_fn checkpoint; /* may be NULL */
	void *checkpoint_ctx;
	double checkpoint_seconds;   /* 0 = WP_CHECKPOINT_SECONDS */
};

#define WP_CHECKPOINT_SECONDS 2.0

/* Measured defaults (bench/RESULTS.md): 4 MiB requests reach the device
 * ceiling like dd's bs=4M; 4 buffers let the generator run ahead far enough
 * to hide its jitter. Every buffer of a drive together stays within
 * WP_MAX_RING_BYTES, so many drives at once fit in memory. */
#define WP_DEFAULT_CHUNK (4u << 20)
#define WP_DEFAULT_DEPTH 4
#define WP_MAX_RING_BYTES (64u << 20)

/* ---- pipeline ---------------------------------------------------------- */

/* A byte range of the device. */
struct wp_region {
	uint64_t offset;
	uint64_t length;
};

/* One buffer's worth of the plan, handed from stage to stage. */
struct wp_chunk {
	uint64_t index;           /* 0-based position in the plan */
	uint64_t offset;          /* device offset */
	size_t len;               /* <= chunk_bytes; the last one may be short */
	uint8_t *buf;             /* chunk_bytes, aligned */
	bool first_use;           /* buf has not carried a chunk before */
	size_t slot;              /* which of the depth buffers: index % depth */
};

typedef int (*wp_stage_fn)(struct wp_chunk *chunk, void *ctx, char *err,
			   size_t errlen);

/*
 * Regions are cut into chunks of at most chunk_bytes. `produce` runs on a
 * thread of its own and fills chunks in order; `consume` runs on the
 * caller's thread and takes them in the same order, at most `depth` chunks
 * behind. A NULL produce hands buffers over as they are.
 *
 * `work`, when set, is the CPU stage between the two: it runs on the
 * process's shared pool of threads (one per online core, shared by every
 * pipeline of every drive), for several chunks of one pipeline at once and
 * in any order, so it must only touch its chunk and state of its own
 * (per c->slot). With work and no produce there is no extra thread at all:
 * the caller's thread hands free buffers to the pool and consumes them in
 * order. A drive only has chunks in the pool while it has free buffers, so
 * a slow drive holds no pool threads and never starves a fast one.
 */
struct wp_pipeline {
	const struct wp_region *regions;
	size_t nregions;
	size_t chunk_bytes;
	size_t depth;
	size_t align;             /* buffer alignment, a power of two */
	wp_stage_fn produce;
	wp_stage_fn work;
	wp_stage_fn consume;
	void *ctx;
	volatile sig_atomic_t *stop;
};

/* Threads in the shared pool (started on first use): online cores. */
size_t wp_pool_threads(void);

enum wp_pipeline_end {
	WP_PIPE_DONE,            /* every chunk consumed */
	WP_PIPE_STOPPED,         /* the stop flag was seen */
	WP_PIPE_PRODUCE_FAILED,  /* produce or work returned -1 */
	WP_PIPE_CONSUME_FAILED,  /* consume returned -1 */
	WP_PIPE_SETUP_FAILED,    /* bad parameters, no memory or thread */
};

struct wp_pipeline_outcome {
	enum wp_pipeline_end end;
	uint64_t chunks_consumed;
	uint64_t next_offset;     /* offset of the first chunk not consumed */
};

/* Returns 0 when every chunk was consumed, else -1 with the reason in err
 * (the failing stage's own message) and in out->end. */
int wp_pipeline_run(const struct wp_pipeline *p, struct wp_pipeline_outcome *out,
		    char *err, size_t errlen);

/*
 * Write every pass of METHOD over the target, fdatasync after each pass,
 * and record each pass in job->passes. On a signal: job->result is
 * WP_RESULT_INTERRUPTED; on an I/O error: WP_RESULT_FAILED; both with
 * job->stopped_at and job->error set, and -1 returned. On success returns 0
 * and leaves job->result for verification to decide.
 */
/*
 * With ctl->start_pass set, passes before it are left as the caller filled
 * them (complete) and that pass continues at ctl->start_offset with the
 * spec already in job->passes: the keystream at an offset depends only on
 * (key, offset), so the device ends up the same as after one unbroken run.
 * ctl->checkpoint, when set, is called as wp_checkpoint_fn says.
 */
int wp_overwrite_run(const struct wp_io_target *target,
		     const struct wp_method *method, struct wp_job *job,
		     const struct wp_run_ctl *ctl, char *err, size_t errlen);

/* Monotonic seconds, for rates. */
double wp_now(void);

/* Progress reporting shared by the write and the verify loops: rate and ETA
 * from the phase start, at most every 0.2 s plus the final report. */
struct wp_progress_clock {
	double started;
	double last;
};
void wp_progress_start(struct wp_progress_clock *clock);
void wp_progress_emit(const struct wp_run_ctl *ctl, struct wp_progress_clock *clock,
		      const char *phase, size_t pass, size_t npasses,
		      uint64_t done, uint64_t total, bool final);

/* ---- free space of a mounted filesystem (freespace.c) ------------------ */

struct wp_freespace_result {
	char fill_dir[4096];      /* where the fill files were (removed again) */
	uint64_t total_bytes;     /* size of the filesystem */
	uint64_t free_bytes;      /* free before (root: reserved blocks included) */
	uint64_t free_left_bytes; /* free when the fill was complete */
	uint64_t bytes_written;   /* pattern bytes in the fill files */
	uint64_t bytes_verified;  /* read back and equal to the pattern */
	/* Free space the fill did not reach (the filesystem would not hand it
	 * out), measured when the disk was full: from the filesystem's space
	 * map (GETFSMAP) where it has one, else from statfs. The run is a
	 * complete free-space wipe only when this is 0. */
	uint64_t unreached_bytes;
	char unreached_source[16]; /* "GETFSMAP" or "statfs" */
	uint64_t inline_bytes;    /* part of unreached: ext4 inline_data inode area */
	char fs_kind[16];         /* ext4, xfs, vfat, exfat, btrfs or "" */
	char reserve[160];        /* the pool lowered for the fill, or "" */
	uint64_t reserve_bytes;   /* its size before, restored afterwards */
	bool reserve_restored;    /* false: still lowered, see the error */
	unsigned stale_removed;   /* fill folders of killed runs removed first */
	unsigned files;
	double seconds;
};

/*
 * Fill the free space of the filesystem mounted at MOUNTPOINT with the pass
 * SPEC (files in a new hidden folder), flush, read every file back against
 * the pattern, delete the folder. Progress as phases "write" and "verify".
 * Returns 0 when all written bytes read back as the pattern (the result
 * says how much free space was unreached); 1 for a refusal, nothing
 * written: a read-only mount, btrfs, or another run holding the filesystem
 * (flock on the mount point); 2 when a file reads back other data (a
 * mismatch); -1 with a message on an error or a stop. The files are removed in every case, and fill folders left by
 * a killed run are removed before the fill.
 */
int wp_freespace_run(const char *mountpoint, const char *run_dir, const struct wp_pass_spec *spec,
		     const struct wp_run_ctl *ctl, struct wp_freespace_result *r,
		     char *err, size_t errlen);

/* ---- pools a filesystem keeps back from root (fsreserve.c) ------------- */

enum { WP_FS_RESERVE_NONE, WP_FS_RESERVE_EXT4, WP_FS_RESERVE_XFS };

struct wp_fs_reserve {
	int kind;
	int fd;                   /* the sysfs file (ext4) or mount point (xfs) */
	uint64_t original;        /* the pool before, in units */
	uint64_t unit;            /* bytes per unit: cluster or block */
	bool lowered;
	bool restored_from_guard; /* an earlier run had left it lowered */
	char name[160];
	char fsid[40];
	char guard[512];
	char guard_dir[512];
};

/* "ext4", "xfs", "vfat", "exfat", "btrfs" for a statfs f_type, else "". */
const char *wp_fs_kind_name(unsigned long magic);

/*
 * Find the pool that the filesystem at MOUNTPOINT keeps from root (ext4
 * reserved_clusters, xfs resblks) and its size; a guard file left by a
 * killed run (in RUN_DIR; NULL or "": /run/wipeproof) is applied first.
 * The caller resolves RUN_DIR (station configuration, `run` key or
 * WIPEPROOF_RUN_DIR in cli/config.c): this module reads no environment.
 * Other filesystems: nothing to do (rs->kind NONE). 0 or -1 with a message.
 */
int wp_fs_reserve_open(const char *mountpoint, const char *run_dir, struct wp_fs_reserve *rs,
		       char *err, size_t errlen);
/* Set it to 0, after writing the guard that lets the next run restore it
 * if this one is killed. 0 or -1 with a message. */
int wp_fs_reserve_lower(struct wp_fs_reserve *rs, char *err, size_t errlen);
/* Set the pool back, remove the guard, close; 0 or -1 with a message. */
int wp_fs_reserve_restore(struct wp_fs_reserve *rs, char *err, size_t errlen);
/* The same from a signal handler (async-signal-safe), for a second signal
 * that ends the process before the normal path runs. */
void wp_fs_reserve_restore_signal(void);
/* Bytes the filesystem's space map (GETFSMAP) lists as free: 0; 1 when
 * the filesystem has no such map; -1 with a message. */
int wp_fs_free_extents(const char *mountpoint, uint64_t *bytes, char *err, size_t errlen);
/* ext4 with inline_data keeps small files' contents in their inodes, where
 * they stay after deletion and no fill reaches: the bytes of that area in
 * all inodes. 1 with *bytes, 0 when the filesystem has none, -1. */
int wp_fs_inline_area(const char *mountpoint, uint64_t *bytes, char *err, size_t errlen);

#endif
